// Model weights: a small name -> {data, shape} store (one Float32Array per tensor for the whole process; every
// graph is handed that same array), and loading a folder's safetensors (one file or shards listed in
// model.safetensors.index.json; F32/F16/BF16 converted to float32) into a family's canonical names.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DecoderConfig, ModelFamily } from "./family.js";
import { readSafeTensors, type SafeTensor } from "./safetensors.js";

export interface StoredTensor {
  data: Float32Array;
  shape: number[];
}

/** Named float32 tensors. Kept apart so that another storage (e.g. half precision) can replace it later. */
export class WeightStore {
  private readonly tensors = new Map<string, StoredTensor>();

  static from(entries: Iterable<[string, StoredTensor]>): WeightStore {
    const s = new WeightStore();
    for (const [name, t] of entries) s.set(name, t);
    return s;
  }

  set(name: string, t: StoredTensor): void {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length)
      throw new Error(`weight "${name}": ${t.data.length} values do not fill shape [${t.shape}]`);
    this.tensors.set(name, t);
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  get(name: string): StoredTensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`weight "${name}" is not in the model`);
    return t;
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  entries(): IterableIterator<[string, StoredTensor]> {
    return this.tensors.entries();
  }

  get size(): number {
    return this.tensors.size;
  }

  /** Bytes the tensors hold. */
  get bytes(): number {
    let n = 0;
    for (const t of this.tensors.values()) n += t.data.byteLength;
    return n;
  }
}

export const SINGLE_FILE = "model.safetensors";
export const INDEX_FILE = "model.safetensors.index.json";

/** The shard files of a sharded checkpoint, in index order, from its model.safetensors.index.json. */
export async function shardFiles(indexFile: string): Promise<string[]> {
  let index: { weight_map?: Record<string, string> };
  try {
    index = JSON.parse(await readFile(indexFile, "utf8"));
  } catch (e) {
    throw new Error(`${indexFile}: cannot read the shard index (${(e as Error).message})`);
  }
  const map = index.weight_map;
  if (!map || typeof map !== "object")
    throw new Error(`${indexFile}: no "weight_map" object (tensor name -> shard file)`);
  const files = [...new Set(Object.values(map))];
  const bad = files.find((f) => typeof f !== "string" || f.includes("/") || f.includes("\\"));
  if (bad !== undefined)
    throw new Error(`${indexFile}: shard name ${JSON.stringify(bad)} is not a file name`);
  return files;
}

/** The safetensors files holding a folder's weights: model.safetensors, or the shards of the index. */
export async function weightFiles(dir: string): Promise<string[]> {
  if (existsSync(join(dir, SINGLE_FILE))) return [join(dir, SINGLE_FILE)];
  const indexFile = join(dir, INDEX_FILE);
  if (!existsSync(indexFile)) {
    const bin = existsSync(join(dir, "pytorch_model.bin"))
      ? " (pytorch_model.bin is not read; save the model with safe_serialization)"
      : "";
    throw new Error(`model folder ${resolve(dir)} has neither ${SINGLE_FILE} nor ${INDEX_FILE}${bin}`);
  }
  const files = await shardFiles(indexFile);
  const missing = files.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw new Error(
      `model folder ${resolve(dir)} is missing shard ${missing.join(", ")} (listed in ${INDEX_FILE}); ` +
        "download every shard the index lists",
    );
  }
  return files.map((f) => join(dir, f));
}

/** Maps one file's tensors into `out` under canonical names, checking each against the config's shapes. */
function addTensors(
  out: WeightStore,
  tensors: Map<string, SafeTensor>,
  family: ModelFamily,
  expected: Map<string, number[]>,
  file: string,
  cfg: DecoderConfig,
): SafeTensor | undefined {
  let lmHead: SafeTensor | undefined;
  for (const [rawName, t] of tensors) {
    const name = family.canonicalName(rawName);
    if (name === null) continue; // a buffer (causal mask, rotary inv_freq)
    if (name === "lm_head.weight" && cfg.tiedHead) {
      lmHead = t;
      continue;
    }
    const shape = name === undefined ? undefined : expected.get(name);
    if (!shape) {
      const example = [...expected.keys()].find((n) => family.blockOf(n) === 0 && n.endsWith(".weight"));
      throw new Error(
        `${file}: unexpected tensor "${rawName}" for a ${cfg.modelType} with ${cfg.layers} layers ` +
          `(expected names like ${family.hfName(example ?? "")}; does config.json belong to these weights?)`,
      );
    }
    if (!(t.data instanceof Float32Array)) {
      throw new Error(
        `${file}: tensor "${rawName}" has dtype ${t.dtype}; expected a float type (F32/F16/BF16)`,
      );
    }
    if (shape.length !== t.shape.length || shape.some((s, i) => s !== t.shape[i])) {
      throw new Error(
        `${file}: tensor "${rawName}" has shape [${t.shape}] but config.json implies [${shape}] ` +
          "(does config.json belong to these weights?)",
      );
    }
    out.set(name!, { data: t.data, shape });
  }
  return lmHead;
}

/** Loads a folder's weights into canonical names; every expected tensor must be present exactly once. */
export async function loadWeights(
  dir: string,
  family: ModelFamily,
  cfg: DecoderConfig,
): Promise<WeightStore> {
  const files = await weightFiles(dir);
  const expected = family.weightShapes(cfg);
  const out = new WeightStore();
  let lmHead: SafeTensor | undefined;
  for (const file of files) {
    const { tensors } = await readSafeTensors(file);
    lmHead = addTensors(out, tensors, family, expected, file, cfg) ?? lmHead;
  }
  const where = files.length === 1 ? files[0]! : `${resolve(dir)} (${files.length} shards)`;
  const missing = [...expected.keys()].filter((n) => !out.has(n));
  if (missing.length > 0) {
    throw new Error(
      `${where}: missing ${missing.length} ${cfg.modelType} tensor(s): ` +
        `${missing.slice(0, 5).map(family.hfName).join(", ")}${missing.length > 5 ? ", ..." : ""}`,
    );
  }
  if (lmHead) {
    const emb = out.get(family.headWeight(cfg)).data;
    const same =
      lmHead.data instanceof Float32Array &&
      lmHead.data.length === emb.length &&
      lmHead.data.every((v, i) => v === emb[i]);
    if (!same) {
      throw new Error(
        `${where}: lm_head.weight differs from the token embedding but config.json has tie_word_embeddings ` +
          "true (curio then uses the embedding as the head); fix tie_word_embeddings in config.json",
      );
    }
  }
  return out;
}
