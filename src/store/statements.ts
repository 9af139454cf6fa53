// The store's prepared SQL statements, prepared once per connection.
import type Database from "better-sqlite3";
import { hasTable } from "./migrations.js";

export type Statements = Record<keyof typeof STORE_SQL, Database.Statement>;
export type LockStatements = Record<keyof typeof LOCK_SQL, Database.Statement>;

/**
 * Statements prepared on first use: a read-only connection to an older schema never prepares the writes
 * that name newer columns (SQLite checks column names when preparing).
 */
function prepareAll<K extends string>(
  db: Database.Database,
  sql: Record<K, string>,
): Record<K, Database.Statement> {
  const statements = {} as Record<K, Database.Statement>;
  for (const key of Object.keys(sql) as K[]) {
    Object.defineProperty(statements, key, {
      configurable: true,
      enumerable: true,
      get() {
        const statement = db.prepare(sql[key]);
        Object.defineProperty(statements, key, { value: statement, enumerable: true });
        return statement;
      },
    });
  }
  return statements;
}

const STORE_SQL = {
  runById: "SELECT * FROM runs WHERE id = ?",
  runsByPrefix: "SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY created_at DESC LIMIT 20",
  runIds: "SELECT id FROM runs ORDER BY created_at DESC",
  allRuns: "SELECT * FROM runs ORDER BY created_at DESC, id",
  insertRun: `INSERT INTO runs (id, name, created_at, status, seed, method, config, versions, probe)
       VALUES (@id, @name, @created_at, @status, @seed, @method, @config, @versions, @probe)`,
  setStatus: "UPDATE runs SET status = ? WHERE id = ?",
  insertSample: `INSERT INTO samples (run_id, idx, epoch, seed_prompt, test_case, target_input, response, judge_score,
         eval_judge_score, rewards, error, timings, meta)
       VALUES (@run_id, @idx, @epoch, @seed_prompt, @test_case, @target_input, @response, @judge_score,
         @eval_judge_score, @rewards, @error, @timings, @meta)`,
  // eval_judge_errors: answered samples whose held-out judge failed (recorded in meta.evalJudge.error)
  summary: `SELECT count(*) AS samples, sum(judge_score IS NOT NULL) AS scored, sum(judge_score >= ?) AS successes,
         sum(error IS NOT NULL) AS errors,
         sum(error IS NULL AND json_extract(meta, '$.evalJudge.error') IS NOT NULL) AS eval_judge_errors
       FROM samples WHERE run_id = ?`,
  // Indices are dense (appendSamples enforces it), so the count is max + 1: one index seek.
  countSamples: "SELECT coalesce(max(idx) + 1, 0) AS n FROM samples WHERE run_id = ?",
  samplesPage: `SELECT * FROM samples WHERE run_id = ? AND idx > ? AND epoch BETWEEN ? AND ? ORDER BY idx LIMIT ?`,
  deleteSamplesFrom: "DELETE FROM samples WHERE run_id = ? AND idx >= ?",
  epochExists: "SELECT 1 FROM epochs WHERE run_id = ? AND epoch = ?",
  insertEpoch: "INSERT INTO epochs (run_id, epoch, stats) VALUES (?, ?, ?)",
  epochs: "SELECT stats FROM epochs WHERE run_id = ? ORDER BY epoch",
  epochsAfter: "SELECT stats FROM epochs WHERE run_id = ? AND epoch > ? ORDER BY epoch",
  deleteEpochsAfter: "DELETE FROM epochs WHERE run_id = ? AND epoch > ?",
  insertCheckpoint:
    "INSERT INTO checkpoints (run_id, epoch, sample_count, state, created_at) VALUES (?, ?, ?, ?, ?)",
  insertBlob: "INSERT INTO checkpoint_blobs (run_id, epoch, name, data) VALUES (?, ?, ?, ?)",
  checkpointEpochs: "SELECT epoch FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC",
  latestCheckpoint:
    "SELECT epoch, sample_count, state FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1",
  checkpointList: `SELECT c.epoch, c.sample_count, c.created_at,
         (SELECT coalesce(sum(length(b.data)), 0) FROM checkpoint_blobs b
          WHERE b.run_id = c.run_id AND b.epoch = c.epoch) AS bytes
       FROM checkpoints c WHERE c.run_id = ? ORDER BY c.epoch DESC`,
  blobs: "SELECT name, data FROM checkpoint_blobs WHERE run_id = ? AND epoch = ? ORDER BY name",
  deleteBlobsAt: "DELETE FROM checkpoint_blobs WHERE run_id = ? AND epoch = ?",
  deleteCheckpointRow: "DELETE FROM checkpoints WHERE run_id = ? AND epoch = ?",
};

export function prepareStatements(db: Database.Database): Statements {
  return prepareAll(db, STORE_SQL);
}

const LOCK_SQL = {
  get: "SELECT * FROM run_locks WHERE run_id = ?",
  all: "SELECT * FROM run_locks",
  put: `INSERT INTO run_locks (run_id, token, pid, host, process_started_at, acquired_at)
       VALUES (@runId, @token, @pid, @host, @processStartedAt, @acquiredAt)
       ON CONFLICT(run_id) DO UPDATE SET token = excluded.token, pid = excluded.pid, host = excluded.host,
         process_started_at = excluded.process_started_at, acquired_at = excluded.acquired_at`,
  release: "DELETE FROM run_locks WHERE run_id = ? AND token = ?",
  releaseAll: "DELETE FROM run_locks WHERE token = ?",
};

/** Statements on run_locks; null for a store read at a schema before v3, which has no locks. */
export function prepareLockStatements(db: Database.Database): LockStatements | null {
  return hasTable(db, "run_locks") ? prepareAll(db, LOCK_SQL) : null;
}
