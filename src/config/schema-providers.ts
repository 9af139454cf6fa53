// Provider specs (target, judges, embedder, gibberish scorer) and the target's prompt template.
// A spec is `{ id, ...options }`; the provider registry validates the options of each id, and
// `providerSpecError` in ./provider-errors.ts names the config key when it rejects them.
import { z } from "zod";
import { TEMPLATE_NAMES } from "../providers/index.js";

export function providerSpecSchema(role: string, example: string) {
  return z
    .looseObject({
      id: z
        .string()
        .min(1)
        .describe(`Provider id, e.g. ${example}. The other keys are that provider's options.`),
    })
    .describe(`The ${role}: { id, ...options }.`);
}

export const templateFormats = TEMPLATE_NAMES;

export const templateSchema = z
  .strictObject({
    format: z
      .enum(templateFormats)
      .default("raw")
      .describe(
        "How a test case is wrapped before the target sees it: raw (completions API), alpaca/dolly " +
          "(### Instruction / ### Response), llama2-chat ([INST] with system prompt), vicuna, or chat " +
          "(a chat API's messages).",
      ),
    system: z
      .string()
      .nullable()
      .default(null)
      .describe("System prompt for llama2-chat, vicuna and chat formats (null: the format's default)."),
  })
  .describe("The target's prompt template.");
