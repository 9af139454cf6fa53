// Which tensors train: full (every weight), LoRA adapters, or the top k blocks; plus the optional value head.

import { Rng } from "../util/rng.js";
import type { Gpt2Config } from "./config.js";
import { type Gpt2Weights, gpt2WeightShapes } from "./weights.js";

export type Trainable =
  | { kind: "full" }
  | { kind: "lora"; r: number; alpha: number; targets?: string[] /* default ["c_attn"] */ }
  | { kind: "top"; k: number };

export interface ParamEntry {
  name: string;
  data: Float32Array;
  shape: number[];
}

/** The linear layers of one block with their [in, out] sizes; LoRA targets match the last name part or all of it. */
export function blockLinears(cfg: Gpt2Config, i: number): { layer: string; inF: number; outF: number }[] {
  const d = cfg.nEmbd;
  return [
    { layer: `h.${i}.attn.c_attn`, inF: d, outF: 3 * d },
    { layer: `h.${i}.attn.c_proj`, inF: d, outF: d },
    { layer: `h.${i}.mlp.c_fc`, inF: d, outF: 4 * d },
    { layer: `h.${i}.mlp.c_proj`, inF: 4 * d, outF: d },
  ];
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

/**
 * Builds the trainable parameters in their fixed order (LoRA A/B per layer, or the unfrozen weights, then the
 * value head). LoRA A is kaiming-uniform as in peft (bound 1/sqrt(in)), B zeros; the value head uses
 * torch.nn.Linear's default init. Unfrozen weights start as copies of the loaded weights.
 */
export function makeParams(
  cfg: Gpt2Config,
  weights: Gpt2Weights,
  trainable: Trainable,
  opts: { valueHead: boolean; seed: number },
): { params: ParamEntry[]; lora: Map<string, { A: string; B: string; scaling: number }> } {
  const rng = new Rng(opts.seed);
  const params: ParamEntry[] = [];
  const lora = new Map<string, { A: string; B: string; scaling: number }>();
  const shapes = gpt2WeightShapes(cfg);
  const copyOf = (name: string) => ({ name, data: weights.get(name)!.slice(), shape: shapes.get(name)! });
  if (trainable.kind === "full") {
    for (const name of shapes.keys()) params.push(copyOf(name));
  } else if (trainable.kind === "top") {
    const k = trainable.k;
    if (!Number.isInteger(k) || k < 1 || k > cfg.nLayer) {
      throw new Error(`trainable top:${k}: k must be an integer from 1 to n_layer (${cfg.nLayer})`);
    }
    for (const name of shapes.keys()) {
      const block = /^h\.(\d+)\./.exec(name);
      if ((block && Number(block[1]) >= cfg.nLayer - k) || name.startsWith("ln_f."))
        params.push(copyOf(name));
    }
  } else {
    const { r, alpha } = trainable;
    if (!Number.isInteger(r) || r < 1) throw new Error(`LoRA rank r must be a positive integer, got ${r}`);
    if (!(alpha > 0)) throw new Error(`LoRA alpha must be > 0, got ${alpha}`);
    const targets = trainable.targets ?? ["c_attn"];
    const matched = new Set<string>();
    for (let i = 0; i < cfg.nLayer; i++) {
      for (const { layer, inF, outF } of blockLinears(cfg, i)) {
        const local = layer.slice(`h.${i}.`.length); // e.g. attn.c_attn
        const t = targets.find((x) => x === local || x === local.split(".")[1]);
        if (!t) continue;
        matched.add(t);
        const A = `${layer}.lora_A`;
        const B = `${layer}.lora_B`;
        params.push({ name: A, data: uniform(rng, inF * r, 1 / Math.sqrt(inF)), shape: [inF, r] });
        params.push({ name: B, data: new Float32Array(r * outF), shape: [r, outF] });
        lora.set(layer, { A, B, scaling: alpha / r });
      }
    }
    const unknown = targets.filter((t) => !matched.has(t));
    if (unknown.length > 0) {
      throw new Error(
        `LoRA targets ${unknown.join(", ")} match no layer; valid: c_attn, c_proj, c_fc, attn.c_proj, mlp.c_proj`,
      );
    }
  }
  if (opts.valueHead) {
    const d = cfg.nEmbd;
    params.push({
      name: "v_head.c_fc.weight",
      data: uniform(rng, d * 2 * d, 1 / Math.sqrt(d)),
      shape: [d, 2 * d],
    });
    params.push({ name: "v_head.c_fc.bias", data: uniform(rng, 2 * d, 1 / Math.sqrt(d)), shape: [2 * d] });
    params.push({
      name: "v_head.c_proj.weight",
      data: uniform(rng, 2 * d, 1 / Math.sqrt(2 * d)),
      shape: [2 * d, 1],
    });
    params.push({ name: "v_head.c_proj.bias", data: uniform(rng, 1, 1 / Math.sqrt(2 * d)), shape: [1] });
  }
  return { params, lora };
}
