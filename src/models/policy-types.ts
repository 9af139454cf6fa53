// The Policy interface that rl/, sft, the campaign and the local target depend on (no family appears in it),
// the inputs of its graph building blocks, and the options of loading one.
import type { Feed, Graph, OutputTensor, SessionOptions, Tensor, WeightMode } from "../engine/index.js";
import type { DecoderConfig } from "./family.js";
import type { GenerateOptions, Generation } from "./generate.js";
import type { TextTokenizer } from "./tokenizer.js";
import type { ParamEntry, Trainable } from "./trainable.js";

export interface PolicyLoadOptions {
  trainable?: Trainable;
  valueHead?: boolean;
  seed?: number;
  threads?: number;
  /** Hub cache folder and offline mode (see resolveModel). */
  cacheDir?: string;
  offline?: boolean;
  /** Keep a frozen copy of unfrozen weights for the reference policy (default true; sft needs none). */
  reference?: boolean;
  /** A PEFT LoRA adapter folder to start from (adapter_config.json + adapter_model.safetensors). */
  adapter?: string;
  /** How the policy's sessions run (device, compiled-model cache, ...); the trainers use the same. */
  session?: Omit<SessionOptions, "threads">;
  /**
   * Where the one-token decoding graph keeps the frozen weights. "initializers": onnxruntime prepacks them once
   * for that session, which holds one more copy of the weights (at most two decoding sessions are alive; their
   * cache slots grow to the longest generation so far); a decoding step of GPT-2 small at batch 64 takes 0.8x
   * the time of "inputs", which shares the one copy every other graph uses and repacks the matrices on every
   * step. "auto" (default): "initializers" while the frozen weights take at most 1 GiB (GPT-2 small,
   * SmolLM2-135M), "inputs" above: for Qwen2.5-0.5B prepacking saved 7% of a generation for 2.4 GB more.
   */
  decodeWeights?: WeightMode | "auto";
}
/** @deprecated use PolicyLoadOptions */
export type Gpt2LoadOptions = PolicyLoadOptions;

export interface HiddenInputs {
  ids: Tensor; // [B,T] int64
  attentionMask: Tensor; // [B,T] int64
  positionIds: Tensor; // [B,T] int64
  /** Scalar float input: 1 = policy, 0 = LoRA disabled (reference policy). */
  loraScale?: Tensor;
  /** Build the frozen initial model (the PPO reference): for full/top-k, the loaded weights. */
  reference?: boolean;
}

/** What the trainers, sft, the campaign and the local target need from a policy: no family appears here. */
export interface Policy {
  readonly config: DecoderConfig;
  readonly tokenizer: TextTokenizer;
  readonly trainable: Trainable;
  readonly hasValueHead: boolean;
  /** The options of the policy's sessions; graphs built from the policy run with the same (device, cache). */
  readonly sessionOptions: SessionOptions;
  /** Trainable tensors in a fixed order; mutating `data` changes the model. */
  params(): ParamEntry[];
  /** The last hidden state after the final norm, [B,T,d]. */
  hidden(g: Graph, inp: HiddenInputs): Tensor;
  /** LM head: [..., d] -> [..., V]. */
  lmHead(g: Graph, hidden: Tensor, opts?: { reference?: boolean }): Tensor;
  /** Value head: [..., d] -> [...]. */
  valueHead(g: Graph, hidden: Tensor): Tensor;
  /** The graph params of params(), in order. */
  paramTensors(g: Graph): Tensor[];
  runCached(
    key: string,
    build: () => Graph,
    feeds: Record<string, Feed>,
  ): Promise<Record<string, OutputTensor>>;
  generate(prompts: (string | number[])[], opts: GenerateOptions): Promise<Generation[]>;
  logits(ids: number[][]): Promise<{ data: Float32Array; dims: number[] }>;
  save(dir: string): Promise<void>;
  savePeftAdapter(dir: string): Promise<void>;
  saveCheckpoint(path: string, extra?: Record<string, Float32Array>): Promise<void>;
  loadCheckpoint(path: string): Promise<Record<string, Float32Array>>;
  release(): Promise<void>;
}
