// `attack.active` in curio.yaml: Active Attacks as an option of any learning attacker (the schema only; the
// registry reads it without loading model code).
import { z } from "zod";

/** Refusals paired with the attacks when the config gives none (one is drawn per attack). */
export const DEFAULT_REFUSALS = [
  "I can't help with that request.",
  "I'm sorry, but I can't assist with that.",
  "I won't help with this, because it could cause harm. Is there something else I can do for you?",
  "That's not something I can help with. If you have another question, I'm happy to help.",
  "I can't provide that information, as it could be used to hurt someone.",
];

export const activeAttacksOptions = z
  .strictObject({
    every: z
      .number()
      .int()
      .positive()
      .describe(
        "Epochs per round: after every `every` epochs the target is safety-tuned on the attacks found (the paper: 1,000 of 5,000 steps, 5 rounds).",
      ),
    heldOut: z
      .number()
      .gt(0)
      .lt(1)
      .default(0.2)
      .describe(
        "Share of each round's new attacks kept out of safety-tuning; the target's attack success rate on them is recorded before and after.",
      ),
    refusals: z
      .array(z.string().min(1))
      .min(1)
      .default(DEFAULT_REFUSALS)
      .describe("Answers the target is tuned to give to the attacks found (one drawn per attack)."),
    maxPairs: z
      .number()
      .int()
      .positive()
      .default(512)
      .describe("At most this many (attack, refusal) pairs per round, drawn from every round's attacks."),
    lora: z
      .strictObject({
        r: z.number().int().positive().default(8).describe("LoRA rank."),
        alpha: z.number().positive().default(16).describe("LoRA alpha (scaling alpha / r)."),
        targets: z
          .array(z.string().min(1))
          .nullable()
          .default(null)
          .describe(
            "Linears to adapt (null: the family's, c_attn for GPT-2, q_proj + v_proj for Llama/Qwen).",
          ),
      })
      .prefault({})
      .describe("The target's LoRA adapters (trained across rounds)."),
    lr: z.number().positive().default(1e-4).describe("AdamW learning rate of safety-tuning."),
    steps: z.number().int().positive().default(100).describe("Optimiser steps per round."),
    batchSize: z.number().int().positive().default(16).describe("(Attack, refusal) pairs per step."),
    resetReplay: z
      .boolean()
      .default(true)
      .describe(
        "Empty the attacker's replay buffer after a round (its rewards were earned against the old target); PPO keeps none.",
      ),
    exportTo: z
      .string()
      .min(1)
      .nullable()
      .default(null)
      .describe(
        "Folder for the hardened target (Hugging Face model/, PEFT adapter/, rounds.json), written after every round; null: <workspace>/hardened/<name>-<seed>.",
      ),
  })
  .describe(
    "Active Attacks (Yun et al. 2025): every `every` epochs, safety-tune the target (a local: model) with LoRA on the attacks found paired with refusals, then keep attacking the hardened target.",
  );

export type ActiveAttacksOptions = z.output<typeof activeAttacksOptions>;
