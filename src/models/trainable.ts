// Which tensors train: full (every weight), LoRA adapters on any of a family's linears, or the top k blocks (+ the
// final norm); plus the optional value head.

import { Rng } from "../util/rng.js";
import type { DecoderConfig, LinearSpec, ModelFamily } from "./family.js";
import type { WeightStore } from "./weights.js";

export type Trainable =
  | { kind: "none" } // inference only
  | { kind: "full" }
  | {
      kind: "lora";
      r: number;
      alpha: number;
      targets?: string[] /* default: the family's (c_attn for GPT-2, q_proj + v_proj for Llama/Qwen) */;
    }
  | { kind: "top"; k: number };

export interface ParamEntry {
  name: string;
  data: Float32Array;
  shape: number[];
}

function uniform(rng: Rng, n: number, bound: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rng.next() * 2 - 1) * bound;
  return out;
}

/** Parses the CLI form: "full", "lora" (r 32, alpha 16 as in the CRT paper), "lora:R:ALPHA", "top:K". */
export function parseTrainable(s: string): Trainable {
  if (s === "full") return { kind: "full" };
  const lora = /^lora(?::(\d+)(?::([\d.]+))?)?$/.exec(s);
  if (lora) return { kind: "lora", r: Number(lora[1] ?? 32), alpha: Number(lora[2] ?? 16) };
  const top = /^top:(\d+)$/.exec(s);
  if (top) return { kind: "top", k: Number(top[1]) };
  throw new Error(`trainable "${s}" is not valid; use full, lora, lora:R:ALPHA or top:K (e.g. top:2)`);
}

export interface LoraLayer {
  A: string; // param name of A [in,r]
  B: string; // param name of B [r,out]
  scaling: number; // alpha / r
  spec: LinearSpec;
}

/** Does a LoRA target (peft's rule: the whole module name or its last dotted parts) name this module? */
export function targetMatches(module: string, target: string): boolean {
  return module === target || module.endsWith(`.${target}`);
}

/** The linears LoRA adapts for `targets`; a target that matches nothing is an error listing the valid ones. */
export function loraModules(
  family: ModelFamily,
  cfg: DecoderConfig,
  targets: readonly string[],
): LinearSpec[] {
  const all = Array.from({ length: cfg.layers }, (_, i) => family.linears(cfg, i)).flat();
  const unknown = targets.filter((t) => !all.some((l) => targetMatches(l.module, t)));
  if (unknown.length > 0) {
    const local = family.linears(cfg, 0).map((l) => l.module.split(".").slice(-2).join("."));
    const short = [...new Set(local.map((n) => n.split(".")[1]!))];
    throw new Error(
      `LoRA targets ${unknown.join(", ")} match no ${cfg.modelType} layer; valid: ${[...new Set([...short, ...local])].join(", ")}`,
    );
  }
  return all.filter((l) => targets.some((t) => targetMatches(l.module, t)));
}

/**
 * Builds the trainable parameters in their fixed order (LoRA A/B per layer, or the unfrozen weights, then the
 * value head). LoRA A is kaiming-uniform as in peft (bound 1/sqrt(in)), B zeros; the value head uses
 * torch.nn.Linear's default init. Unfrozen weights start as copies of the loaded ones (which stay as the frozen
 * reference), or take the loaded arrays over when `copy` is false (no reference kept: sft).
 */
export function makeParams(
  family: ModelFamily,
  cfg: DecoderConfig,
  weights: WeightStore,
  trainable: Trainable,
  opts: { valueHead: boolean; seed: number; copy?: boolean },
): { params: ParamEntry[]; lora: Map<string, LoraLayer> } {
  const rng = new Rng(opts.seed);
  const params: ParamEntry[] = [];
  const lora = new Map<string, LoraLayer>();
  const names = [...family.weightShapes(cfg).keys()];
  const unfrozen = (name: string) => {
    const w = weights.get(name);
    return { name, data: opts.copy === false ? w.data : w.data.slice(), shape: w.shape };
  };
  if (trainable.kind === "none") {
    // nothing trains
  } else if (trainable.kind === "full") {
    for (const name of names) params.push(unfrozen(name));
  } else if (trainable.kind === "top") {
    const k = trainable.k;
    if (!Number.isInteger(k) || k < 1 || k > cfg.layers) {
      throw new Error(
        `trainable top:${k}: k must be an integer from 1 to the number of layers (${cfg.layers})`,
      );
    }
    for (const name of names) {
      const block = family.blockOf(name);
      if ((block !== undefined && block >= cfg.layers - k) || family.finalNorm.includes(name))
        params.push(unfrozen(name));
    }
  } else {
    const { r, alpha } = trainable;
    if (!Number.isInteger(r) || r < 1) throw new Error(`LoRA rank r must be a positive integer, got ${r}`);
    if (!(alpha > 0)) throw new Error(`LoRA alpha must be > 0, got ${alpha}`);
    for (const spec of loraModules(family, cfg, trainable.targets ?? family.defaultLoraTargets)) {
      const A = `${spec.module}.lora_A`;
      const B = `${spec.module}.lora_B`;
      params.push({
        name: A,
        data: uniform(rng, spec.inF * r, 1 / Math.sqrt(spec.inF)),
        shape: [spec.inF, r],
      });
      params.push({ name: B, data: new Float32Array(r * spec.outF), shape: [r, spec.outF] });
      lora.set(spec.module, { A, B, scaling: alpha / r, spec });
    }
  }
  if (opts.valueHead) params.push(...valueHeadParams(rng, cfg.width));
  return { params, lora };
}

/** Value head d -> 2d -> 1 with torch.nn.Linear's default init, stored [in,out]. */
function valueHeadParams(rng: Rng, d: number): ParamEntry[] {
  return [
    { name: "v_head.c_fc.weight", data: uniform(rng, d * 2 * d, 1 / Math.sqrt(d)), shape: [d, 2 * d] },
    { name: "v_head.c_fc.bias", data: uniform(rng, 2 * d, 1 / Math.sqrt(d)), shape: [2 * d] },
    { name: "v_head.c_proj.weight", data: uniform(rng, 2 * d, 1 / Math.sqrt(2 * d)), shape: [2 * d, 1] },
    { name: "v_head.c_proj.bias", data: uniform(rng, 1, 1 / Math.sqrt(2 * d)), shape: [1] },
  ];
}

/** W += scaling * A B in the weight's own layout: [in,out] adds A B, [out,in] adds (A B)^T. */
export function mergeLora(
  W: Float32Array,
  A: Float32Array, // [in,r]
  B: Float32Array, // [r,out]
  dims: { inF: number; outF: number; r: number; scaling: number; layout: "out_in" | "in_out" },
): void {
  const { inF, outF, r, scaling } = dims;
  if (dims.layout === "in_out") {
    for (let i = 0; i < inF; i++) {
      for (let k = 0; k < r; k++) {
        const a = A[i * r + k]! * scaling;
        if (a !== 0) for (let o = 0; o < outF; o++) W[i * outF + o]! += a * B[k * outF + o]!;
      }
    }
    return;
  }
  const At = new Float32Array(r * inF); // [r,in]
  for (let i = 0; i < inF; i++) for (let k = 0; k < r; k++) At[k * inF + i] = A[i * r + k]!;
  for (let o = 0; o < outF; o++) {
    for (let k = 0; k < r; k++) {
      const b = B[k * outF + o]! * scaling;
      if (b !== 0) for (let i = 0; i < inF; i++) W[o * inF + i]! += b * At[k * inF + i]!;
    }
  }
}
