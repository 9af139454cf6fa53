// The one place an instruction becomes what a causal LM reads: wrapped in the model's chat template (an
// instruction-tuned attacker or target) or given as plain text.
import type { TextTokenizer } from "./tokenizer.js";

/** auto: the model's chat template when it has one, else plain text; none: always plain text. */
export type ChatTemplateMode = "auto" | "none";

export interface InstructionPromptOptions {
  chatTemplate?: ChatTemplateMode;
  /** A system message before the instruction (chat template only). */
  systemPrompt?: string;
  /** The time the template's strftime_now reads; default: now. */
  now?: Date;
}

export interface InstructionPrompt {
  text: string;
  ids: number[];
  /** True when the chat template wrapped the instruction. */
  templated: boolean;
}

/**
 * With a chat template the instruction is the user message and the assistant header follows, tokenized as
 * transformers' apply_chat_template(..., add_generation_prompt=True, tokenize=True) does (the template writes
 * BOS itself). As plain text it is tokenized as transformers' tokenizer(text): with the tokenizer's BOS, if any.
 */
export function instructionPrompt(
  tokenizer: TextTokenizer,
  instruction: string,
  opts: InstructionPromptOptions = {},
): InstructionPrompt {
  const template = (opts.chatTemplate ?? "auto") === "auto" ? tokenizer.chatTemplate : null;
  if (!template) {
    return {
      text: instruction,
      ids: tokenizer.encode(instruction, { addSpecialTokens: true }),
      templated: false,
    };
  }
  const messages = [
    ...(opts.systemPrompt ? [{ role: "system", content: opts.systemPrompt }] : []),
    { role: "user", content: instruction },
  ];
  const text = template.render(messages, { addGenerationPrompt: true, now: opts.now });
  return { text, ids: tokenizer.encode(text), templated: true };
}
