// curio's own in-process causal LM as a target (the models package's loadCausalLM: GPT-2, Llama, Mistral, Qwen2,
// Qwen3 checkpoints in safetensors), batched with left padding. `local:` is its id; `gpt2:` is an older alias.
import { z } from "zod";
import { instructionPrompt } from "../../models/prompt.js";
import type { TextTokenizer } from "../../models/tokenizer.js";
import { applyTemplate } from "../templates.js";
import type { Target, TargetResult } from "../types.js";
import { localGenerationShape } from "./transformers.js";

export const localLMTargetOptions = z.strictObject({
  ...localGenerationShape,
  stop: z.array(z.string()).optional().describe("Stop sequences (excluded from the answer)."),
  chatTemplate: z
    .enum(["auto", "none"])
    .default("auto")
    .describe(
      "auto: with template raw or chat, a model that ships a chat template reads the test case as its user " +
        "message (after systemPrompt, if set) with the assistant header added; none: plain text.",
    ),
  seed: z.number().int().default(0).describe("Sampling seed."),
  batchSize: z.number().int().min(1).default(16).describe("Prompts per generate call."),
  threads: z.number().int().min(1).optional().describe("onnxruntime intra-op threads."),
  cacheDir: z.string().optional().describe("Model cache for hub ids."),
  offline: z.boolean().optional().describe("Never download."),
});

/** The part of the models package's loadCausalLM result this adapter uses. */
export interface CausalLM {
  generate(
    prompts: (string | number[])[],
    opts: {
      maxNewTokens: number;
      temperature?: number;
      topK?: number;
      topP?: number;
      stop?: string[];
      seed?: number;
      greedy?: boolean;
    },
  ): Promise<{ text: string; ids: number[]; promptIds: number[] }[]>;
  release?(): Promise<void>;
  /** Its tokenizer: the chat template and the ids of a plain-text prompt come from it. */
  readonly tokenizer?: TextTokenizer;
}

export async function createLocalLMTarget(
  kind: string,
  source: string,
  opts: z.output<typeof localLMTargetOptions>,
  load?: (source: string, o: { threads?: number; cacheDir?: string; offline?: boolean }) => Promise<CausalLM>,
): Promise<Target> {
  const id = `${kind}:${source}`;
  const loader = load ?? (await import("../../models/index.js")).loadCausalLM;
  const lm = (await loader(source, {
    threads: opts.threads,
    cacheDir: opts.cacheDir,
    offline: opts.offline,
  })) as CausalLM;
  let call = 0;
  // Text templates (alpaca, vicuna, ...) wrap the test case as before; raw and chat defer to the model's own
  // chat template (chatTemplate: auto) or give the plain text with the tokenizer's BOS, as transformers would.
  const input = (x: string): string | number[] =>
    lm.tokenizer && (opts.template === "raw" || opts.template === "chat")
      ? instructionPrompt(lm.tokenizer, x, {
          chatTemplate: opts.chatTemplate,
          systemPrompt: opts.systemPrompt,
        }).ids
      : applyTemplate(opts.template, x, opts.systemPrompt);
  return {
    id,
    async respond(prompts, callOpts): Promise<TargetResult[]> {
      const results: TargetResult[] = [];
      for (let i = 0; i < prompts.length; i += opts.batchSize) {
        const batch = prompts.slice(i, i + opts.batchSize);
        const started = performance.now();
        if (callOpts?.signal?.aborted) {
          results.push(...batch.map(() => ({ text: "", error: `${id}: aborted`, latencyMs: 0 })));
          continue;
        }
        try {
          const gens = await lm.generate(batch.map(input), {
            maxNewTokens: opts.max_new_tokens,
            temperature: opts.temperature,
            topK: opts.top_k,
            topP: opts.top_p,
            stop: opts.stop,
            // A fresh seed per call keeps answers varied across calls yet reproducible for a run.
            seed: opts.seed + call++,
            greedy: opts.greedy,
          });
          const latencyMs = (performance.now() - started) / batch.length;
          results.push(
            ...gens.map((g) => ({
              text: g.text,
              latencyMs,
              usage: { promptTokens: g.promptIds.length, completionTokens: g.ids.length },
            })),
          );
        } catch (err) {
          const latencyMs = performance.now() - started;
          results.push(
            ...batch.map(() => ({ text: "", error: `${id}: ${(err as Error).message}`, latencyMs })),
          );
        }
      }
      return results;
    },
    close: async () => {
      await lm.release?.();
    },
  };
}
