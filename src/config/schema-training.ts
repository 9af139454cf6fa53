// Reward composition and PPO hyper-parameters (defaults: the CRT paper's code, see crt-spec).
import { z } from "zod";

export const rewardsSchema = z
  .strictObject({
    toxicity: z.number().default(1).describe("Coefficient of R(y), the training judge's unsafe score."),
    selfBleu: z
      .number()
      .default(-1)
      .describe(
        "Coefficient of the SelfBLEU novelty term (BLEU of x against history; negative rewards novelty).",
      ),
    cosine: z
      .number()
      .default(-1)
      .describe("Coefficient of the mean cosine similarity of x to history (negative rewards novelty)."),
    gibberish: z
      .number()
      .default(1)
      .describe("Coefficient of -(1 - P_clean(x)) from the gibberish scorer (instruction tasks only)."),
    tdiv: z
      .number()
      .default(0)
      .describe(
        "Coefficient of the batch target-response similarity mean_j exp(-L1(e_i,e_j)/100) (-5 for rl-tdiv).",
      ),
    naturalness: z
      .number()
      .min(0)
      .default(0)
      .describe(
        "Coefficient of N(x), the reference model's mean per-token log-likelihood of x (<= 0; catches real-word salad).",
      ),
    entropy: z
      .number()
      .min(0)
      .default(0.01)
      .describe("lambda_E: per-token bonus -logp of the sampled token (0.001 in the LLaMA-2 setting)."),
    klBeta: z
      .number()
      .min(0)
      .default(0.001)
      .describe(
        "beta: per-token KL penalty to the reference policy (initial value when kl.type is adaptive).",
      ),
    clip: z.number().positive().default(10).describe("The sequence score is clipped to [-clip, clip]."),
    noveltyHistory: z
      .enum(["all", "findings"])
      .default("all")
      .describe(
        "What SelfBLEU and cosine novelty compare against: all earlier test cases (paper), or only the findings (judge >= thresholds.success).",
      ),
    noveltyGate: z
      .enum(["none", "judge"])
      .default("none")
      .describe(
        "none: the novelty terms are added as they are (paper); judge: they are multiplied by R(y), so only unsafe answers are rewarded for being new.",
      ),
    cosineKnn: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe(
        "null: mean cosine over all history (paper); k: mean over the k most similar (DiveR-CT, 16).",
      ),
    quirks: z
      .strictObject({
        eosInNoveltyText: z
          .boolean()
          .default(true)
          .describe("Append the EOS string to the novelty text when generation stopped (official code)."),
        zeroRewardShortGenerations: z
          .boolean()
          .default(true)
          .describe(
            "Zero the reward of generations of <= 2 tokens and drop their KL/entropy (official code).",
          ),
      })
      .prefault({})
      .describe("Behaviours of the official code kept switchable."),
  })
  .describe("Reward: s = clip(sum of coefficient * term), plus per-token KL and entropy terms.");

export const ppoSchema = z
  .strictObject({
    epochs: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe("PPO epochs (each collects numRollouts samples)."),
    numRollouts: z.number().int().positive().default(128).describe("Test cases generated per epoch."),
    batchSize: z.number().int().positive().default(64).describe("PPO minibatch size."),
    microBatchSize: z
      .number()
      .int()
      .positive()
      .nullable()
      .default(null)
      .describe(
        "Rows per training-graph run: each minibatch runs in chunks of at most this many rows and their gradients are summed (exactly the whole minibatch's update, less activation memory). null: automatic, the whole minibatch unless its activations are large (e.g. Qwen2.5-0.5B at 64 x 64 tokens runs in chunks of 16).",
      ),
    ppoEpochs: z.number().int().positive().default(4).describe("Passes over each epoch's rollouts."),
    lr: z.number().positive().default(3e-5).describe("AdamW learning rate (constant)."),
    betas: z
      .tuple([z.number().min(0).lt(1), z.number().min(0).lt(1)])
      .default([0.9, 0.95])
      .describe("AdamW betas."),
    eps: z.number().positive().default(1e-8).describe("AdamW epsilon."),
    weightDecay: z.number().min(0).default(1e-6).describe("AdamW decoupled weight decay."),
    gamma: z.number().min(0).max(1).default(1).describe("GAE discount."),
    lam: z.number().min(0).max(1).default(0.95).describe("GAE lambda."),
    cliprange: z.number().positive().default(0.2).describe("Policy ratio clip."),
    cliprangeValue: z.number().positive().default(0.2).describe("Value clip."),
    vfCoef: z.number().min(0).default(1).describe("Value loss coefficient."),
    maxGradNorm: z
      .number()
      .positive()
      .nullable()
      .default(null)
      .describe("Clip the global gradient norm (null: no clipping, as trlx 0.7 defaults)."),
    kl: z
      .strictObject({
        type: z.enum(["fixed", "adaptive"]).default("fixed").describe("KL controller (fixed in the paper)."),
        target: z
          .number()
          .positive()
          .nullable()
          .default(null)
          .describe("Adaptive controller: target KL per sequence (required when adaptive)."),
        horizon: z
          .number()
          .int()
          .positive()
          .default(10000)
          .describe("Adaptive controller horizon (samples)."),
      })
      .prefault({})
      .describe("KL coefficient controller; the coefficient starts at rewards.klBeta."),
  })
  .describe("PPO hyper-parameters (trlx 0.7 semantics).");
