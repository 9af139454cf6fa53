import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { RunStore, StoreError } from "../../src/store/index.js";
import { epochStats, runInput, sample, tempDir } from "./helpers.js";

test("runs: create, get by id and prefix, list, status; secrets are redacted", () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = RunStore.open(join(dir, "ws"));
    const a = store.createRun(runInput);
    assert.match(a.id, /^crt-\d{8}-[0-9a-f]{4}$/);
    assert.equal(a.status, "running");
    const b = store.createRun({ ...runInput, id: "mine-1", method: "rl" });
    assert.equal(b.id, "mine-1");
    assert.deepEqual(store.getRun("mine").id, "mine-1");
    assert.deepEqual(store.getRun(a.id), a);
    const cfg = store.getRun(a.id).config as { target: Record<string, unknown> };
    assert.equal(cfg.target.apiKey, "[redacted]");
    assert.equal(cfg.target.maxTokens, 30);
    assert.equal(cfg.target.url, "http://x");
    store.setStatus(a.id, "completed");
    assert.equal(store.getRun(a.id).status, "completed");
    assert.deepEqual(new Set(store.listRuns().map((r) => r.id)), new Set([a.id, "mine-1"]));
    assert.throws(() => store.createRun({ ...runInput, id: "mine-1" }), /already exists/);
    store.close();
  } finally {
    cleanup();
  }
});

test("getRun: missing and ambiguous ids give clear errors with suggestions", () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = RunStore.open(dir);
    store.createRun({ ...runInput, id: "crt-20261128-aaaa" });
    store.createRun({ ...runInput, id: "crt-20261128-aaab" });
    assert.throws(
      () => store.getRun("crt-2026"),
      (e: unknown) =>
        e instanceof StoreError && /ambiguous/.test(e.message) && /aaaa/.test(e.message) && e.exitCode === 2,
    );
    assert.throws(
      () => store.getRun("crt-20261128-aaac"),
      (e: unknown) =>
        e instanceof StoreError && /no run/.test(e.message) && /did you mean/.test(e.hint ?? ""),
    );
    store.close();
  } finally {
    cleanup();
  }
});

test("samples: round trip, streaming order, epoch filters, counts", () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = RunStore.open(dir);
    const run = store.createRun(runInput);
    const all = Array.from({ length: 700 }, (_, i) => sample(run.id, i, Math.floor(i / 100)));
    all[3] = { ...all[3]!, judgeScore: Number.NaN, error: "target timed out", rewards: null };
    // Written out of order within one call: the store sorts a call's batch.
    store.appendSamples(all.slice(0, 300).reverse());
    store.appendSamples(all.slice(300));
    assert.equal(store.sampleCount(run.id), 700);
    const back = [...store.samples(run.id)];
    assert.equal(back.length, 700);
    assert.deepEqual(back[10], all[10]);
    assert.deepEqual(back[3], { ...all[3], judgeScore: null });
    assert.deepEqual(
      back.map((s) => s.index),
      all.map((s) => s.index),
    );
    const mid = [...store.samples(run.id, { minEpoch: 2, maxEpoch: 3 })];
    assert.equal(mid.length, 200);
    assert.equal(mid[0]!.index, 200);
    assert.equal(mid[199]!.index, 399);
    // The iterator does not hold the connection: writes in between pages work.
    const it = store.samples(run.id);
    it.next();
    store.appendEpoch(epochStats(run.id, 0));
    assert.equal([...it].length, 699);
    store.close();
  } finally {
    cleanup();
  }
});

test("appendSamples rejects duplicates and gaps, atomically", () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = RunStore.open(dir);
    const run = store.createRun(runInput);
    store.appendSamples([sample(run.id, 0, 0), sample(run.id, 1, 0)]);
    assert.throws(
      () => store.appendSamples([sample(run.id, 2, 0), sample(run.id, 1, 0)]),
      /duplicate sample index 1/,
    );
    assert.throws(() => store.appendSamples([sample(run.id, 3, 0)]), /gap \(expected 2\)/);
    assert.throws(() => store.appendSamples([sample("nope", 0, 0)]), /no run "nope"/);
    assert.equal(store.sampleCount(run.id), 2, "a rejected call writes nothing");
    store.close();
  } finally {
    cleanup();
  }
});

test("epochs, checkpoints, rollbackTo and changesSince", () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = RunStore.open(dir);
    const run = store.createRun(runInput);
    const params = new Float32Array([1.5, -2.25, 3e-8, Number.MAX_VALUE / 2]);
    for (let e = 0; e < 3; e++) {
      store.appendSamples([0, 1, 2, 3].map((k) => sample(run.id, e * 4 + k, e)));
      store.appendEpoch(epochStats(run.id, e));
      if (e < 2) {
        params[0] = e;
        store.saveCheckpoint(run.id, {
          epoch: e,
          sampleCount: (e + 1) * 4,
          state: { step: e, rng: [1, 2] },
          blobs: { params: new Uint8Array(params.buffer), empty: new Uint8Array(0) },
        });
      }
    }
    assert.throws(() => store.appendEpoch(epochStats(run.id, 2)), /already stored/);
    assert.equal(store.listCheckpoints(run.id).length, 1, "keep=1 deletes older checkpoints");
    const ck = store.latestCheckpoint(run.id)!;
    assert.equal(ck.epoch, 1);
    assert.equal(ck.sampleCount, 8);
    assert.deepEqual(ck.state, { step: 1, rng: [1, 2] });
    const got = new Float32Array(ck.blobs.params!.slice().buffer);
    assert.deepEqual([...got], [1, -2.25, Math.fround(3e-8), Math.fround(Number.MAX_VALUE / 2)]);
    assert.equal(ck.blobs.empty!.byteLength, 0);
    assert.throws(
      () => store.saveCheckpoint(run.id, { epoch: 9, sampleCount: 13, state: null, blobs: {} }),
      /claims 13 samples but 12 are stored/,
    );

    const changes = store.changesSince(run.id, { sampleIndex: 9, epoch: 0 });
    assert.deepEqual(
      changes.samples.map((s) => s.index),
      [10, 11],
    );
    assert.deepEqual(
      changes.epochs.map((e) => e.epoch),
      [1, 2],
    );

    store.rollbackTo(run.id, ck);
    assert.equal(store.sampleCount(run.id), 8);
    assert.deepEqual(
      [...store.samples(run.id)].map((s) => s.index),
      [0, 1, 2, 3, 4, 5, 6, 7],
    );
    assert.deepEqual(
      store.epochs(run.id).map((e) => e.epoch),
      [0, 1],
    );
    // Resuming continues densely from the checkpoint.
    store.appendSamples([sample(run.id, 8, 2)]);

    // One transaction: samples + stats + checkpoint.
    store.saveCheckpoint(
      run.id,
      { epoch: 2, sampleCount: 10, state: {}, blobs: {} },
      { samples: [sample(run.id, 9, 2)], epochStats: epochStats(run.id, 2) },
    );
    assert.equal(store.latestCheckpoint(run.id)!.sampleCount, 10);
    store.close();
  } finally {
    cleanup();
  }
});

test("a full disk (size limit) fails clearly and leaves the store consistent", () => {
  const { dir, cleanup } = tempDir();
  try {
    let store = RunStore.open(dir, { maxSizeBytes: 256 * 1024 });
    const run = store.createRun(runInput);
    store.appendSamples([sample(run.id, 0, 0)]);
    const big = "x".repeat(4000);
    let err: unknown;
    let next = 1;
    try {
      for (; next < 1000; next += 10) {
        store.appendSamples(
          Array.from({ length: 10 }, (_, k) => sample(run.id, next + k, 0, { response: big + (next + k) })),
        );
      }
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof StoreError, `expected a StoreError, got ${String(err)}`);
    assert.match(err.message, /full/);
    assert.match(err.hint ?? "", /resume/);
    assert.equal(store.sampleCount(run.id), next, "the failed batch was rolled back entirely");
    store.close();
    store = RunStore.open(dir);
    assert.equal(store.sampleCount(run.id), next);
    assert.deepEqual(
      [...store.samples(run.id)].map((s) => s.index),
      Array.from({ length: next }, (_, i) => i),
    );
    store.close();
  } finally {
    cleanup();
  }
});

test("open: missing store in read-only mode, foreign database, newer schema, garbage file, file/folder mix-ups", () => {
  const { dir, cleanup } = tempDir();
  try {
    assert.throws(
      () => RunStore.open(join(dir, "missing"), { readonly: true }),
      (e: unknown) => e instanceof StoreError && /no curio store/.test(e.message) && e.exitCode === 2,
    );
    assert.equal(existsSync(join(dir, "missing")), false, "read-only open creates nothing");

    mkdirSync(join(dir, "foreign"));
    const f = new Database(join(dir, "foreign", "curio.db"));
    f.exec("CREATE TABLE t (x)");
    f.close();
    assert.throws(() => RunStore.open(join(dir, "foreign")), /not a curio store/);

    const s = RunStore.open(join(dir, "newer"));
    s.close();
    const n = new Database(join(dir, "newer", "curio.db"));
    n.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
    n.close();
    assert.throws(() => RunStore.open(join(dir, "newer")), /newer curio \(store schema v99/);

    mkdirSync(join(dir, "garbage"));
    writeFileSync(join(dir, "garbage", "curio.db"), "this is not sqlite ".repeat(400));
    assert.throws(
      () => RunStore.open(join(dir, "garbage")),
      (e: unknown) => e instanceof StoreError && /not a valid curio store/.test(e.message),
    );

    // a workspace that is a file, a curio.db that is a folder: usage errors for readers and writers
    writeFileSync(join(dir, "a-file"), "x");
    mkdirSync(join(dir, "db-folder", "curio.db"), { recursive: true });
    for (const readonly of [true, false]) {
      assert.throws(
        () => RunStore.open(join(dir, "a-file"), { readonly }),
        (e: unknown) =>
          e instanceof StoreError && e.exitCode === 2 && /a-file is a file, not a folder/.test(e.message),
      );
      assert.throws(
        () => RunStore.open(join(dir, "db-folder"), { readonly }),
        (e: unknown) =>
          e instanceof StoreError &&
          e.exitCode === 2 &&
          /curio\.db is a folder, not a curio store/.test(e.message),
      );
    }

    const ro = RunStore.open(join(dir, "newer-ok"));
    ro.createRun(runInput);
    ro.close();
    const r = RunStore.open(join(dir, "newer-ok"), { readonly: true });
    assert.equal(r.listRuns().length, 1);
    assert.throws(() => r.createRun(runInput), /opened read-only/);
    r.close();
  } finally {
    cleanup();
  }
});
