// Randomly initialised models of any family, written as a Hugging Face folder (config.json,
// generation_config.json, model.safetensors) that curio and transformers load; the tokenizer files are
// written apart. Initialisation follows each family's transformers _init_weights (see ModelFamily.init).
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Rng } from "../util/rng.js";
import { familyOfConfig, generationConfigJson } from "./config.js";
import { familyOf, type ModelType } from "./families/index.js";
import type { DecoderConfig } from "./family.js";
import { writeSafeTensors } from "./safetensors.js";
import { WeightStore } from "./weights.js";

/** The sizes a new model needs; the rest takes the family's usual values. */
export interface ModelShape {
  vocabSize: number;
  maxPositions: number;
  layers: number;
  width: number;
  heads: number;
  /** Default: heads (GPT-2) or heads / 4 rounded to a divisor of heads (grouped KV heads, as the Llama/Qwen releases). */
  kvHeads?: number;
  /** Default: width / heads. */
  headDim?: number;
  /** Default: 4 * width (GPT-2), else about 8/3 * width rounded up to a multiple of 64 (SwiGLU). */
  mlpWidth?: number;
  /** Default: true (GPT-2, SmolLM2, Qwen2.5 and Qwen3 small models tie their head). */
  tiedHead?: boolean;
  bosTokenId: number;
  eosTokenIds: number[];
  padTokenId?: number;
}

/** A DecoderConfig of family `modelType` with the family's usual norms, positions and biases. */
export function decoderConfig(modelType: ModelType, s: ModelShape): DecoderConfig {
  familyOf(modelType);
  const gpt2 = modelType === "gpt2";
  const divisor = (n: number) =>
    [4, 3, 2, 1].map((k) => Math.max(1, Math.floor(n / k))).find((kv) => n % kv === 0)!;
  const cfg: DecoderConfig = {
    modelType,
    vocabSize: s.vocabSize,
    maxPositions: s.maxPositions,
    layers: s.layers,
    width: s.width,
    heads: s.heads,
    kvHeads: s.kvHeads ?? (gpt2 ? s.heads : divisor(s.heads)),
    headDim: s.headDim ?? s.width / s.heads,
    mlpWidth: s.mlpWidth ?? (gpt2 ? 4 * s.width : Math.ceil((8 * s.width) / 3 / 64) * 64),
    activation: gpt2 ? "gelu_new" : "silu",
    norm: gpt2 ? { kind: "layer", eps: 1e-5 } : { kind: "rms", eps: 1e-6 },
    positions: gpt2 ? { kind: "learned" } : { kind: "rope", theta: 10000 },
    tiedHead: s.tiedHead ?? true,
    bias: { qkv: gpt2 || modelType === "qwen2", o: gpt2, mlp: gpt2 },
    qkNorm: modelType === "qwen3",
    bosTokenId: s.bosTokenId,
    eosTokenIds: s.eosTokenIds,
    ...(s.padTokenId === undefined ? {} : { padTokenId: s.padTokenId }),
  };
  if (gpt2 && cfg.width % cfg.heads !== 0)
    throw new Error(`width ${cfg.width} must be divisible by heads ${cfg.heads}`);
  if (!Number.isInteger(cfg.headDim) || cfg.headDim % 2 !== 0)
    throw new Error(`head dim ${cfg.headDim} must be an even integer`);
  if (cfg.heads % cfg.kvHeads !== 0)
    throw new Error(`heads ${cfg.heads} must be a multiple of kvHeads ${cfg.kvHeads}`);
  return cfg;
}

function gaussian(rng: Rng): number {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Random weights of a config, keyed by canonical names, in the family's save order. */
export function randomWeights(cfg: DecoderConfig, seed: number): WeightStore {
  const family = familyOfConfig(cfg);
  const rng = Rng.from(seed, `${cfg.modelType}-init`);
  const out = new WeightStore();
  for (const [name, shape] of family.weightShapes(cfg)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const init = family.init(name, cfg);
    if ("fill" in init) data.fill(init.fill);
    else for (let i = 0; i < data.length; i++) data[i] = init.std * gaussian(rng);
    out.set(name, { data, shape });
  }
  return out;
}

/** Writes config.json, generation_config.json and model.safetensors of a random model into `dir`. */
export async function writeRandomModel(dir: string, cfg: DecoderConfig, seed: number): Promise<void> {
  const family = familyOfConfig(cfg);
  await mkdir(dir, { recursive: true });
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  await writeFile(join(dir, "config.json"), json(family.configJson(cfg)));
  await writeFile(join(dir, "generation_config.json"), json(generationConfigJson(cfg)));
  const weights = randomWeights(cfg, seed);
  await writeSafeTensors(
    join(dir, "model.safetensors"),
    weights.names().map((name) => [family.hfName(name), weights.get(name)] as const),
    { format: "pt" },
  );
}
