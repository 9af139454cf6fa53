// `attack:` of method gfn in curio.yaml (the schema only: the registry reads it without loading model code).
// Defaults are the authors' code's (Lee et al. 2025) unless a comment says why not.
import { z } from "zod";
import { activeAttacksOptions } from "../active/options.js";

const schedule = (what: string, start: number, end: number, horizon: number) =>
  z
    .strictObject({
      start: z.number().positive().default(start).describe(`${what} at the start of the run.`),
      end: z.number().positive().default(end).describe(`${what} from the end of the horizon on.`),
      horizon: z
        .number()
        .min(0)
        .max(1)
        .default(horizon)
        .describe("Share of the run's epochs over which it moves linearly from start to end."),
    })
    .prefault({});

export const gfnOptions = z
  .strictObject({
    beta: z
      .number()
      .positive()
      .default(0.1)
      .describe("Temperature of the judge term: log R = (log r(x) / beta + log p_ref(x|z) / gamma) / T."),
    gamma: schedule("gamma, the temperature of the reference likelihood term", 1, 1, 0.4).describe(
      "gamma: a larger value weighs fluency (the reference model's likelihood) less.",
    ),
    temperature: schedule("T, the temperature of the whole log reward", 2, 1, 0.1).describe(
      "T: annealed from 2 to 1 over the first 10% of the run (a flatter target early on).",
    ),
    scoreFloor: z
      .number()
      .gt(0)
      .lt(1)
      .default(1e-3)
      .describe("Judge scores below this count as this in log r(x) (lexicon judges give exact zeros)."),
    minLength: z
      .number()
      .int()
      .min(0)
      .default(5)
      .describe(
        "Test cases of fewer tokens get log p_ref = shortPenalty (no collapse onto near-empty strings).",
      ),
    shortPenalty: z.number().max(0).default(-500).describe("log p_ref of a too-short test case."),
    lr: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe("AdamW learning rate of the attacker (null: ppo.lr, which the presets size to the model)."),
    logZLr: z
      .number()
      .positive()
      .default(0.01)
      .describe("Learning rate of the log Z head (GFlowNet practice: larger than the policy's)."),
    maxGradNorm: z.number().positive().default(1).describe("Global gradient-norm clip."),
    replay: z
      .strictObject({
        capacity: z.number().int().positive().default(1000).describe("Test cases kept."),
        tolerance: z
          .number()
          .min(0)
          .max(1)
          .default(0.25)
          .describe(
            "Near repeats (token edit distance < tolerance x the two lengths) keep only the higher-ranked case; 0: exact repeats only.",
          ),
        rankBy: z
          .enum(["score", "reward"])
          .default("score")
          .describe("Rank (and evict, and sample) by the judge's log score, or by the whole log reward."),
        sampling: z
          .enum(["priority", "uniform"])
          .default("priority")
          .describe("priority: in proportion to exp(rank); uniform: any stored case alike."),
        steps: z
          .number()
          .int()
          .min(0)
          .default(1)
          .describe(
            "Optimiser steps on replayed cases per epoch, after the one on the fresh cases (1: the authors' even mix); they cost no target queries.",
          ),
      })
      .prefault({})
      .describe("The replay buffer of high-reward test cases."),
    exploration: z
      .strictObject({
        probability: z
          .number()
          .min(0)
          .max(1)
          .default(0.5)
          .describe("Share of generation chunks sampled at a random temperature."),
        low: z.number().positive().default(0.5).describe("Lowest exploration temperature."),
        high: z.number().positive().default(2).describe("Highest exploration temperature."),
      })
      .prefault({})
      .describe("Off-policy exploration (trajectory balance holds for any sampler)."),
    mle: z
      .strictObject({
        epochs: z
          .number()
          .int()
          .min(0)
          .default(0)
          .describe(
            "The run's last `epochs` epochs sample from the MLE-smoothed attacker (0: no smoothing stage); they count in ppo.epochs.",
          ),
        steps: z.number().int().positive().default(200).describe("MLE optimiser steps (the authors: 200)."),
        lr: z
          .number()
          .positive()
          .nullable()
          .default(null)
          .describe("MLE learning rate (null: the attacker's)."),
        batchSize: z.number().int().positive().default(32).describe("Examples per MLE step."),
        capacity: z
          .number()
          .int()
          .positive()
          .default(10000)
          .describe("Distinct successful test cases kept for the smoothing set (the best scores)."),
      })
      .prefault({})
      .describe(
        "MLE smoothing: the initial attacker fine-tuned by maximum likelihood on the successful test cases GFlowNet found.",
      ),
    active: activeAttacksOptions.nullable().default(null),
  })
  .describe("GFlowNet fine-tuning of the attacker (Lee et al. 2025).");

export type GfnOptions = z.output<typeof gfnOptions>;
