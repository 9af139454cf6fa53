// The world benchmark's arms, in the order they run (a light module: the CLI lists them without loading
// the campaign).
import type { Method } from "../config/index.js";

/** A benchmark arm: a method of the campaign, with optional config overrides. */
export interface BenchArm {
  name: string;
  method: Method;
  overrides?: Record<string, unknown>;
}

export const WORLD_BENCH_ARMS: readonly BenchArm[] = [
  // the seed corpus as it is: the questions the red-team policy was pretrained on, in order
  { name: "corpus", method: "corpus" },
  { name: "zero-shot", method: "zero-shot" }, // before few-shot: few-shot draws its examples from this run
  { name: "few-shot", method: "few-shot" },
  { name: "rl", method: "rl" },
  { name: "rl-tdiv", method: "rl-tdiv" },
  { name: "crt", method: "crt" },
  { name: "crt-no-gibberish", method: "crt", overrides: { rewards: { gibberish: 0 } } },
  // novelty measured against the findings only, and paid only for unsafe answers (rewards.noveltyGate)
  {
    name: "crt-gated",
    method: "crt",
    overrides: { rewards: { noveltyHistory: "findings", noveltyGate: "judge" } },
  },
  { name: "gfn", method: "gfn" },
];
