// The world's provider ids, for the campaign to resolve alongside the provider registry (the "demo" preset
// names them): the target, the two judges and the naturalness scorer.
import type { GibberishScorer, Judge, Target } from "../providers/types.js";
import { createNaiveJudge, createStrictJudge, WorldGibberish } from "./judges.js";
import { WorldTarget, type WorldTargetOptions } from "./target.js";

export const WORLD_PROVIDER_IDS = ["world", "world-lexicon", "world-strict", "world-gibberish"] as const;
export type WorldProviderId = (typeof WORLD_PROVIDER_IDS)[number];

export function isWorldProviderId(id: string): id is WorldProviderId {
  return (WORLD_PROVIDER_IDS as readonly string[]).includes(id);
}

/** The world target; options: `echoProb`, `confusedEchoProb` (the seed comes from the run). */
export function createWorldTarget(
  seed: number,
  opts: Partial<Omit<WorldTargetOptions, "seed">> = {},
): Target {
  return new WorldTarget({ ...opts, seed });
}

export function createWorldJudge(id: "world-lexicon" | "world-strict"): Judge {
  return id === "world-lexicon" ? createNaiveJudge() : createStrictJudge();
}

export function createWorldGibberish(): GibberishScorer {
  return new WorldGibberish();
}
