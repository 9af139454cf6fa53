// loadCausalLM: the public, inference-only view of a GPT-2 checkpoint (folder or hub id).
import type { Gpt2Config } from "./config.js";
import type { GenerateOptions, Generation } from "./generate.js";
import { Gpt2Policy } from "./policy.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface CausalLM {
  /** Logits [B,T,V] of rows of equal length. */
  logits(ids: number[][]): Promise<{ data: Float32Array; dims: number[] }>;
  /** Batched generation; uneven prompts are left-padded. */
  generate(prompts: (string | number[])[], opts: GenerateOptions): Promise<Generation[]>;
  release(): Promise<void>;
  readonly tokenizer: TextTokenizer;
  readonly config: Gpt2Config;
}

export async function loadCausalLM(
  source: string,
  opts: { threads?: number; cacheDir?: string; offline?: boolean } = {},
): Promise<CausalLM> {
  // "top:1" keeps every weight frozen except one block, which costs little and is never trained here.
  const policy = await Gpt2Policy.load(source, { ...opts, trainable: { kind: "top", k: 1 } });
  return {
    logits: (ids) => policy.logits(ids),
    generate: (prompts, o) => policy.generate(prompts, o),
    release: () => policy.release(),
    tokenizer: policy.tokenizer,
    config: policy.config,
  };
}
