// loadCausalLM: the public, inference-only view of a checkpoint of any supported family (folder or hub id).
import type { DecoderConfig } from "./family.js";
import type { GenerateOptions, Generation } from "./generate.js";
import { DecoderPolicy } from "./policy.js";
import type { PolicyLoadOptions } from "./policy-types.js";
import type { TextTokenizer } from "./tokenizer.js";

export interface CausalLM {
  /** Logits [B,T,V] of rows of equal length. */
  logits(ids: number[][]): Promise<{ data: Float32Array; dims: number[] }>;
  /** Batched generation; uneven prompts are left-padded. */
  generate(prompts: (string | number[])[], opts: GenerateOptions): Promise<Generation[]>;
  release(): Promise<void>;
  readonly tokenizer: TextTokenizer;
  readonly config: DecoderConfig;
}

export interface CausalLMOptions {
  threads?: number;
  cacheDir?: string;
  offline?: boolean;
  /** A PEFT LoRA adapter folder, merged into the weights. */
  adapter?: string;
  /** How its sessions run (device, compiled-model cache), e.g. a campaign's ProviderContext.session. */
  session?: PolicyLoadOptions["session"];
}

export async function loadCausalLM(source: string, opts: CausalLMOptions = {}): Promise<CausalLM> {
  const policy = await DecoderPolicy.load(source, { ...opts, trainable: { kind: "none" } });
  return {
    logits: (ids) => policy.logits(ids),
    generate: (prompts, o) => policy.generate(prompts, o),
    release: () => policy.release(),
    tokenizer: policy.tokenizer,
    config: policy.config,
  };
}
