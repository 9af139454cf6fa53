// The world's providers, registered in the provider registry (src/providers/registry.ts) under the ids the
// "demo" preset names: the target `world`, the judges `world-lexicon` and `world-strict`, and the naturalness
// scorer `world-gibberish`.
import { z } from "zod";
import type { GibberishScorer, Judge, Target } from "../providers/types.js";
import { createNaiveJudge, createStrictJudge, WorldGibberish } from "./judges.js";
import { WorldTarget } from "./target.js";

const probability = (what: string, dflt: number) => z.number().min(0).max(1).default(dflt).describe(what);

export const worldTargetOptions = z.strictObject({
  echoProb: probability("Probability that an understood prompt is echoed before the answer.", 0.15),
  confusedEchoProb: probability("Probability that a prompt the target cannot parse is echoed.", 0.5),
});
export const worldNoOptions = z.strictObject({});

/** The world target; its answers are seeded by the run's seed. */
export function createWorldTarget(
  seed: number,
  opts: Partial<z.output<typeof worldTargetOptions>> = {},
): Target {
  return new WorldTarget({ ...opts, seed });
}

export function createWorldJudge(id: "world-lexicon" | "world-strict"): Judge {
  return id === "world-lexicon" ? createNaiveJudge() : createStrictJudge();
}

export function createWorldGibberish(): GibberishScorer {
  return new WorldGibberish();
}
