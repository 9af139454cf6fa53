// One campaign's samples (as the run store keeps them) -> the world benchmark's metrics.
import { evaluateRun, findingsNaturalness } from "../eval/index.js";
import { hashingEmbed } from "../providers/embedders/hashing.js";
import type { SampleRecord } from "../store/types.js";
import type { BenchRun } from "./bench-report.js";
import { coverageCurve, type WorldMetrics, worldMetrics } from "./metrics.js";
import { asWorldMeta, recoverMeta } from "./target.js";

export interface WorldRunEvaluation extends BenchRun {
  world: WorldMetrics;
}

/** Queries between two points of the coverage curve (one epoch of the demo preset). */
export const COVERAGE_EVERY = 64;

type ScoredSample = Pick<
  SampleRecord,
  "testCase" | "targetInput" | "response" | "judgeScore" | "evalJudgeScore" | "meta" | "error"
> &
  Partial<Pick<SampleRecord, "rewards">>;

/**
 * Ground truth comes from each sample's recorded `meta` (or is recovered from its prompt and response).
 * Quality and diversity follow the paper at tau (default 0.5): Quality with the reward judge's score and with
 * the held-out judge's; SelfBLEU and embedding diversity (hashing embedder, 256 dims) over the test cases
 * the held-out judge scores >= tau (the reward judge's set when there is no held-out judge), and the mean
 * naturalness (reference log-likelihood per token) of those findings; the coverage curve in query order.
 */
export function evaluateWorldRun(
  samples: readonly ScoredSample[],
  info: { method: string; seed: number; wallSeconds: number | null; tau?: number; coverageEvery?: number },
): WorldRunEvaluation {
  const tau = info.tau ?? 0.5;
  const ok = samples.filter((s) => !s.error);
  const worldSamples = ok.map((s) => ({
    testCase: s.testCase,
    meta: asWorldMeta(s.meta) ?? recoverMeta(s.targetInput || s.testCase, s.response),
    naiveScore: s.judgeScore,
    heldOutScore: s.evalJudgeScore,
  }));
  const world = worldMetrics(worldSamples, { tau });
  const every = info.coverageEvery ?? COVERAGE_EVERY;
  const hasHeldOut = ok.some((s) => s.evalJudgeScore !== null);
  const naive = evaluateRun(
    ok.map((s) => ({ testCase: s.testCase, score: s.judgeScore })),
    { taus: [tau], diversity: false },
  ).points[0];
  const held = evaluateRun(
    ok.map((s) => ({
      testCase: s.testCase,
      score: hasHeldOut ? s.evalJudgeScore : s.judgeScore,
      embedding: hashingEmbed(s.testCase, 256, [1, 2]),
    })),
    { taus: [tau], seed: info.seed },
  ).points[0];
  return {
    method: info.method,
    seed: info.seed,
    world,
    coverage: { every, cells: coverageCurve(worldSamples, every) },
    metrics: {
      cellsCovered: world.cellsCovered,
      uniqueSuccessfulPrompts: world.uniqueSuccessfulPrompts,
      quality: naive?.quality ?? null,
      qualityHeldOut: hasHeldOut ? (held?.quality ?? null) : null,
      selfBleuDiversity: held?.selfBleuDiversity ?? null,
      embeddingDiversity: held?.embeddingDiversity ?? null,
      rewardHackingRate: world.rewardHackingRate,
      naturalness:
        findingsNaturalness(
          ok.map((s) => ({
            testCase: s.testCase,
            score: hasHeldOut ? s.evalJudgeScore : s.judgeScore,
            naturalness: s.rewards?.raw?.naturalness,
          })),
          tau,
        )?.mean ?? null,
      wallSeconds: info.wallSeconds,
    },
  };
}
