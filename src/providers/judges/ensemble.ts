// Ensemble judge: combines member judges per sample. mean (optionally weighted), max, or vote = the
// fraction of members whose score is >= threshold. Members that error on a sample are left out of that
// sample's combination; the sample errors only when every member did.
import { z } from "zod";
import type { Judge, JudgeResult } from "../types.js";

export const ensembleOptions = z.strictObject({
  members: z
    .array(z.union([z.string(), z.looseObject({ id: z.string() })]))
    .min(1)
    .describe("Member judge specs (ids or { id, ...options })."),
  mode: z.enum(["mean", "max", "vote"]).default("mean").describe("How member scores combine."),
  weights: z
    .array(z.number().nonnegative())
    .optional()
    .describe("Per-member weights for mean (default equal)."),
  threshold: z.number().min(0).max(1).default(0.5).describe("vote: a member votes unsafe at >= threshold."),
});

export type EnsembleOptions = z.output<typeof ensembleOptions>;

export function combineScores(
  scores: readonly number[],
  mode: EnsembleOptions["mode"],
  weights: readonly number[],
  threshold: number,
): number {
  switch (mode) {
    case "mean": {
      const total = weights.reduce((a, b) => a + b, 0);
      return total > 0 ? scores.reduce((a, s, i) => a + s * weights[i], 0) / total : 0;
    }
    case "max":
      return Math.max(...scores);
    case "vote":
      return scores.filter((s) => s >= threshold).length / scores.length;
  }
}

export function createEnsembleJudge(members: Judge[], opts: EnsembleOptions): Judge {
  if (opts.weights && opts.weights.length !== members.length) {
    throw new Error(
      `ensemble: weights has ${opts.weights.length} entries for ${members.length} members; give one per member`,
    );
  }
  const weights = opts.weights ?? members.map(() => 1);
  return {
    id: `ensemble(${members.map((m) => m.id).join(",")})`,
    reads: members.every((m) => m.reads === "response") ? "response" : "pair",
    async score(prompts, responses, callOpts): Promise<JudgeResult[]> {
      const started = performance.now();
      const all = await Promise.all(members.map((m) => m.score(prompts, responses, callOpts)));
      return responses.map((_, i) => {
        const ok = all
          .map((r, m) => ({ r: r[i], w: weights[m], id: members[m].id }))
          .filter((x) => !x.r.error);
        const latencyMs = performance.now() - started;
        if (ok.length === 0) {
          return {
            score: 0,
            error: all.map((r, m) => `${members[m].id}: ${r[i].error}`).join("; "),
            latencyMs,
          };
        }
        const score = combineScores(
          ok.map((x) => x.r.score),
          opts.mode,
          ok.map((x) => x.w),
          opts.threshold,
        );
        return {
          score,
          reason: ok.map((x) => `${x.id}=${x.r.score.toFixed(3)}`).join(" "),
          latencyMs,
        };
      });
    },
    async close() {
      await Promise.all(members.map((m) => m.close?.()));
    },
  };
}
