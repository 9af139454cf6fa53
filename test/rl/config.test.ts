import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultPpoConfig, resolvePpoConfig } from "../../src/rl/index.js";

test("PPO defaults are the CRT / trlx 0.7 settings", () => {
  const c = resolvePpoConfig();
  assert.deepEqual(
    [c.numRollouts, c.batchSize, c.ppoEpochs, c.gamma, c.lam, c.cliprange, c.cliprangeValue, c.vfCoef],
    [128, 64, 4, 1, 0.95, 0.2, 0.2, 1],
  );
  assert.deepEqual(
    [c.lr, c.betas, c.eps, c.weightDecay, c.initKlCoef, c.klTarget, c.lambdaE],
    [3e-5, [0.9, 0.95], 1e-8, 1e-6, 0.001, null, 0.01],
  );
  assert.equal(resolvePpoConfig({ lambdaE: 0 }).lambdaE, 0);
  assert.equal(defaultPpoConfig.zeroShortResponses, true);
});

test("bad PPO settings are rejected with the key and value", () => {
  assert.throws(() => resolvePpoConfig({ batchSize: 0 }), /batchSize must be a positive integer, got 0/);
  assert.throws(() => resolvePpoConfig({ lr: -1 }), /lr must be >= 0, got -1/);
  assert.throws(() => resolvePpoConfig({ maxGradNorm: 0 }), /maxGradNorm must be > 0 or null/);
  assert.throws(
    () => resolvePpoConfig({ whitenScope: "batch" as never }),
    /whitenScope must be "minibatch" or "rollouts"/,
  );
});
