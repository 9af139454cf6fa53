import assert from "node:assert/strict";
import { test } from "node:test";
import { klAndEntropySums, tokenRewards } from "../../src/rl/rewards.js";
import { assertClose, loadPpoFixture } from "./fixture.js";

test("tokenRewards: hand-computed", () => {
  // beta 0.1, lambdaE 0.5: t0: -0.1*(-1 - -2) + 0.5*1 = 0.4; t1: -0.1*0 + 0.5*0.5 = 0.25;
  // t2: -0.1*(-3 - -1) + 0.5*3 = 1.7, + score 2 = 3.7
  const r = tokenRewards([-1, -0.5, -3], [-2, -0.5, -1], 2, { beta: 0.1, lambdaE: 0.5 });
  assertClose(r, [0.4, 0.25, 3.7], 1e-12, "rewards");
});

test("tokenRewards: <= 2 tokens give zeros with the quirk, the full formula without it", () => {
  assertClose(tokenRewards([-1, -2], [-1, -1], 5, { beta: 1, lambdaE: 1 }), [0, 0], 0, "quirk on");
  const r = tokenRewards([-1, -2], [-1, -1], 5, { beta: 1, lambdaE: 1, zeroShortResponses: false });
  // t0: 0 + 1 = 1; t1: -1*(-1) + 2 + 5 = 8
  assertClose(r, [1, 8], 1e-12, "quirk off");
});

test("tokenRewards match the PyTorch reference", () => {
  const f = loadPpoFixture().rewards;
  for (const s of f.samples) {
    const opts = { beta: f.beta, lambdaE: f.lambda_e };
    assertClose(tokenRewards(s.logp, s.ref, s.score, opts), s.rewards_quirk, 1e-12, "with quirk");
    assertClose(
      tokenRewards(s.logp, s.ref, s.score, { ...opts, zeroShortResponses: false }),
      s.rewards,
      1e-12,
      "without quirk",
    );
  }
});

test("klAndEntropySums and length mismatch", () => {
  const { kl, entropy } = klAndEntropySums([-1, -2], [-1.5, -1]);
  assertClose([kl, entropy], [0.5 - 1, 3], 1e-12, "sums");
  assert.throws(() => tokenRewards([-1], [], 0, { beta: 0, lambdaE: 0 }), /refLogp has 0/);
});
