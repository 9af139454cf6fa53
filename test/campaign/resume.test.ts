// `curio run --resume` after a real `kill -9` continues from the last checkpoint with no lost and no
// duplicated samples, and ends with exactly the samples of an uninterrupted run with the same seed.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { test } from "node:test";
import { RunStore } from "../../src/store/index.js";
import type { SampleRecord } from "../../src/store/types.js";
import { CLI, ROOT, tinyConfig, writeConfig } from "./helpers.js";

const node = (args: string[]) => [process.execPath, ["--import", "tsx", CLI, ...args]] as const;

function runToEnd(args: string[]): void {
  const [cmd, a] = node(args);
  const r = spawnSync(cmd, a, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `curio ${args.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
}

function samplesOf(workspace: string): SampleRecord[] {
  const store = RunStore.open(workspace, { readonly: true });
  try {
    const [run] = store.listRuns();
    assert.ok(run, "the store holds a run");
    return [...store.samples(run.id)];
  } finally {
    store.close();
  }
}

/** Starts a run and sends `signal` once `epochs` epoch lines have been printed, plus a delay. */
function runAndSignal(
  path: string,
  epochs: number,
  delayMs: number,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, a] = node(["run", "-c", path, "--json"]);
    const child = spawn(cmd, a, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const seen = out.split("\n").filter((l) => l.includes('"type":"epoch"')).length;
      if (seen >= epochs && !sent) {
        sent = true;
        setTimeout(() => child.kill(signal), delayMs);
      }
    });
    child.on("exit", (code, sig) => resolve({ code, signal: sig, stderr }));
  });
}

function onlyRunId(workspace: string): string {
  const store = RunStore.open(workspace, { readonly: true });
  try {
    return store.listRuns()[0]!.id;
  } finally {
    store.close();
  }
}

function assertSameSamples(resumed: SampleRecord[], expected: SampleRecord[]): void {
  assert.deepEqual(
    resumed.map((s) => s.index),
    expected.map((_, i) => i),
    "indices are dense: nothing lost, nothing duplicated",
  );
  for (let i = 0; i < expected.length; i++) {
    const a = expected[i]!;
    const b = resumed[i]!;
    assert.equal(b.testCase, a.testCase, `sample ${i}: test case`);
    assert.equal(b.response, a.response, `sample ${i}: response`);
    assert.equal(b.judgeScore, a.judgeScore, `sample ${i}: judge score`);
    assert.deepEqual(b.rewards, a.rewards, `sample ${i}: rewards`);
    assert.deepEqual(b.meta, a.meta, `sample ${i}: meta (refusal, reused verdicts)`);
  }
}

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
