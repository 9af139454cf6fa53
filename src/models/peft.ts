// PEFT LoRA adapters both ways: a trained LoRA policy written as the folder peft's save_pretrained writes
// (adapter_config.json + adapter_model.safetensors, names `base_model.model.<module>.lora_A.weight`,
// A as [r,in] and B as [out,r]), and such a folder read back, as the policy's LoRA factors or merged into the
// base weights. curio keeps A [in,r] and B [r,out]; only these small factors are transposed.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { DecoderConfig, ModelFamily } from "./family.js";
import type { DecoderPolicy } from "./policy.js";
import { readSafeTensors, writeSafeTensors } from "./safetensors.js";
import { loraModules, mergeLora, type Trainable } from "./trainable.js";
import type { WeightStore } from "./weights.js";

export const ADAPTER_CONFIG = "adapter_config.json";
export const ADAPTER_WEIGHTS = "adapter_model.safetensors";

/** [rows, cols] -> [cols, rows]. */
function transpose(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

export interface PeftAdapter {
  r: number;
  alpha: number;
  targets: string[];
  /** Per module: A [in,r] and B [r,out] in curio's layout. */
  factors: Map<string, { A: Float32Array; B: Float32Array }>;
}

/** Writes the policy's LoRA factors as a PEFT adapter folder that peft.PeftModel.from_pretrained loads. */
export async function savePeftAdapter(policy: DecoderPolicy, dir: string): Promise<void> {
  const t = policy.trainable;
  if (t.kind !== "lora") {
    throw new Error(
      `a PEFT adapter needs a LoRA policy; this one trains "${t.kind}" (use save() for the whole model)`,
    );
  }
  const family = policy.family;
  const tensors: [string, { data: Float32Array; shape: number[] }][] = [];
  for (const [module, l] of policy.loraLayers) {
    const A = policy.param(l.A)!; // [in,r]
    const B = policy.param(l.B)!; // [r,out]
    const [inF, r] = A.shape as [number, number];
    const outF = B.shape[1]!;
    const name = family.peftName(module);
    tensors.push([`${name}.lora_A.weight`, { data: transpose(A.data, inF, r), shape: [r, inF] }]); // [r,in]
    tensors.push([`${name}.lora_B.weight`, { data: transpose(B.data, r, outF), shape: [outF, r] }]); // [out,r]
  }
  const config = {
    peft_type: "LORA",
    task_type: "CAUSAL_LM",
    base_model_name_or_path: policy.sourceDir ? resolve(policy.sourceDir) : null,
    r: t.r,
    lora_alpha: t.alpha,
    lora_dropout: 0,
    target_modules: [...(t.targets ?? family.defaultLoraTargets)],
    fan_in_fan_out: family.fanInFanOut,
    bias: "none",
    use_rslora: false,
    use_dora: false,
    modules_to_save: null,
    init_lora_weights: true,
    layers_to_transform: null,
    layers_pattern: null,
    rank_pattern: {},
    alpha_pattern: {},
    inference_mode: true,
  };
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, ADAPTER_CONFIG), `${JSON.stringify(config, null, 2)}\n`);
  await writeSafeTensors(join(dir, ADAPTER_WEIGHTS), tensors, { format: "pt" });
}

/** Options of adapter_config.json curio cannot honour, with the fix. */
function unsupported(c: Record<string, unknown>): string | undefined {
  if (c.peft_type !== "LORA") return `peft_type ${JSON.stringify(c.peft_type)} (only LORA adapters load)`;
  if (c.use_dora === true) return "use_dora true (DoRA)";
  if (c.use_rslora === true) return "use_rslora true (rank-stabilised scaling)";
  if (c.bias != null && c.bias !== "none") return `bias ${JSON.stringify(c.bias)} (only "none")`;
  if (c.lora_bias === true) return "lora_bias true";
  if (Array.isArray(c.modules_to_save) && c.modules_to_save.length > 0) return "modules_to_save";
  for (const k of ["rank_pattern", "alpha_pattern"]) {
    const v = c[k];
    if (v && typeof v === "object" && Object.keys(v).length > 0)
      return `${k} (one r and alpha for every layer)`;
  }
  if (c.layers_to_transform != null) return "layers_to_transform (adapters on every layer)";
  if (typeof c.target_modules === "string")
    return "target_modules as a regular expression (list the module names)";
  return undefined;
}

/** Reads a PEFT LoRA adapter folder for a model of `family` with config `cfg`. */
export async function readPeftAdapter(
  dir: string,
  family: ModelFamily,
  cfg: DecoderConfig,
): Promise<PeftAdapter> {
  const cfgFile = join(dir, ADAPTER_CONFIG);
  let c: Record<string, unknown>;
  try {
    c = JSON.parse(await readFile(cfgFile, "utf8"));
  } catch (e) {
    throw new Error(`${cfgFile}: cannot read the PEFT adapter config (${(e as Error).message})`);
  }
  const bad = unsupported(c);
  if (bad) throw new Error(`${cfgFile}: ${bad} is not supported`);
  const r = c.r;
  const alpha = c.lora_alpha ?? 8;
  if (!Number.isInteger(r) || (r as number) < 1)
    throw new Error(`${cfgFile}: "r" must be a positive integer`);
  if (typeof alpha !== "number" || !(alpha > 0))
    throw new Error(`${cfgFile}: "lora_alpha" must be a number > 0`);
  if (!Array.isArray(c.target_modules) || c.target_modules.length === 0) {
    throw new Error(`${cfgFile}: "target_modules" must list the adapted module names`);
  }
  const targets = (c.target_modules as unknown[]).map(String);
  const weightsFile = join(dir, ADAPTER_WEIGHTS);
  const { tensors } = await readSafeTensors(weightsFile);
  const factors = new Map<string, { A: Float32Array; B: Float32Array }>();
  const seen = new Set<string>();
  for (const spec of loraModules(family, cfg, targets)) {
    const name = family.peftName(spec.module);
    const get = (part: "lora_A" | "lora_B", shape: [number, number]) => {
      // peft writes ".lora_A.weight"; older versions and some tools add the adapter name (".lora_A.default.weight")
      const key = [`${name}.${part}.weight`, `${name}.${part}.default.weight`].find((k) => tensors.has(k));
      const t = key ? tensors.get(key) : undefined;
      if (!t || !(t.data instanceof Float32Array)) {
        throw new Error(
          `${weightsFile}: missing tensor ${name}.${part}.weight (target_modules lists ${targets.join(", ")})`,
        );
      }
      if (t.shape.join(",") !== shape.join(",")) {
        throw new Error(
          `${weightsFile}: ${key} has shape [${t.shape}], expected [${shape}] (r ${r}; is it this model's adapter?)`,
        );
      }
      seen.add(key!);
      return t.data;
    };
    const A = get("lora_A", [r as number, spec.inF]); // [r,in]
    const B = get("lora_B", [spec.outF, r as number]); // [out,r]
    factors.set(spec.module, {
      A: transpose(A, r as number, spec.inF),
      B: transpose(B, spec.outF, r as number),
    });
  }
  const extra = [...tensors.keys()].filter((k) => !seen.has(k));
  if (extra.length > 0) {
    throw new Error(
      `${weightsFile}: tensor ${extra[0]} does not belong to a LoRA target of this ${cfg.modelType} model`,
    );
  }
  return { r: r as number, alpha, targets, factors };
}

export function adapterTrainable(a: PeftAdapter): Trainable {
  return { kind: "lora", r: a.r, alpha: a.alpha, targets: a.targets };
}

/** Sets a LoRA policy's factors from an adapter read for it (same r and targets). */
export function setLoraFactors(policy: DecoderPolicy, a: PeftAdapter, where: string): void {
  const t = policy.trainable;
  if (t.kind !== "lora" || t.r !== a.r || policy.loraLayers.size !== a.factors.size) {
    throw new Error(
      `${where}: the adapter (LoRA r ${a.r} on ${a.targets.join(", ")}) does not match the policy's trainable ` +
        `${JSON.stringify(t)}; load without a trainable setting to take the adapter's`,
    );
  }
  for (const [module, f] of a.factors) {
    const l = policy.loraLayers.get(module);
    if (!l) throw new Error(`${where}: the policy has no LoRA on ${module}`);
    policy.param(l.A)!.data.set(f.A);
    policy.param(l.B)!.data.set(f.B);
  }
}

/** Merges an adapter into base weights (a new array per adapted weight): W + (alpha/r) A B. */
export function mergeAdapter(
  weights: WeightStore,
  family: ModelFamily,
  cfg: DecoderConfig,
  a: PeftAdapter,
): void {
  for (const spec of loraModules(family, cfg, a.targets)) {
    const f = a.factors.get(spec.module)!;
    const w = weights.get(`${spec.module}.weight`);
    const W = w.data.slice();
    mergeLora(W, f.A, f.B, { ...spec, r: a.r, scaling: a.alpha / a.r });
    weights.set(`${spec.module}.weight`, { data: W, shape: w.shape });
  }
}
