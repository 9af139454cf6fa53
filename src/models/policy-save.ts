// Saving a policy: merged weights in the family's Hugging Face layout (config.json, generation_config.json,
// model.safetensors in F32, the tokenizer files), and curio's own checkpoints of the trainable params.
import { existsSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { generationConfigJson } from "./config.js";
import type { DecoderPolicy } from "./policy.js";
import { readSafeTensors, writeSafeTensors } from "./safetensors.js";
import { mergeLora } from "./trainable.js";
import { WeightStore } from "./weights.js";

const CHECKPOINT_FORMAT = "curio-policy-checkpoint";
const OLD_CHECKPOINT_FORMAT = "curio-gpt2-checkpoint"; // before model families; same layout
const CHECKPOINT_VERSION = "1";
export const TOKENIZER_FILES = [
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "chat_template.jinja",
  "vocab.json",
  "merges.txt",
];

/** The model's weights with trained params written in (LoRA merged: W + (alpha/r) A B). */
export function mergedWeights(policy: DecoderPolicy): WeightStore {
  const out = new WeightStore();
  for (const [name, w] of policy.weights.entries())
    out.set(name, { data: policy.param(name)?.data ?? w.data, shape: w.shape });
  for (const [module, l] of policy.loraLayers) {
    const name = `${module}.weight`;
    const W = out.get(name).data.slice();
    const A = policy.param(l.A)!;
    const B = policy.param(l.B)!;
    mergeLora(W, A.data, B.data, { ...l.spec, r: A.shape[1]!, scaling: l.scaling });
    out.set(name, { data: W, shape: out.get(name).shape });
  }
  return out;
}

/** Writes a Hugging Face folder that curio and transformers' from_pretrained load. */
export async function saveModel(policy: DecoderPolicy, dir: string): Promise<void> {
  const { family, config } = policy;
  await mkdir(dir, { recursive: true });
  const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;
  await writeFile(join(dir, "config.json"), json(family.configJson(config)));
  await writeFile(join(dir, "generation_config.json"), json(generationConfigJson(config)));
  const merged = mergedWeights(policy);
  await writeSafeTensors(
    join(dir, "model.safetensors"),
    [...family.weightShapes(config).keys()].map((name) => [family.hfName(name), merged.get(name)] as const),
    { format: "pt" },
  );
  if (!policy.sourceDir || resolve(policy.sourceDir) === resolve(dir)) return;
  for (const f of TOKENIZER_FILES) {
    const src = join(policy.sourceDir, f);
    if (existsSync(src)) await copyFile(src, join(dir, f));
  }
}

export async function saveCheckpoint(
  policy: DecoderPolicy,
  path: string,
  extra: Record<string, Float32Array>,
): Promise<void> {
  const tensors: [string, { data: Float32Array; shape: number[] }][] = policy
    .params()
    .map((p) => [`param.${p.name}`, { data: p.data, shape: p.shape }]);
  for (const [k, v] of Object.entries(extra)) tensors.push([`extra.${k}`, { data: v, shape: [v.length] }]);
  await writeSafeTensors(path, tensors, {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model_type: policy.config.modelType,
    trainable: JSON.stringify(policy.trainable),
    value_head: String(policy.hasValueHead),
  });
}

export async function loadCheckpoint(
  policy: DecoderPolicy,
  path: string,
): Promise<Record<string, Float32Array>> {
  const { tensors, metadata } = await readSafeTensors(path);
  if (metadata.format !== CHECKPOINT_FORMAT && metadata.format !== OLD_CHECKPOINT_FORMAT) {
    throw new Error(
      `${path}: not a curio policy checkpoint (metadata format ${JSON.stringify(metadata.format)})`,
    );
  }
  const hint = `it was saved with trainable ${metadata.trainable}, value head ${metadata.value_head}; load the policy the same way`;
  for (const p of policy.params()) {
    const t = tensors.get(`param.${p.name}`);
    if (!t) throw new Error(`${path}: checkpoint has no tensor for param "${p.name}" (${hint})`);
    if (!(t.data instanceof Float32Array) || t.shape.join(",") !== p.shape.join(",")) {
      throw new Error(`${path}: param "${p.name}" has shape [${t.shape}], expected [${p.shape}] (${hint})`);
    }
  }
  for (const p of policy.params()) p.data.set(tensors.get(`param.${p.name}`)!.data as Float32Array);
  const extra: Record<string, Float32Array> = {};
  for (const [name, t] of tensors) {
    if (name.startsWith("extra.") && t.data instanceof Float32Array) extra[name.slice(6)] = t.data;
  }
  return extra;
}
