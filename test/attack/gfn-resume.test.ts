// method: gfn through the campaign and the CLI: a kill -9 during GFlowNet training and another after the MLE
// stage, each resumed, end with exactly the samples of the uninterrupted run (trainer, log Z, replay buffer,
// high-reward set and the smoothed attacker all come back from the checkpoint).
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCampaign } from "../../src/campaign/index.js";
import { loadConfig, parseConfig } from "../../src/config/index.js";
import { RunStore } from "../../src/store/index.js";
import { ConfigError } from "../../src/util/errors.js";
import {
  assertSameSamples,
  onlyRunId,
  runAndSignal,
  runToEnd,
  samplesOf,
  tinyConfig,
  writeConfig,
} from "../campaign/helpers.js";

const config = tinyConfig({ method: "gfn", attack: { mle: { epochs: 1, steps: 5 }, replay: { steps: 2 } } });

test("gfn: kill -9 mid-training and again after the MLE stage; each resume reproduces the run", {
  timeout: 300_000,
}, async () => {
  const whole = writeConfig(config);
  runToEnd(["run", "-c", whole.path, "--json"]);
  const expected = samplesOf(whole.workspace);
  assert.equal(expected.length, 6 * 8);
  assert.ok(
    existsSync(join(whole.workspace, "attackers", "tiny-7-mle", "model", "model.safetensors")),
    "the MLE-smoothed attacker is saved",
  );

  const broken = writeConfig(config);
  const first = await runAndSignal(broken.path, 2, Math.floor(Math.random() * 30), "SIGKILL");
  assert.equal(first.signal, "SIGKILL", "killed during GFlowNet training");
  const runId = onlyRunId(broken.workspace);
  // the resumed run prints epochs from the checkpoint on; kill it once it is past the MLE stage (after epoch 5)
  const done = samplesOf(broken.workspace).length / 8;
  const second = await runAndSignal(broken.path, 5 - done, 0, "SIGKILL", ["--resume", runId]);
  assert.equal(second.signal, "SIGKILL", "killed after the MLE stage");
  assert.ok(samplesOf(broken.workspace).length < expected.length);
  runToEnd(["run", "-c", broken.path, "--resume", runId, "--json"]);
  assertSameSamples(samplesOf(broken.workspace), expected);
});

test("gfn: unknown options name the key and the known ones; mle.epochs must leave GFlowNet epochs", () => {
  assert.throws(
    () => parseConfig({ ...config, attack: { replaySize: 10 } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.some((p) =>
        /^attack\.replaySize: not an option of method gfn; options of gfn: beta, gamma/.test(p),
      ),
  );
  assert.throws(
    () => parseConfig({ ...config, attack: { replay: { tolerance: 2 } } }),
    (e: unknown) =>
      e instanceof ConfigError && e.problems.some((p) => p.startsWith("attack.replay.tolerance")),
  );
});

test("gfn: an MLE stage as long as the run is refused before the run is recorded", async () => {
  const bad = writeConfig({ ...config, attack: { mle: { epochs: 6 } } });
  const store = RunStore.open(bad.workspace);
  try {
    await assert.rejects(
      runCampaign({ config: loadConfig(bad.path).config, store, threads: 1 }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /attack\.mle\.epochs \(6\) must be below the run's 6 epochs/.test(e.message),
    );
    assert.equal(store.listRuns().length, 0);
  } finally {
    store.close();
  }
});
