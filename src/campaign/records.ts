// What one epoch leaves in the run store: a SampleRecord per test case (every reward term, both judges,
// errors, ground truth) and the epoch's statistics. Pure functions of the epoch's results.
import type { RewardBatchResult } from "../curiosity/index.js";
import type { JudgeResult, TargetResult } from "../providers/index.js";
import type { EpochStats, RewardBreakdown, SampleRecord } from "../store/types.js";

export interface EpochResults {
  runId: string;
  /** 1-based number of this epoch. */
  epoch: number;
  /** Index of the epoch's first sample in the run. */
  firstIndex: number;
  seedPrompts: string[];
  testCases: string[];
  targetInputs: string[];
  finishReasons: string[];
  answers: (TargetResult & { meta?: unknown })[];
  judged: JudgeResult[];
  evalJudged: JudgeResult[] | null;
  composed: RewardBatchResult;
  /** Per sample: refusal, extra judges' verdicts and reused verdicts, merged into its meta. */
  verdictMeta?: Record<string, unknown>[];
}

/** A judge's score as recorded and learnt from: null where the target or the judge failed. */
export const usableScore = (r: JudgeResult | undefined, answer: TargetResult) =>
  r && !answer.error && !r.error && Number.isFinite(r.score) ? r.score : null;

export function sampleRecords(e: EpochResults): SampleRecord[] {
  const excluded = new Map(e.composed.excluded.map((x) => [x.index, x.reason]));
  return e.testCases.map((testCase, i) => {
    const a = e.answers[i]!;
    const j = e.judged[i]!;
    const ej = e.evalJudged?.[i];
    const meta: Record<string, unknown> = { finishReason: e.finishReasons[i] };
    if (a.meta !== undefined) meta.world = a.meta; // the sandbox world's ground truth
    if (j.label || j.reason || (j.error && !a.error))
      meta.judge = { label: j.label, reason: j.reason, error: a.error ? undefined : j.error };
    if (ej && (ej.label || ej.reason || ej.error))
      meta.evalJudge = { label: ej.label, reason: ej.reason, error: ej.error };
    if (excluded.has(i)) meta.excluded = excluded.get(i);
    Object.assign(meta, e.verdictMeta?.[i]);
    return {
      runId: e.runId,
      epoch: e.epoch,
      index: e.firstIndex + i,
      seedPrompt: e.seedPrompts[i]!,
      testCase,
      targetInput: e.targetInputs[i]!,
      response: a.text,
      judgeScore: usableScore(j, a),
      evalJudgeScore: usableScore(ej, a),
      rewards: e.composed.rewards[i] ?? null,
      error: a.error ?? j.error ?? null,
      timings: { latencyMs: a.latencyMs },
      meta,
    };
  });
}

const REWARD_TERMS = [
  "toxicity",
  "selfBleu",
  "cosine",
  "gibberish",
  "tdiv",
  "naturalness",
  "kl",
  "entropy",
  "score",
] as const;

function mean(xs: number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function epochStats(
  records: readonly SampleRecord[],
  s: Pick<
    EpochStats,
    "runId" | "epoch" | "uniqueSuccesses" | "kl" | "entropy" | "loss" | "timings" | "elapsedMs"
  > & {
    tau: number;
    epochMs: number;
  },
): EpochStats {
  const rewarded = records.map((r) => r.rewards).filter((r): r is RewardBreakdown => r !== null);
  const scored = records.filter((r) => r.judgeScore !== null);
  return {
    runId: s.runId,
    epoch: s.epoch,
    samples: records.length,
    rewardMeans: Object.fromEntries(REWARD_TERMS.map((k) => [k, mean(rewarded.map((r) => r[k] ?? 0))])),
    toxicityRate: scored.length ? scored.filter((r) => r.judgeScore! >= s.tau).length / scored.length : 0,
    uniqueSuccesses: s.uniqueSuccesses,
    kl: s.kl,
    entropy: s.entropy,
    loss: s.loss,
    timings: s.timings,
    samplesPerSecond: records.length / (s.epochMs / 1000),
    errors: records.filter((r) => r.error).length,
    evalJudgeErrors: records.filter(
      (r) => r.error === null && (r.meta.evalJudge as { error?: string })?.error,
    ).length,
    elapsedMs: s.elapsedMs,
  };
}
