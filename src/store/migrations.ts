// The store's tables, one migration per schema version. A database newer than this code is refused.
import type Database from "better-sqlite3";

/** Migration i brings the schema from version i to version i + 1. */
export const migrations: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL,
    seed INTEGER NOT NULL,
    method TEXT NOT NULL,
    config TEXT NOT NULL,
    versions TEXT NOT NULL
  );
  -- Clustered by (run, index): streaming a run's samples in order is a range scan.
  CREATE TABLE samples (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    epoch INTEGER NOT NULL,
    seed_prompt TEXT NOT NULL,
    test_case TEXT NOT NULL,
    target_input TEXT NOT NULL,
    response TEXT NOT NULL,
    judge_score REAL,
    eval_judge_score REAL,
    rewards TEXT,
    error TEXT,
    timings TEXT NOT NULL,
    meta TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
  ) WITHOUT ROWID;
  CREATE INDEX samples_by_epoch ON samples (run_id, epoch);
  CREATE TABLE epochs (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    stats TEXT NOT NULL,
    PRIMARY KEY (run_id, epoch)
  ) WITHOUT ROWID;
  CREATE TABLE checkpoints (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    epoch INTEGER NOT NULL,
    sample_count INTEGER NOT NULL,
    state TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (run_id, epoch)
  );
  -- Large binary state (parameters, optimiser moments, novelty index) lives in its own table so
  -- listing checkpoints never reads it.
  CREATE TABLE checkpoint_blobs (
    run_id TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    name TEXT NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_id, epoch, name),
    FOREIGN KEY (run_id, epoch) REFERENCES checkpoints(run_id, epoch) ON DELETE CASCADE
  );
  `,
  // v2: human marks on findings (src/store/marks.ts).
  `
  CREATE TABLE marks (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    verdict TEXT NOT NULL CHECK (verdict IN ('confirmed', 'false-positive')),
    note TEXT NOT NULL,
    marked_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    PRIMARY KEY (run_id, idx)
  ) WITHOUT ROWID;
  `,
  // v3: one writer per run. The holder's process identity tells a live writer from a dead one.
  `
  CREATE TABLE run_locks (
    run_id TEXT PRIMARY KEY REFERENCES runs(id) ON DELETE CASCADE,
    token TEXT NOT NULL,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    process_started_at TEXT NOT NULL,
    acquired_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // v4: the start-up probe of target and judge, as recorded with the run (JSON, null before v4)
  `
  ALTER TABLE runs ADD COLUMN probe TEXT;
  `,
];

/**
 * A read-only connection reads stores down to this version: the later migrations only add tables, which
 * readers treat as empty (no marks, no run locks), so `curio report` works on a store no writer has
 * upgraded yet.
 */
export const OLDEST_READABLE_VERSION = 1;

export const SCHEMA_VERSION = migrations.length;

export function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** The schema version recorded in the database (0 for an empty database). */
export function schemaVersion(db: Database.Database): number {
  if (!hasTable(db, "meta")) return 0;
  const row = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").get() as
    | { value: string }
    | undefined;
  return row ? Number(row.value) : 0;
}

/** Applies the missing migrations in one transaction each. */
export function migrate(db: Database.Database, from: number): void {
  for (let v = from; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.prepare(
        "INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
      ).run(String(v + 1));
    })();
  }
}
