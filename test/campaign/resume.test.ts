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

/** Starts a run and SIGKILLs it once `epochs` epoch lines have been printed, plus a random delay. */
function runAndKill(path: string, epochs: number, delayMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const [cmd, a] = node(["run", "-c", path, "--json"]);
    const child = spawn(cmd, a, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let seen = 0;
    let buf = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      seen = buf.split("\n").filter((l) => l.includes('"type":"epoch"')).length;
      if (seen >= epochs) setTimeout(() => child.kill("SIGKILL"), delayMs);
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve();
      else reject(new Error(`the run ended by itself (code ${code}) before it could be killed`));
    });
  });
}

test("resume after kill -9 reproduces the uninterrupted run exactly", { timeout: 300_000 }, async () => {
  const config = tinyConfig();
  const whole = writeConfig(config);
  runToEnd(["run", "-c", whole.path, "--json"]);
  const expected = samplesOf(whole.workspace);
  assert.equal(expected.length, 6 * 8);

  const broken = writeConfig(config);
  await runAndKill(broken.path, 2, Math.floor(Math.random() * 400));
  const partial = samplesOf(broken.workspace);
  assert.ok(partial.length < expected.length, "the kill interrupted the run");
  const store = RunStore.open(broken.workspace, { readonly: true });
  const runId = store.listRuns()[0]!.id;
  store.close();
  runToEnd(["run", "-c", broken.path, "--resume", runId, "--json"]);
  const resumed = samplesOf(broken.workspace);

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
  }
});
