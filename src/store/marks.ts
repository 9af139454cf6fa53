// Human marks on findings (confirmed / false positive), set in `curio view`. One row per (run, sample),
// keyed like the samples but not bound to them by a foreign key: a resume rolls samples back and writes
// them again identically, and the mark must survive that. The fingerprint (test case + answer) tells a
// reader when the text under a mark is no longer the text that was marked.
import { createHash } from "node:crypto";
import type Database from "better-sqlite3";
import type { HumanMark, HumanVerdict } from "./types.js";

export const HUMAN_VERDICTS: readonly HumanVerdict[] = ["confirmed", "false-positive"];
export const MAX_NOTE_CHARS = 2000;

export function markFingerprint(testCase: string, response: string): string {
  return createHash("sha256").update(testCase).update("\0").update(response).digest("hex").slice(0, 16);
}

interface MarkRow {
  run_id: string;
  idx: number;
  verdict: string;
  note: string;
  marked_at: string;
  fingerprint: string;
}

const toMark = (r: MarkRow): HumanMark => ({
  runId: r.run_id,
  index: r.idx,
  verdict: r.verdict as HumanVerdict,
  note: r.note,
  markedAt: r.marked_at,
  fingerprint: r.fingerprint,
});

/** The store's mark queries; a store from before marks existed (opened read-only) reads as having none. */
export function markQueries(db: Database.Database) {
  let statements: ReturnType<typeof prepare> | null = null;
  const prepare = () => ({
    upsert: db.prepare(
      `INSERT INTO marks (run_id, idx, verdict, note, marked_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, idx) DO UPDATE SET verdict = excluded.verdict, note = excluded.note,
         marked_at = excluded.marked_at, fingerprint = excluded.fingerprint`,
    ),
    remove: db.prepare("DELETE FROM marks WHERE run_id = ? AND idx = ?"),
    ofRun: db.prepare("SELECT * FROM marks WHERE run_id = ? ORDER BY idx"),
    sample: db.prepare("SELECT test_case, response FROM samples WHERE run_id = ? AND idx = ?"),
  });
  const hasTable = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'marks'").get() !== undefined;
  const q = () => {
    statements ??= prepare();
    return statements;
  };
  return {
    list: (runId: string): HumanMark[] =>
      statements || hasTable() ? (q().ofRun.all(runId) as MarkRow[]).map(toMark) : [],
    sample: (runId: string, index: number) =>
      q().sample.get(runId, index) as { test_case: string; response: string } | undefined,
    upsert: (m: HumanMark) => q().upsert.run(m.runId, m.index, m.verdict, m.note, m.markedAt, m.fingerprint),
    remove: (runId: string, index: number) => q().remove.run(runId, index).changes > 0,
  };
}
