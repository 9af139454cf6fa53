// Local causal LM as a target through the transformers.js text-generation pipeline (any ONNX export in the
// Hugging Face layout: config.json, tokenizer files, onnx/model.onnx). One prompt per forward, in order.
import { z } from "zod";
import { hfOptionShape, openHfModel } from "../local/hf.js";
import { applyTemplate, TEMPLATE_NAMES } from "../templates.js";
import type { Target, TargetResult } from "../types.js";

export const localGenerationShape = {
  template: z.enum(TEMPLATE_NAMES).default("raw").describe("Prompt template wrapping each test case."),
  systemPrompt: z.string().optional().describe("System prompt for templates that have one."),
  max_new_tokens: z.number().int().positive().default(30).describe("New tokens per answer (the paper: 30)."),
  temperature: z.number().positive().default(1).describe("Sampling temperature."),
  top_k: z.number().int().min(0).default(0).describe("Top-k filter (0 = off)."),
  top_p: z.number().gt(0).max(1).default(1).describe("Nucleus filter (1 = off)."),
  greedy: z.boolean().default(false).describe("Greedy decoding instead of sampling."),
};

export const transformersTargetOptions = z.strictObject({ ...hfOptionShape, ...localGenerationShape });

interface TextGenerator {
  (text: string, opts: Record<string, unknown>): Promise<unknown>;
  dispose(): Promise<unknown>;
}

export async function createTransformersTarget(
  source: string,
  opts: z.output<typeof transformersTargetOptions>,
  env?: Record<string, string | undefined>,
): Promise<Target> {
  const id = `transformers:${source}`;
  const { folder, lib, loadOptions } = await openHfModel(source, opts, env);
  const generator = (await lib.pipeline("text-generation", folder, loadOptions)) as unknown as TextGenerator;
  const genOptions = {
    max_new_tokens: opts.max_new_tokens,
    do_sample: !opts.greedy,
    temperature: opts.temperature,
    top_k: opts.top_k,
    top_p: opts.top_p,
    return_full_text: false,
  };
  return {
    id,
    async respond(prompts, callOpts): Promise<TargetResult[]> {
      const results: TargetResult[] = [];
      for (const prompt of prompts) {
        const started = performance.now();
        if (callOpts?.signal?.aborted) {
          results.push({ text: "", error: `${id}: aborted`, latencyMs: 0 });
          continue;
        }
        try {
          const out = (await generator(
            applyTemplate(opts.template, prompt, opts.systemPrompt),
            genOptions,
          )) as {
            generated_text: string;
          }[];
          results.push({ text: out[0]?.generated_text ?? "", latencyMs: performance.now() - started });
        } catch (err) {
          results.push({
            text: "",
            error: `${id}: ${(err as Error).message}`,
            latencyMs: performance.now() - started,
          });
        }
      }
      return results;
    },
    close: async () => {
      await generator.dispose();
    },
  };
}
