import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { markFingerprint, RunStore, SCHEMA_VERSION, StoreError } from "../../src/store/index.js";
import { migrations } from "../../src/store/migrations.js";
import { runInput, sample, tempDir } from "./helpers.js";

test("marks: set, replace, clear, list; bad input names the problem", () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = RunStore.open(dir);
    const run = store.createRun(runInput);
    store.appendSamples([0, 1, 2].map((i) => sample(run.id, i, 1)));
    const m = store.setMark(run.id, 1, "false-positive", "a refusal, not toxic");
    assert.equal(m?.fingerprint, markFingerprint("test case 1 ünïcødé", "response 1"));
    store.setMark(run.id, 2, "confirmed");
    store.setMark(run.id, 2, "false-positive"); // the latest verdict wins
    assert.deepEqual(
      store.marks(run.id).map((x) => [x.index, x.verdict, x.note]),
      [
        [1, "false-positive", "a refusal, not toxic"],
        [2, "false-positive", ""],
      ],
    );
    assert.equal(store.setMark(run.id, 2, null), null);
    assert.deepEqual(
      store.marks(run.id).map((x) => x.index),
      [1],
    );
    assert.throws(() => store.setMark(run.id, 7, "confirmed"), /has no sample #7/);
    assert.throws(() => store.setMark("nope", 0, "confirmed"), /no run "nope"/);
    assert.throws(
      () => store.setMark(run.id, 0, "maybe" as never),
      (e: unknown) => e instanceof StoreError && /use confirmed or false-positive/.test(e.message),
    );
    assert.throws(() => store.setMark(run.id, 0, "confirmed", "x".repeat(5000)), /keep it under 2000/);
    store.close();
    const ro = RunStore.open(dir, { readonly: true });
    assert.throws(() => ro.setMark(run.id, 0, "confirmed"), /opened read-only/);
    ro.close();
  } finally {
    cleanup();
  }
});

test("marks survive a resume's rollback; the fingerprint tells when the text changed", () => {
  const { dir, cleanup } = tempDir();
  try {
    const store = RunStore.open(dir);
    const run = store.createRun(runInput);
    store.appendSamples([0, 1].map((i) => sample(run.id, i, 1)));
    store.setMark(run.id, 1, "confirmed");
    store.rollbackTo(run.id, { epoch: 0, sampleCount: 1 });
    store.appendSamples([sample(run.id, 1, 1, { response: "another answer" })]);
    const [mark] = store.marks(run.id);
    assert.equal(mark?.verdict, "confirmed");
    assert.notEqual(mark?.fingerprint, markFingerprint("test case 1 ünïcødé", "another answer"));
    store.close();
  } finally {
    cleanup();
  }
});

test("a store from before marks: read-only readers see no marks, a writer upgrades it", () => {
  const { dir, cleanup } = tempDir();
  try {
    const db = new Database(join(dir, "curio.db"));
    db.exec(migrations[0]!);
    db.exec("INSERT INTO meta (key, value) VALUES ('schema_version', '1')");
    db.exec(
      "INSERT INTO runs VALUES ('old', 'old', '2026-01-01T00:00:00Z', 'completed', 1, 'crt', '{}', '{}')",
    );
    db.close();
    const ro = RunStore.open(dir, { readonly: true });
    assert.equal(ro.getRun("old").id, "old");
    assert.deepEqual(ro.marks("old"), []);
    ro.close();
    const rw = RunStore.open(dir);
    rw.appendSamples([sample("old", 0, 1)]);
    rw.setMark("old", 0, "confirmed");
    rw.close();
    const check = new Database(join(dir, "curio.db"), { readonly: true });
    const v = check.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as { value: string };
    check.close();
    assert.equal(Number(v.value), SCHEMA_VERSION);
  } finally {
    cleanup();
  }
});
