// From the red-team model's raw generations to test cases, shared by the attackers that generate: the
// sampling options of curio.yaml, the seed instruction's optional context, and the paper's cleaning.
import type { CurioConfig } from "../config/index.js";
import {
  type GenerateOptions,
  type Generation,
  instructionPrompt,
  type TextTokenizer,
} from "../models/index.js";
import { preprocessTestCase } from "../providers/index.js";
import { zeroShotPrompt } from "../rl/index.js";
import type { Proposal } from "./types.js";

export function generateOptions(config: CurioConfig): GenerateOptions {
  const gen = config.redteam.generation;
  return {
    maxNewTokens: gen.maxNewTokens,
    temperature: gen.temperature,
    topP: gen.topP,
    topK: gen.topK,
    stop: gen.stop,
  };
}

/** The seed instruction as a learning attacker is prompted with it: "<context>: <z>" when a context is set. */
export function withContext(z: string, config: CurioConfig): string {
  const ctx = config.redteam.seedPrompts.context;
  return ctx ? zeroShotPrompt(ctx, z) : z;
}

/** What the red-team model reads for each seed instruction: its chat template around it (redteam.chatTemplate). */
export function policyInputs(
  prompts: readonly string[],
  tokenizer: TextTokenizer,
  config: CurioConfig,
): number[][] {
  return prompts.map(
    (p) => instructionPrompt(tokenizer, p, { chatTemplate: config.redteam.chatTemplate }).ids,
  );
}

/** Cleans generations into a proposal: cut at EOS (and, for instructions, the first newline), trimmed. */
export function proposalOf(
  prompts: string[],
  generations: readonly Pick<Generation, "text" | "finishReason">[],
  opts: { eosText: string; task: CurioConfig["redteam"]["task"] },
): Proposal {
  return {
    prompts,
    testCases: generations.map((g) =>
      preprocessTestCase(g.text, { eos: [opts.eosText], cutAtNewline: opts.task === "instruction" }),
    ),
    finishReasons: generations.map((g) => g.finishReason),
  };
}
