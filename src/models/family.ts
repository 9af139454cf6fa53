// The model-family layer: a normalised decoder config that every supported checkpoint maps to, and the
// ModelFamily interface a family file implements (config.json both ways, Hugging Face weight names and shapes,
// the forward graph, the linears LoRA may target, which block a weight belongs to).
import type { Graph, Tensor } from "../engine/index.js";

export type RopeScaling =
  | { type: "linear"; factor: number }
  | {
      type: "llama3";
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositions: number;
    };

export type Positions = { kind: "learned" } | { kind: "rope"; theta: number; scaling?: RopeScaling };

/** One decoder-only transformer, whatever family it comes from. */
export interface DecoderConfig {
  /** config.json's model_type: the key of the family registry. */
  modelType: string;
  vocabSize: number;
  maxPositions: number;
  layers: number;
  /** Hidden size d. */
  width: number;
  heads: number;
  /** Key/value heads (grouped-query attention when < heads). */
  kvHeads: number;
  headDim: number;
  /** MLP inner size. */
  mlpWidth: number;
  /** gelu_new: fc -> gelu -> proj (GPT-2). silu: SwiGLU, down(silu(gate) * up) (Llama, Qwen). */
  activation: "gelu_new" | "silu";
  norm: { kind: "layer" | "rms"; eps: number };
  positions: Positions;
  /** LM head = the token embedding (no separate lm_head weight). */
  tiedHead: boolean;
  /** Which projections have biases: q/k/v, the attention output, the MLP. */
  bias: { qkv: boolean; o: boolean; mlp: boolean };
  /** Per-head RMSNorm of queries and keys before RoPE (Qwen3). */
  qkNorm: boolean;
  bosTokenId: number;
  /** Generation stops on any of these (generation_config.json may list several, as Qwen's does). */
  eosTokenIds: number[];
  padTokenId?: number;
}

/** Where a named tensor comes from: a frozen weight or a trainable graph param (the policy decides). */
export interface LeafSource {
  leaf(g: Graph, name: string): Tensor;
  /** LoRA factors of a linear layer (module name, e.g. "model.layers.0.self_attn.q_proj"), if adapted. */
  lora(g: Graph, module: string): { A: Tensor; B: Tensor; scaling: number } | undefined;
}

export interface ForwardInputs {
  ids: Tensor; // [B,T] int64
  positionIds: Tensor; // [B,T] int64, every value < the number of key slots (past + T)
  /** Additive attention bias [B,1,T,S] (0 = attend, large negative = masked), S = past + T. */
  bias: Tensor;
  loraScale?: Tensor; // [1]
  /** Cached keys/values per layer, each [B,KV,P,hd]; the bias then covers P + T keys. */
  past?: { k: Tensor; v: Tensor }[];
}

export interface ForwardResult {
  hidden: Tensor; // [B*T, d] after the final norm
  present: { k: Tensor; v: Tensor }[]; // per layer, this call's keys/values [B,KV,T,hd] (keys after RoPE)
}

/** A linear layer LoRA may adapt. */
export interface LinearSpec {
  /** Module name; its weight is `${module}.weight`. */
  module: string;
  inF: number;
  outF: number;
  /** How the weight is stored: [out,in] (torch.nn.Linear) or [in,out] (GPT-2's Conv1D). */
  layout: "out_in" | "in_out";
}

export interface ModelFamily {
  readonly modelType: string;
  /** What the family covers, for error messages and docs. */
  readonly description: string;
  /** Validates a parsed config.json; `file` names the source in errors. */
  parseConfig(raw: Record<string, unknown>, file: string): DecoderConfig;
  /** The config.json that save() writes: loadable by curio and by transformers' from_pretrained. */
  configJson(cfg: DecoderConfig): Record<string, unknown>;
  /** Every weight with its shape (canonical names), in the order save() writes them. */
  weightShapes(cfg: DecoderConfig): Map<string, number[]>;
  /** A checkpoint's tensor name -> canonical name; null for buffers to ignore; undefined when unknown. */
  canonicalName(fileName: string): string | null | undefined;
  /** Canonical name -> the name transformers' save_pretrained writes. */
  hfName(name: string): string;
  /** The transformer body; returns the final hidden state and each layer's new keys/values. */
  forward(g: Graph, cfg: DecoderConfig, src: LeafSource, inp: ForwardInputs): ForwardResult;
  /** The [V,d] matrix of the LM head (the embedding when tied). */
  headWeight(cfg: DecoderConfig): string;
  /** The linear layers of block i. */
  linears(cfg: DecoderConfig, block: number): LinearSpec[];
  /** LoRA targets when the config names none (peft's defaults for the family). */
  readonly defaultLoraTargets: readonly string[];
  /** The block index a weight belongs to; undefined for embeddings, the final norm and the head. */
  blockOf(name: string): number | undefined;
  /** The final norm's weights (trained with the top-K blocks). */
  finalNorm: readonly string[];
  /** Random initialisation of one weight (transformers' _init_weights): a normal std, or a constant. */
  init(name: string, cfg: DecoderConfig): { std: number } | { fill: number };
  /** The PEFT module prefix of the base model, e.g. "base_model.model.model.layers.0..." (see peft.ts). */
  peftName(module: string): string;
  /** peft's fan_in_fan_out flag: true when the adapted weights are stored [in,out]. */
  readonly fanInFanOut: boolean;
}

// ---------------------------------------------------------------- config.json helpers shared by family files
export function configReader(raw: Record<string, unknown>, file: string) {
  const fail = (msg: string): never => {
    throw new Error(`${file}: ${msg}`);
  };
  const int = (key: string, fallback?: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      return fail(`"${key}" must be a positive integer, got ${JSON.stringify(raw[key])}`);
    }
    return v;
  };
  const num = (key: string, fallback: number): number => {
    const v = raw[key] ?? fallback;
    if (typeof v !== "number" || !(v > 0))
      return fail(`"${key}" must be a number > 0, got ${JSON.stringify(v)}`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = raw[key] ?? fallback;
    if (typeof v !== "boolean") return fail(`"${key}" must be true or false, got ${JSON.stringify(v)}`);
    return v;
  };
  /** A token id or a list of them (eos_token_id may be either); [] when absent. */
  const ids = (key: string): number[] => {
    const v = raw[key];
    if (v == null) return [];
    const list = Array.isArray(v) ? v : [v];
    if (!list.every((x) => Number.isInteger(x) && x >= 0)) {
      return fail(`"${key}" must be a token id or a list of token ids, got ${JSON.stringify(v)}`);
    }
    return list as number[];
  };
  return { fail, int, num, bool, ids };
}

/** Checks token ids against the vocabulary and fills bos/eos defaults. */
export function tokenIds(
  cfg: Omit<DecoderConfig, "bosTokenId" | "eosTokenIds" | "padTokenId">,
  ids: { bos: number[]; eos: number[]; pad: number[] },
  file: string,
  fallback: number,
): Pick<DecoderConfig, "bosTokenId" | "eosTokenIds" | "padTokenId"> {
  const eosTokenIds = ids.eos.length > 0 ? ids.eos : ids.bos.length > 0 ? [ids.bos[0]!] : [fallback];
  const bosTokenId = ids.bos[0] ?? eosTokenIds[0]!;
  const padTokenId = ids.pad[0];
  for (const [key, v] of [
    ["bos_token_id", [bosTokenId]],
    ["eos_token_id", eosTokenIds],
    ["pad_token_id", padTokenId === undefined ? [] : [padTokenId]],
  ] as const) {
    for (const id of v) {
      if (id >= cfg.vocabSize) {
        throw new Error(`${file}: ${key} ${id} is outside the vocabulary (vocab_size ${cfg.vocabSize})`);
      }
    }
  }
  return { bosTokenId, eosTokenIds, ...(padTokenId === undefined ? {} : { padTokenId }) };
}

/** The token-id keys of a config.json / generation_config.json. */
export function tokenIdJson(cfg: DecoderConfig): Record<string, unknown> {
  return {
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenIds.length === 1 ? cfg.eosTokenIds[0] : cfg.eosTokenIds,
    ...(cfg.padTokenId === undefined ? {} : { pad_token_id: cfg.padTokenId }),
  };
}
