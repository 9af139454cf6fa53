// A new attacker without hub access (`curio init-model`): a byte-level BPE tokenizer learnt from the user's
// corpus and a randomly initialised model of a chosen family and size, written as a Hugging Face folder that
// `curio sft`, `curio run` (redteam.model) and transformers' from_pretrained load.
import { existsSync, readdirSync, statSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { FAMILIES, familyOf, type ModelType } from "./families/index.js";
import type { DecoderConfig } from "./family.js";
import { decoderConfig, writeRandomModel } from "./random-init.js";
import { readCorpus, writeBpeTokenizer } from "./tokenizer-build.js";

export interface ModelSize {
  layers: number;
  width: number;
  heads: number;
  /** Key/value heads of the grouped-query families (GPT-2 uses one per head). */
  kvHeads: number;
  maxPositions: number;
  /** The most tokens the tokenizer learns (fewer when the corpus runs out of pairs to merge). */
  vocabSize: number;
}

/** tiny: seconds to train on a CPU, for trying things out; small: a real, still CPU-sized attacker. */
export const MODEL_SIZES = {
  tiny: { layers: 2, width: 64, heads: 4, kvHeads: 2, maxPositions: 256, vocabSize: 2048 },
  small: { layers: 6, width: 256, heads: 8, kvHeads: 2, maxPositions: 512, vocabSize: 8192 },
} as const satisfies Record<string, ModelSize>;
export type ModelSizeName = keyof typeof MODEL_SIZES;

/** The families init-model can build. */
export const INIT_MODEL_FAMILIES = Object.keys(FAMILIES) as ModelType[];

export interface InitModelOptions {
  family: string;
  size: ModelSizeName | ModelSize;
  /** JSONL of {"text"} lines (the `curio sft` format) or a .txt file, one example per line. */
  corpus: string;
  /** A new or empty folder. */
  out: string;
  /** Overrides the size's tokenizer vocabulary. */
  vocabSize?: number;
  seed?: number;
}

export interface InitModelResult {
  out: string;
  family: ModelType;
  config: DecoderConfig;
  /** Tokens the tokenizer learnt (= the model's vocab_size). */
  vocabSize: number;
  examples: number;
  parameters: number;
  seconds: number;
}

function checkOut(out: string): void {
  if (!existsSync(out)) return;
  if (!statSync(out).isDirectory()) throw new Error(`--out ${out} is a file; give a new folder`);
  if (readdirSync(out).length > 0) {
    throw new Error(`--out ${out} is not empty; give a new folder (nothing in it was changed)`);
  }
}

function sizeOf(size: ModelSizeName | ModelSize): ModelSize {
  if (typeof size !== "string") return size;
  if (!Object.hasOwn(MODEL_SIZES, size)) {
    throw new Error(`unknown size ${JSON.stringify(size)}; sizes: ${Object.keys(MODEL_SIZES).join(", ")}`);
  }
  return MODEL_SIZES[size];
}

/** The number of weights of a config (embedding counted once when the head is tied). */
export function parameterCount(cfg: DecoderConfig): number {
  const family = familyOf(cfg.modelType);
  let n = 0;
  for (const shape of family.weightShapes(cfg).values()) n += shape.reduce((a, b) => a * b, 1);
  return n;
}

/** Learns a tokenizer from `opts.corpus`, writes it and a random model of the family into `opts.out`. */
export async function initModel(opts: InitModelOptions): Promise<InitModelResult> {
  const started = performance.now();
  if (!Object.hasOwn(FAMILIES, opts.family)) {
    throw new Error(
      `unknown family ${JSON.stringify(opts.family)}; families: ${INIT_MODEL_FAMILIES.join(", ")}`,
    );
  }
  const modelType = opts.family as ModelType;
  const size = sizeOf(opts.size);
  const out = resolve(opts.out);
  checkOut(out);
  const texts = await readCorpus(opts.corpus);
  // written next to the final folder and renamed into place: a crash never leaves a half-written model there
  const tmp = resolve(dirname(out), `.${out.split(/[\\/]/).pop()}.tmp-${process.pid}-${Date.now()}`);
  try {
    const bpe = await writeBpeTokenizer(tmp, texts, {
      vocabSize: opts.vocabSize ?? size.vocabSize,
      maxLength: size.maxPositions,
    });
    const config = decoderConfig(modelType, {
      vocabSize: bpe.vocab.length,
      maxPositions: size.maxPositions,
      layers: size.layers,
      width: size.width,
      heads: size.heads,
      kvHeads: modelType === "gpt2" ? size.heads : size.kvHeads,
      bosTokenId: 0,
      eosTokenIds: [0],
      padTokenId: 0,
    });
    await writeRandomModel(tmp, config, opts.seed ?? 0);
    checkOut(out); // the folder may have appeared meanwhile
    if (existsSync(out)) await rm(out, { recursive: true });
    await rename(tmp, out);
    return {
      out,
      family: modelType,
      config,
      vocabSize: bpe.vocab.length,
      examples: texts.length,
      parameters: parameterCount(config),
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
