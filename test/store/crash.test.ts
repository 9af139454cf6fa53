// A real crash: a child process writing samples and checkpoints is SIGKILLed at a random moment;
// the reopened store must be consistent and resumable. Three kills, resuming in between.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { RunStore } from "../../src/store/index.js";
import { blobsFor, digest, PER_EPOCH } from "./crash-writer.js";
import { tempDir } from "./helpers.js";

const root = new URL("../..", import.meta.url).pathname;

/**
 * Starts the writer and SIGKILLs it `ms` milliseconds after it reports `trigger` ("started", or
 * "checkpoint" for its first checkpoint in this process).
 */
function runAndKill(workspace: string, trigger: "started" | "checkpoint", ms: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "test/store/crash-writer.ts", workspace], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let armed = false;
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      if (!armed && out.includes(trigger)) {
        armed = true;
        setTimeout(() => child.kill("SIGKILL"), ms).unref();
      }
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(out);
      else reject(new Error(`writer exited with ${code}: ${err}`));
    });
  });
}

function checkConsistent(workspace: string): { count: number; ckEpoch: number } {
  const raw = new Database(join(workspace, "curio.db"));
  assert.equal(raw.pragma("integrity_check", { simple: true }), "ok");
  raw.close();
  const store = RunStore.open(workspace);
  try {
    const count = store.sampleCount("crash");
    let expected = 0;
    for (const s of store.samples("crash")) {
      assert.equal(s.index, expected, "sample indices are dense");
      assert.equal(s.epoch, Math.floor(s.index / PER_EPOCH));
      assert.equal(s.testCase, `test case ${s.index} ünïcødé`);
      expected++;
    }
    assert.equal(expected, count);
    const epochs = store.epochs("crash").map((e) => e.epoch);
    assert.deepEqual(
      epochs,
      epochs.map((_, i) => i),
      "epoch stats are contiguous",
    );
    const ck = store.latestCheckpoint("crash");
    if (ck === null) {
      store.rollbackTo("crash", { epoch: -1, sampleCount: 0 });
      assert.equal(store.sampleCount("crash"), 0);
      return { count, ckEpoch: -1 };
    }
    assert.equal(ck.sampleCount, (ck.epoch + 1) * PER_EPOCH);
    assert.ok(ck.sampleCount <= count, "a checkpoint never outlives its samples");
    assert.ok(epochs.includes(ck.epoch));
    const want = blobsFor(ck.epoch);
    assert.equal(digest(ck.blobs), (ck.state as { sha: string }).sha, "checkpoint blobs intact");
    assert.equal(digest(ck.blobs), digest(want), "checkpoint blobs are the epoch's");
    store.rollbackTo("crash", ck);
    assert.equal(store.sampleCount("crash"), ck.sampleCount);
    let i = 0;
    for (const s of store.samples("crash")) assert.equal(s.index, i++);
    assert.equal(i, ck.sampleCount, "rollbackTo gives exactly the checkpointed prefix");
    assert.equal(store.epochs("crash").at(-1)?.epoch, ck.epoch);
    return { count, ckEpoch: ck.epoch };
  } finally {
    store.close();
  }
}

test("SIGKILL during writes leaves a consistent, resumable store", { timeout: 60_000 }, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const ws = join(dir, "ws");
    let lastCk = -1;
    for (let round = 0; round < 3; round++) {
      // Round 0 may die before its first checkpoint; later rounds die somewhere after one.
      const out = await runAndKill(
        ws,
        round === 0 ? "started" : "checkpoint",
        Math.floor(Math.random() * 700),
      );
      const resumedAt = Number(/started (\d+)/.exec(out)?.[1]);
      assert.equal(resumedAt, lastCk + 1, "the writer resumed after the latest checkpoint");
      const { ckEpoch } = checkConsistent(ws);
      assert.ok(ckEpoch >= lastCk, "checkpoints only move forward");
      lastCk = ckEpoch;
    }
    assert.ok(lastCk >= 1, "checkpoints were written and survived");
  } finally {
    cleanup();
  }
});
