// One writer per run, between real processes: a live holder's run cannot be written (nothing it wrote
// can be rolled back by another process), a killed holder's lock is taken over with a note, and a
// "running" run whose process died reads as interrupted. A reused pid is not taken for the holder.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { RunStore, StoreError } from "../../src/store/index.js";
import { runInput, sample, tempDir } from "./helpers.js";

const root = new URL("../..", import.meta.url).pathname;

/** Starts a child holding the lock of `runId`; resolves once it holds it. */
function holdLock(workspace: string, runId: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "test/store/lock-child.ts", workspace, runId], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr.on("data", (d: Buffer) => {
    err += d;
  });
  const exited = new Promise<void>((r) => child.on("exit", () => r()));
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (d: Buffer) => {
      if (String(d).includes("locked")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`lock holder exited with ${code}: ${err}`)));
  });
  return { child, locked, exited };
}

test("a run held by a live process cannot be written; a killed holder's lock is taken over", {
  timeout: 60_000,
}, async () => {
  const { dir, cleanup } = tempDir();
  const ws = join(dir, "ws");
  try {
    const setup = RunStore.open(ws);
    const run = setup.createRun({ ...runInput, id: "r" });
    setup.appendSamples([0, 1, 2].map((i) => sample(run.id, i, 1)));
    setup.close(); // releases the creator's lock

    const holder = holdLock(ws, run.id);
    await holder.locked;
    const notes: string[] = [];
    const store = RunStore.open(ws, { log: (m) => notes.push(m) });
    try {
      const inUse = (e: unknown) =>
        e instanceof StoreError &&
        e.exitCode === 2 &&
        e.message.includes(`in use by another curio process: pid ${holder.child.pid} on ${hostname()}`);
      assert.throws(() => store.rollbackTo(run.id, { epoch: 0, sampleCount: 0 }), inUse);
      assert.throws(() => store.appendSamples([sample(run.id, 3, 1)]), inUse);
      assert.throws(() => store.setStatus(run.id, "failed"), inUse);
      assert.equal(store.sampleCount(run.id), 3, "the rollback deleted nothing");
      assert.equal(store.getRun(run.id).status, "running");
      assert.equal(store.runHolder(run.id)?.pid, holder.child.pid);

      holder.child.kill("SIGKILL");
      await holder.exited;
      assert.equal(store.getRun(run.id).status, "interrupted", "a dead holder's run is not running");
      assert.equal(store.listRuns()[0]!.status, "interrupted");
      assert.equal(store.runHolder(run.id), null);
      const reader = RunStore.open(ws, { readonly: true });
      assert.equal(reader.getRun(run.id).status, "interrupted", "read-only readers see it too");
      reader.close();

      store.rollbackTo(run.id, { epoch: 0, sampleCount: 1 });
      assert.equal(notes.length, 1);
      assert.match(
        notes[0]!,
        new RegExp(`left locked by pid ${holder.child.pid} .*no longer runs; taking it over`),
      );
      store.setStatus(run.id, "running");
      assert.equal(store.getRun(run.id).status, "running", "its new writer holds it");
    } finally {
      store.close();
    }
    const after = RunStore.open(ws, { readonly: true });
    assert.equal(after.getRun(run.id).status, "interrupted", "closing the store released the lock");
    after.close();
  } finally {
    cleanup();
  }
});

test("a lock naming a live pid whose process started at another time (a reused pid) is stale", {
  skip: !existsSync("/proc/self/stat") && "needs /proc to read process start times",
  timeout: 30_000,
}, async () => {
  const { dir, cleanup } = tempDir();
  const ws = join(dir, "ws");
  const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 60000)"], { stdio: "ignore" });
  try {
    const setup = RunStore.open(ws);
    setup.createRun({ ...runInput, id: "r" });
    setup.close();
    const raw = new Database(join(ws, "curio.db"));
    const insert = raw.prepare(
      "INSERT INTO run_locks (run_id, token, pid, host, process_started_at, acquired_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    insert.run("r", "t0", other.pid, hostname(), "2001-01-01T00:00:00.000Z", "2001-01-01T00:00:00.000Z");
    raw.close();
    const store = RunStore.open(ws);
    assert.equal(store.getRun("r").status, "interrupted");
    store.lockRun("r");
    assert.equal(store.runHolder("r")?.pid, process.pid);
    store.close();
  } finally {
    other.kill("SIGKILL");
    cleanup();
  }
});
