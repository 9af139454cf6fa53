// The building blocks every family's forward pass is made of (Hugging Face math): the attention mask, linear
// layers with optional LoRA, LayerNorm / RMSNorm, GELU / SwiGLU MLPs, rotary position embeddings and causal
// self-attention with a KV cache and grouped key/value heads. Hidden states flow as [N, d] (N = B*T) so every
// linear layer is one 2-D matmul; attention works on [B, heads, T, hd].
import type { Graph, Tensor } from "../engine/index.js";
import type { DecoderConfig, LeafSource, LinearSpec } from "./family.js";

export const MASKED = -1e9;

/** The additive attention bias [B,1,T,S] from a key mask [B,S] (1 = real token) and causality. */
export function attentionBias(g: Graph, keyMask: Tensor, queries: number): Tensor {
  const [B, S] = keyMask.shape as [number, number];
  const T = queries;
  // causal[t, s] = 1 when query t (the last T of S positions) may see key s
  const causal = new Float32Array(T * S);
  for (let t = 0; t < T; t++) for (let s = 0; s <= S - T + t; s++) causal[t * S + s] = 1;
  const keys = g.reshape(g.cast(keyMask, g.floatType), [B, 1, 1, S]); // [B,1,1,S]
  const allowed = g.mul(keys, g.constant(causal, [1, 1, T, S])); // [B,1,T,S]
  return g.mul(g.sub(allowed, 1), -MASKED);
}

/**
 * x [N,in] through a linear layer: x W^T for [out,in] weights (a Gemm with transB, no transposed copy) or x W
 * for [in,out] ones, + bias, + LoRA's scale * (alpha/r) * x A B when the layer is adapted. A loraScale of 0
 * gives the base model (the PPO reference policy).
 */
export function linear(
  g: Graph,
  src: LeafSource,
  x: Tensor,
  spec: Pick<LinearSpec, "module" | "layout">,
  hasBias: boolean,
  loraScale?: Tensor,
): Tensor {
  const w = src.leaf(g, `${spec.module}.weight`); // [out,in] or [in,out]
  let y = spec.layout === "out_in" ? g.matmul(x, w, { transB: true }) : g.matmul(x, w); // [N,out]
  if (hasBias) y = g.add(y, src.leaf(g, `${spec.module}.bias`)); // + [out]
  const lora = src.lora(g, spec.module);
  if (lora) {
    let delta = g.matmul(g.matmul(x, lora.A), lora.B); // [N,in] @ [in,r] @ [r,out] -> [N,out]
    delta = g.mul(delta, lora.scaling);
    if (loraScale) delta = g.mul(delta, loraScale);
    y = g.add(y, delta);
  }
  return y;
}

/** LayerNorm over the last axis with gain and bias [C]. */
export function layerNorm(g: Graph, src: LeafSource, x: Tensor, prefix: string, eps: number): Tensor {
  return g.layerNorm(x, src.leaf(g, `${prefix}.weight`), src.leaf(g, `${prefix}.bias`), eps);
}

/** RMSNorm over the last axis: w * x / sqrt(mean(x^2) + eps), w [C] (Llama, Qwen; also Qwen3's q/k norms). */
export function rmsNorm(g: Graph, src: LeafSource, x: Tensor, prefix: string, eps: number): Tensor {
  const ms = g.mean(g.mul(x, x), [-1], true); // [..., 1]
  return g.mul(g.div(x, g.sqrt(g.add(ms, eps))), src.leaf(g, `${prefix}.weight`)); // [..., C]
}

/** The family's norm (LayerNorm or RMSNorm) under `prefix`. */
export function norm(g: Graph, cfg: DecoderConfig, src: LeafSource, x: Tensor, prefix: string): Tensor {
  return cfg.norm.kind === "rms"
    ? rmsNorm(g, src, x, prefix, cfg.norm.eps)
    : layerNorm(g, src, x, prefix, cfg.norm.eps);
}

/** gelu_new (the tanh approximation). */
export function gelu(g: Graph, x: Tensor): Tensor {
  return g.gelu(x);
}

/** SwiGLU's gate: silu(gate) * up, both [N, mlpWidth]. */
export function swiglu(g: Graph, gate: Tensor, up: Tensor): Tensor {
  return g.mul(g.mul(gate, g.sigmoid(gate)), up);
}

// ---------------------------------------------------------------- rotary position embeddings
const f32 = Math.fround;

/** RoPE inverse frequencies [hd/2] in float32 steps, as transformers computes them (incl. rope_scaling). */
export function ropeInverseFrequencies(cfg: DecoderConfig): Float32Array {
  if (cfg.positions.kind !== "rope") throw new Error(`${cfg.modelType} does not use rotary positions`);
  const { theta, scaling } = cfg.positions;
  const dim = cfg.headDim;
  const inv = new Float32Array(dim / 2);
  for (let i = 0; i < dim / 2; i++) inv[i] = f32(1 / f32(f32(theta) ** f32((2 * i) / dim)));
  if (scaling?.type === "linear") for (let i = 0; i < inv.length; i++) inv[i] = f32(inv[i]! / scaling.factor);
  if (scaling?.type === "llama3") {
    // long wavelengths are divided by factor, short ones kept, the band between interpolated smoothly
    const { factor, lowFreqFactor: lo, highFreqFactor: hi, originalMaxPositions: old } = scaling;
    const lowWavelen = old / lo;
    const highWavelen = old / hi;
    for (let i = 0; i < inv.length; i++) {
      const wavelen = f32((2 * Math.PI) / inv[i]!);
      const scaled = wavelen > lowWavelen ? f32(inv[i]! / factor) : inv[i]!;
      if (wavelen < highWavelen || wavelen > lowWavelen) {
        inv[i] = scaled;
        continue;
      }
      const smooth = f32(f32(f32(old / wavelen) - lo) / (hi - lo));
      inv[i] = f32(f32(f32((1 - smooth) * scaled) / factor) + f32(smooth * scaled));
    }
  }
  return inv;
}

/** cos and sin tables [rows, hd] for positions 0..rows-1 (the two halves of hd share a frequency). */
export function ropeTables(cfg: DecoderConfig, rows: number): { cos: Float32Array; sin: Float32Array } {
  const inv = ropeInverseFrequencies(cfg);
  const hd = cfg.headDim;
  const half = hd / 2;
  const cos = new Float32Array(rows * hd);
  const sin = new Float32Array(rows * hd);
  for (let p = 0; p < rows; p++) {
    for (let i = 0; i < half; i++) {
      const angle = f32(p * inv[i]!);
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      cos[p * hd + i] = c;
      cos[p * hd + half + i] = c;
      sin[p * hd + i] = s;
      sin[p * hd + half + i] = s;
    }
  }
  return { cos, sin };
}

export interface Rotary {
  cos: Tensor; // [B,1,T,hd]
  sin: Tensor; // [B,1,T,hd]
}

/** cos/sin at each token's position; `rows` bounds the position ids (the number of key slots). */
export function rotary(g: Graph, cfg: DecoderConfig, positionIds: Tensor, rows: number): Rotary {
  const [B, T] = positionIds.shape as [number, number];
  const hd = cfg.headDim;
  const { cos, sin } = ropeTables(cfg, rows);
  const flat = g.reshape(positionIds, [B * T]);
  const at = (table: Float32Array) => g.reshape(g.gather(g.constant(table, [rows, hd]), flat), [B, 1, T, hd]); // [rows,hd] -> [B,1,T,hd]
  return { cos: at(cos), sin: at(sin) };
}

/** x * cos + rotate_half(x) * sin on [B,h,T,hd], rotate_half(x) = [-x2, x1] (halves of hd). */
export function applyRope(g: Graph, x: Tensor, r: Rotary): Tensor {
  const half = x.shape[3]! / 2;
  const [x1, x2] = g.split(x, [half, half], 3) as [Tensor, Tensor]; // [B,h,T,hd/2] each
  const rotated = g.concat([g.neg(x2), x1], 3); // [B,h,T,hd]
  return g.add(g.mul(x, r.cos), g.mul(rotated, r.sin));
}

// ---------------------------------------------------------------- attention
/** [N, h*hd] -> [B,h,T,hd]. */
export function splitHeads(g: Graph, x: Tensor, B: number, T: number, h: number, hd: number): Tensor {
  return g.transpose(g.reshape(x, [B, T, h, hd]), [0, 2, 1, 3]);
}

/** [B,h,T,hd] -> [N, h*hd]. */
export function mergeHeads(g: Graph, y: Tensor): Tensor {
  const [B, h, T, hd] = y.shape as [number, number, number, number];
  return g.reshape(g.transpose(y, [0, 2, 1, 3]), [B * T, h * hd]);
}

/**
 * Causal self-attention, softmax(q k^T / sqrt(hd) + bias) v, with KV heads shared by groups of G = H / KV query
 * heads (query head h reads KV head floor(h / G), as transformers' repeat_kv). The G heads of a group are stacked
 * along the query rows, [B,KV,G*T,hd], so every product is a plain batched matmul and K/V are never repeated.
 * With `past`, scores against the cache and against the new keys are computed apart and joined (a small
 * [.., T, P+T] tensor), so the cache itself is never copied by a concat.
 *   q [B,H,T,hd], k/v [B,KV,T,hd], bias [B,1,T,S], past k/v [B,KV,P,hd] -> [B,H,T,hd]
 */
export function attention(
  g: Graph,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  bias: Tensor,
  past?: { k: Tensor; v: Tensor },
): Tensor {
  const [B, H, T, hd] = q.shape as [number, number, number, number];
  const KV = k.shape[1]!;
  const G = H / KV;
  const P = past ? past.k.shape[2]! : 0;
  const S = P + T;
  const qg = g.reshape(q, [B, KV, G * T, hd]); // [B,KV,G*T,hd]
  let scores = g.matmul(qg, k, { transB: true }); // [B,KV,G*T,T]
  if (past) scores = g.concat([g.matmul(qg, past.k, { transB: true }), scores], 3); // [B,KV,G*T,P+T]
  // per-group view for the mask: [B,KV,G,T,S] + [B,1,1,T,S]
  const grouped = G === 1 ? scores : g.reshape(scores, [B, KV, G, T, S]);
  const mask = G === 1 ? bias : g.reshape(bias, [B, 1, 1, T, S]);
  const att = g.reshape(g.softmax(g.add(g.mul(grouped, 1 / Math.sqrt(hd)), mask), -1), [B, KV, G * T, S]);
  let y: Tensor; // [B,KV,G*T,hd]
  if (!past) y = g.matmul(att, v);
  else {
    const [aPast, aNew] = g.split(att, [P, T], 3) as [Tensor, Tensor];
    y = g.add(g.matmul(aPast, past.v), g.matmul(aNew, v));
  }
  return g.reshape(y, [B, H, T, hd]);
}
