// Hugging Face config.json for GPT-2 checkpoints, validated into curio's camelCase Gpt2Config.
import { readFile } from "node:fs/promises";

export interface Gpt2Config {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  layerNormEpsilon: number;
  bosTokenId: number;
  eosTokenId: number;
}

export const SUPPORTED_MODEL_TYPES = ["gpt2"] as const;

/** Validates a parsed config.json object; `file` names the source in errors. */
export function parseGpt2Config(raw: unknown, file = "config.json"): Gpt2Config {
  if (!raw || typeof raw !== "object") throw new Error(`${file}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  if (c.model_type !== "gpt2") {
    throw new Error(
      `${file}: model_type ${JSON.stringify(c.model_type)} is not supported; ` +
        `supported: ${SUPPORTED_MODEL_TYPES.join(", ")} (a GPT-2 checkpoint such as "gpt2" or "distilgpt2")`,
    );
  }
  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new Error(`${file}: "${key}" must be a positive integer, got ${JSON.stringify(c[key])}`);
    }
    return v;
  };
  const cfg: Gpt2Config = {
    vocabSize: int("vocab_size"),
    nPositions: int("n_positions", c.n_ctx as number | undefined),
    nEmbd: int("n_embd"),
    nLayer: int("n_layer"),
    nHead: int("n_head"),
    layerNormEpsilon: typeof c.layer_norm_epsilon === "number" ? c.layer_norm_epsilon : 1e-5,
    bosTokenId: typeof c.bos_token_id === "number" ? c.bos_token_id : 50256,
    eosTokenId: typeof c.eos_token_id === "number" ? c.eos_token_id : 50256,
  };
  if (cfg.nEmbd % cfg.nHead !== 0) {
    throw new Error(`${file}: n_embd (${cfg.nEmbd}) must be divisible by n_head (${cfg.nHead})`);
  }
  if (c.n_inner != null && c.n_inner !== 4 * cfg.nEmbd) {
    throw new Error(`${file}: n_inner ${c.n_inner} is not supported (only 4 * n_embd = ${4 * cfg.nEmbd})`);
  }
  const act = c.activation_function ?? "gelu_new";
  if (act !== "gelu_new") {
    throw new Error(`${file}: activation_function "${act}" is not supported (only "gelu_new")`);
  }
  for (const flag of ["scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn"]) {
    if (c[flag] === true)
      throw new Error(`${file}: ${flag} = true is not supported (GPT-2 checkpoints use false)`);
  }
  for (const key of ["bosTokenId", "eosTokenId"] as const) {
    if (cfg[key] < 0 || cfg[key] >= cfg.vocabSize) {
      throw new Error(`${file}: ${key} ${cfg[key]} is outside the vocabulary (vocab_size ${cfg.vocabSize})`);
    }
  }
  return cfg;
}

export async function loadGpt2Config(file: string): Promise<Gpt2Config> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read the model config (${(e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseGpt2Config(raw, file);
}

/** The config.json that `save()` writes: loadable by curio and by Hugging Face transformers. */
export function gpt2ConfigJson(cfg: Gpt2Config): Record<string, unknown> {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    activation_function: "gelu_new",
    vocab_size: cfg.vocabSize,
    n_positions: cfg.nPositions,
    n_ctx: cfg.nPositions,
    n_embd: cfg.nEmbd,
    n_layer: cfg.nLayer,
    n_head: cfg.nHead,
    n_inner: null,
    layer_norm_epsilon: cfg.layerNormEpsilon,
    bos_token_id: cfg.bosTokenId,
    eos_token_id: cfg.eosTokenId,
    attn_pdrop: 0,
    embd_pdrop: 0,
    resid_pdrop: 0,
    initializer_range: 0.02,
    scale_attn_weights: true,
    tie_word_embeddings: true,
    torch_dtype: "float32",
  };
}
