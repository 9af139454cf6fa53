// Conversions between store records and SQLite rows (JSON columns for nested data).
import type { EpochStats, RunInfo, RunStatus, SampleRecord } from "./types.js";

export interface SampleRow {
  run_id: string;
  idx: number;
  epoch: number;
  seed_prompt: string;
  test_case: string;
  target_input: string;
  response: string;
  judge_score: number | null;
  eval_judge_score: number | null;
  rewards: string | null;
  error: string | null;
  timings: string;
  meta: string;
}

export interface RunRow {
  id: string;
  name: string;
  created_at: string;
  status: string;
  seed: number;
  method: string;
  config: string;
  versions: string;
  /** Absent in stores before schema v4 (read as they are). */
  probe?: string | null;
}

/** NaN and infinities become null: a score that is not a number was not measured. */
function finiteOrNull(x: number | null | undefined): number | null {
  return typeof x === "number" && Number.isFinite(x) ? x : null;
}

export function sampleToRow(s: SampleRecord): SampleRow {
  return {
    run_id: s.runId,
    idx: s.index,
    epoch: s.epoch,
    seed_prompt: s.seedPrompt,
    test_case: s.testCase,
    target_input: s.targetInput,
    response: s.response,
    judge_score: finiteOrNull(s.judgeScore),
    eval_judge_score: finiteOrNull(s.evalJudgeScore),
    rewards: s.rewards ? JSON.stringify(s.rewards) : null,
    error: s.error ?? null,
    timings: JSON.stringify(s.timings ?? {}),
    meta: JSON.stringify(s.meta ?? {}),
  };
}

export function rowToSample(r: SampleRow): SampleRecord {
  return {
    runId: r.run_id,
    epoch: r.epoch,
    index: r.idx,
    seedPrompt: r.seed_prompt,
    testCase: r.test_case,
    targetInput: r.target_input,
    response: r.response,
    judgeScore: r.judge_score,
    evalJudgeScore: r.eval_judge_score,
    rewards: r.rewards === null ? null : JSON.parse(r.rewards),
    error: r.error,
    timings: JSON.parse(r.timings),
    meta: JSON.parse(r.meta),
  };
}

export function rowToRun(r: RunRow): RunInfo {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    status: r.status as RunStatus,
    seed: r.seed,
    config: JSON.parse(r.config),
    versions: JSON.parse(r.versions),
    method: r.method,
    probe: r.probe ? JSON.parse(r.probe) : null,
  };
}

export function epochFromJson(text: string): EpochStats {
  return JSON.parse(text) as EpochStats;
}
