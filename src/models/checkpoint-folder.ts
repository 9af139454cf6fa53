// A model folder as the hub ships it: resolving a folder or hub id with its weight files (a sharded checkpoint's
// shards fetched after its index), and in-memory weights given as a plain map.
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DecoderConfig, ModelFamily } from "./family.js";
import { resolveModel } from "./hub.js";
import { OPTIONAL_TOKENIZER_FILES } from "./tokenizer.js";
import { INDEX_FILE, SINGLE_FILE, shardFiles, WeightStore } from "./weights.js";

/** Files every model folder needs; the weights are model.safetensors or a shard index with its shards. */
export const MODEL_FILES = ["config.json", "tokenizer.json"];
export const OPTIONAL_MODEL_FILES = [
  ...OPTIONAL_TOKENIZER_FILES,
  "generation_config.json",
  SINGLE_FILE,
  INDEX_FILE,
];

export function storeFromMap(
  family: ModelFamily,
  cfg: DecoderConfig,
  weights: Map<string, Float32Array>,
): WeightStore {
  const store = new WeightStore();
  for (const [name, shape] of family.weightShapes(cfg)) {
    const data = weights.get(name);
    if (!data) throw new Error(`fromWeights: weight "${name}" is missing`);
    store.set(name, { data, shape });
  }
  return store;
}

/** A local folder or a hub id with its weight files (a sharded checkpoint's shards fetched after its index). */
export async function resolveCheckpoint(
  source: string,
  opts: { cacheDir?: string; offline?: boolean },
): Promise<string> {
  const base = { cacheDir: opts.cacheDir, offline: opts.offline };
  const dir = await resolveModel(source, {
    ...base,
    files: MODEL_FILES,
    optionalFiles: OPTIONAL_MODEL_FILES,
  });
  if (existsSync(join(dir, SINGLE_FILE)) || !existsSync(join(dir, INDEX_FILE))) return dir;
  const shards = await shardFiles(join(dir, INDEX_FILE));
  if (shards.every((f) => existsSync(join(dir, f)))) return dir;
  if (dir === source) return dir; // a local folder: loadWeights names the missing shard
  return resolveModel(source, { ...base, files: [...MODEL_FILES, ...shards] });
}
