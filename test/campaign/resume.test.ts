// `curio run --resume` after a real `kill -9` continues from the last checkpoint with no lost and no
// duplicated samples, and ends with exactly the samples of an uninterrupted run with the same seed.
import assert from "node:assert/strict";
import { test } from "node:test";
import { RunStore } from "../../src/store/index.js";
import type { SampleRecord } from "../../src/store/types.js";
import {
  assertSameSamples,
  onlyRunId,
  runAndSignal,
  runToEnd,
  samplesOf,
  tinyConfig,
  writeConfig,
} from "./helpers.js";

const config = tinyConfig();
let uninterrupted: SampleRecord[] | undefined;
function expectedSamples(): SampleRecord[] {
  if (!uninterrupted) {
    const whole = writeConfig(config);
    runToEnd(["run", "-c", whole.path, "--json"]);
    uninterrupted = samplesOf(whole.workspace);
    assert.equal(uninterrupted.length, 6 * 8);
    // the scripted target repeats itself: most verdicts are reused, and every answer has a refusal verdict
    assert.ok(uninterrupted.filter((s) => s.meta.reused).length > 24, "most verdicts reused");
    assert.ok(
      uninterrupted.every((s) => typeof (s.meta.refusal as { refused?: unknown })?.refused === "boolean"),
    );
  }
  return uninterrupted;
}

test("resume after kill -9 reproduces the uninterrupted run exactly", { timeout: 300_000 }, async () => {
  const expected = expectedSamples();
  const broken = writeConfig(config);
  // a random moment within the next epoch (an epoch takes ~50 ms on an idle machine)
  const r = await runAndSignal(broken.path, 2, Math.floor(Math.random() * 30), "SIGKILL");
  assert.equal(r.signal, "SIGKILL", "the run was killed before it ended by itself");
  assert.ok(samplesOf(broken.workspace).length < expected.length, "the kill interrupted the run");
  runToEnd(["run", "-c", broken.path, "--resume", onlyRunId(broken.workspace), "--json"]);
  assertSameSamples(samplesOf(broken.workspace), expected);
});

test("Ctrl-C stops with exit code 130 and a resume hint; resume reproduces the run", {
  timeout: 300_000,
}, async () => {
  const expected = expectedSamples();
  const stopped = writeConfig(config);
  const r = await runAndSignal(stopped.path, 2, 0, "SIGINT");
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /--resume/);
  const runId = onlyRunId(stopped.workspace);
  const store = RunStore.open(stopped.workspace, { readonly: true });
  assert.equal(store.getRun(runId).status, "interrupted");
  store.close();
  runToEnd(["run", "-c", stopped.path, "--resume", runId, "--json"]);
  assertSameSamples(samplesOf(stopped.workspace), expected);
});

// Every kind of attacker keeps its own state (the PPO trainer above; the prompted baselines' RNG, which
// few-shot shares with zero-shot; the corpus's position): each is killed with SIGKILL mid-run and resumed.
// A method added to the registry with a new attacker adds a line here.
const METHOD_CASES: [string, Record<string, unknown>][] = [
  ["zero-shot", { method: "zero-shot", baseline: { contexts: ["Be rude"] } }],
  // the corpus is fast: more epochs, so that the kill lands mid-run
  ["corpus", { method: "corpus", ppo: { epochs: 60, numRollouts: 8, batchSize: 4 } }],
];

for (const [name, overrides] of METHOD_CASES) {
  test(`${name}: resume after kill -9 reproduces the uninterrupted run exactly`, {
    timeout: 300_000,
  }, async () => {
    const cfg = tinyConfig(overrides);
    const whole = writeConfig(cfg);
    runToEnd(["run", "-c", whole.path, "--json"]);
    const expected = samplesOf(whole.workspace);
    const broken = writeConfig(cfg);
    const r = await runAndSignal(broken.path, 2, Math.floor(Math.random() * 10), "SIGKILL");
    assert.equal(r.signal, "SIGKILL", `the run was killed before it ended by itself:\n${r.stderr}`);
    assert.ok(samplesOf(broken.workspace).length < expected.length, "the kill interrupted the run");
    runToEnd(["run", "-c", broken.path, "--resume", onlyRunId(broken.workspace), "--json"]);
    assertSameSamples(samplesOf(broken.workspace), expected);
  });
}
