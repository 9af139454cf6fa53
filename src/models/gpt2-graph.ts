// The GPT-2 forward pass as an engine graph (Hugging Face GPT2LMHeadModel math): pre-LN blocks, fused c_attn,
// causal + padding mask added as a large negative, gelu_new MLP, learned positions, tied LM head.
// Hidden states flow as [N, d] (N = B*T) so every linear layer is one 2-D matmul; attention reshapes to 4-D.
import type { Graph, Tensor } from "../engine/index.js";
import type { Gpt2Config } from "./config.js";

/** Where a named tensor comes from: a frozen initializer or a trainable graph param (decided by the policy). */
export interface LeafSource {
  leaf(g: Graph, name: string): Tensor;
  /** LoRA factors for a linear layer ("h.0.attn.c_attn"), if adapted. */
  lora(g: Graph, layer: string): { A: Tensor; B: Tensor; scaling: number } | undefined;
}

export interface ForwardInputs {
  ids: Tensor; // [B,T] int64
  positionIds: Tensor; // [B,T] int64
  /** Additive attention bias [B,1,T,S] (0 = attend, large negative = masked). */
  bias: Tensor;
  loraScale?: Tensor; // [1] or []
  /** Cached keys/values per layer, each [B,H,P,hd]; the bias then covers P + T keys. */
  past?: { k: Tensor; v: Tensor }[];
}

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

function linear(g: Graph, src: LeafSource, x: Tensor, layer: string, loraScale?: Tensor): Tensor {
  let y = g.linear(x, src.leaf(g, `${layer}.weight`), src.leaf(g, `${layer}.bias`)); // [N, out]
  const lora = src.lora(g, layer);
  if (lora) {
    // h + scale * (x @ A @ B) * (alpha / r); scale 0 gives the base model (the PPO reference policy)
    let delta = g.matmul(g.matmul(x, lora.A), lora.B); // [N,r] -> [N,out]
    delta = g.mul(delta, lora.scaling);
    if (loraScale) delta = g.mul(delta, loraScale);
    y = g.add(y, delta);
  }
  return y;
}

/** Runs the transformer; returns the final hidden state [B*T, d] after ln_f and each layer's new keys/values. */
export function gpt2Forward(
  g: Graph,
  cfg: Gpt2Config,
  src: LeafSource,
  inp: ForwardInputs,
): { hidden: Tensor; present: { k: Tensor; v: Tensor }[] } {
  const [B, T] = inp.ids.shape as [number, number];
  const d = cfg.nEmbd;
  const H = cfg.nHead;
  const hd = d / H;
  const N = B * T;
  const eps = cfg.layerNormEpsilon;
  const tok = g.gather(src.leaf(g, "wte.weight"), g.reshape(inp.ids, [N])); // [N,d]
  const pos = g.gather(src.leaf(g, "wpe.weight"), g.reshape(inp.positionIds, [N])); // [N,d]
  let x = g.add(tok, pos); // [N,d]
  const heads = (t: Tensor) => g.transpose(g.reshape(t, [B, T, H, hd]), [0, 2, 1, 3]); // [N,d] -> [B,H,T,hd]
  const present: { k: Tensor; v: Tensor }[] = [];
  for (let i = 0; i < cfg.nLayer; i++) {
    const p = `h.${i}`;
    // ---- attention
    const a = g.layerNorm(x, src.leaf(g, `${p}.ln_1.weight`), src.leaf(g, `${p}.ln_1.bias`), eps); // [N,d]
    const qkv = linear(g, src, a, `${p}.attn.c_attn`, inp.loraScale); // [N,3d]
    const [q0, k0, v0] = g.split(qkv, [d, d, d], 1) as [Tensor, Tensor, Tensor];
    const q = heads(q0); // [B,H,T,hd]
    const kNew = heads(k0);
    const vNew = heads(v0);
    present.push({ k: kNew, v: vNew });
    const past = inp.past?.[i];
    let yh: Tensor; // [B,H,T,hd]
    if (!past) {
      let att = g.matmul(q, kNew, { transB: true }); // [B,H,T,T]
      att = g.softmax(g.add(g.mul(att, 1 / Math.sqrt(hd)), inp.bias), -1);
      yh = g.matmul(att, vNew);
    } else {
      // Scores against the cache and against the new keys are computed apart and joined (small [B,H,T,P+T]),
      // so the cache itself is never copied by a concat.
      const P = past.k.shape[2]!;
      const sPast = g.matmul(q, past.k, { transB: true }); // [B,H,T,P]
      const sNew = g.matmul(q, kNew, { transB: true }); // [B,H,T,T]
      let att = g.mul(g.concat([sPast, sNew], 3), 1 / Math.sqrt(hd)); // [B,H,T,P+T]
      att = g.softmax(g.add(att, inp.bias), -1);
      const [aPast, aNew] = g.split(att, [P, T], 3) as [Tensor, Tensor];
      yh = g.add(g.matmul(aPast, past.v), g.matmul(aNew, vNew)); // [B,H,T,hd]
    }
    const y = g.reshape(g.transpose(yh, [0, 2, 1, 3]), [N, d]); // [B,H,T,hd] -> [N,d]
    x = g.add(x, linear(g, src, y, `${p}.attn.c_proj`, inp.loraScale));
    // ---- MLP
    const m = g.layerNorm(x, src.leaf(g, `${p}.ln_2.weight`), src.leaf(g, `${p}.ln_2.bias`), eps);
    const f = g.gelu(linear(g, src, m, `${p}.mlp.c_fc`, inp.loraScale)); // [N,4d]
    x = g.add(x, linear(g, src, f, `${p}.mlp.c_proj`, inp.loraScale));
  }
  const hidden = g.layerNorm(x, src.leaf(g, "ln_f.weight"), src.leaf(g, "ln_f.bias"), eps); // [N,d]
  return { hidden, present };
}

/** Tied LM head: [..., d] -> [..., V]. */
export function gpt2LmHead(g: Graph, src: LeafSource, hidden: Tensor): Tensor {
  const lead = hidden.shape.slice(0, -1);
  const d = hidden.shape[hidden.shape.length - 1]!;
  const wte = src.leaf(g, "wte.weight"); // [V,d]
  const flat = lead.length === 1 ? hidden : g.reshape(hidden, [-1, d]);
  const logits = g.matmul(flat, wte, { transB: true }); // [N,V]
  return lead.length === 1 ? logits : g.reshape(logits, [...lead, wte.shape[0]!]);
}

/** Value head d -> 2d -> 1 with ReLU: [..., d] -> [...]. */
export function valueHeadGraph(g: Graph, src: LeafSource, hidden: Tensor): Tensor {
  const lead = hidden.shape.slice(0, -1);
  const d = hidden.shape[hidden.shape.length - 1]!;
  const flat = lead.length === 1 ? hidden : g.reshape(hidden, [-1, d]);
  const h = g.relu(g.linear(flat, src.leaf(g, "v_head.c_fc.weight"), src.leaf(g, "v_head.c_fc.bias"))); // [N,2d]
  const v = g.linear(h, src.leaf(g, "v_head.c_proj.weight"), src.leaf(g, "v_head.c_proj.bias")); // [N,1]
  return g.reshape(v, lead.length === 0 ? [] : lead);
}
