// GPT-2 (transformers' GPT2LMHeadModel): pre-LN blocks, fused c_attn, Conv1D weights stored [in,out], gelu_new MLP,
// learned positions, tied LM head. Canonical names have no `transformer.` prefix; save() adds it, as
// save_pretrained does, and loading accepts both layouts (the hub's gpt2 file has no prefix and holds
// `h.N.attn.bias` mask buffers, which are ignored).
import type { Graph, Tensor } from "../../engine/index.js";
import { attention, gelu, layerNorm, linear, mergeHeads, splitHeads } from "../blocks.js";
import {
  configReader,
  type DecoderConfig,
  type ForwardInputs,
  type ForwardResult,
  type LeafSource,
  type LinearSpec,
  type ModelFamily,
  tokenIdJson,
  tokenIds,
} from "../family.js";

/** The GPT-2 hyper-parameters in the camelCase form curio used before model families (kept for callers). */
export interface Gpt2Config {
  vocabSize: number;
  nPositions: number;
  nEmbd: number;
  nLayer: number;
  nHead: number;
  layerNormEpsilon: number;
  bosTokenId: number;
  eosTokenId: number;
}

/** A Gpt2Config as a DecoderConfig. */
export function gpt2DecoderConfig(c: Gpt2Config): DecoderConfig {
  return {
    modelType: "gpt2",
    vocabSize: c.vocabSize,
    maxPositions: c.nPositions,
    layers: c.nLayer,
    width: c.nEmbd,
    heads: c.nHead,
    kvHeads: c.nHead,
    headDim: c.nEmbd / c.nHead,
    mlpWidth: 4 * c.nEmbd,
    activation: "gelu_new",
    norm: { kind: "layer", eps: c.layerNormEpsilon },
    positions: { kind: "learned" },
    tiedHead: true,
    bias: { qkv: true, o: true, mlp: true },
    qkNorm: false,
    bosTokenId: c.bosTokenId,
    eosTokenIds: [c.eosTokenId],
  };
}

function parseConfig(c: Record<string, unknown>, file: string): DecoderConfig {
  const { fail, int, bool, ids } = configReader(c, file);
  const width = int("n_embd");
  const heads = int("n_head");
  if (width % heads !== 0) fail(`n_embd (${width}) must be divisible by n_head (${heads})`);
  const act = c.activation_function ?? "gelu_new";
  if (act !== "gelu_new" && act !== "gelu_pytorch_tanh") {
    fail(`activation_function "${act}" is not supported (only "gelu_new", the tanh approximation)`);
  }
  for (const flag of ["scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn", "add_cross_attention"]) {
    if (c[flag] === true) fail(`${flag} = true is not supported (GPT-2 checkpoints use false)`);
  }
  if (c.scale_attn_weights === false) fail("scale_attn_weights = false is not supported");
  const body = {
    modelType: "gpt2",
    vocabSize: int("vocab_size"),
    maxPositions: int("n_positions", c.n_ctx as number | undefined),
    layers: int("n_layer"),
    width,
    heads,
    kvHeads: heads,
    headDim: width / heads,
    mlpWidth: c.n_inner == null ? 4 * width : int("n_inner"),
    activation: "gelu_new" as const,
    norm: {
      kind: "layer" as const,
      eps: typeof c.layer_norm_epsilon === "number" ? c.layer_norm_epsilon : 1e-5,
    },
    positions: { kind: "learned" as const },
    tiedHead: bool("tie_word_embeddings", true),
    bias: { qkv: true, o: true, mlp: true },
    qkNorm: false,
  };
  return {
    ...body,
    ...tokenIds(
      body,
      { bos: ids("bos_token_id"), eos: ids("eos_token_id"), pad: ids("pad_token_id") },
      file,
      50256,
    ),
  };
}

function configJson(cfg: DecoderConfig): Record<string, unknown> {
  return {
    architectures: ["GPT2LMHeadModel"],
    model_type: "gpt2",
    activation_function: "gelu_new",
    vocab_size: cfg.vocabSize,
    n_positions: cfg.maxPositions,
    n_ctx: cfg.maxPositions,
    n_embd: cfg.width,
    n_layer: cfg.layers,
    n_head: cfg.heads,
    n_inner: cfg.mlpWidth === 4 * cfg.width ? null : cfg.mlpWidth,
    layer_norm_epsilon: cfg.norm.eps,
    ...tokenIdJson(cfg),
    attn_pdrop: 0,
    embd_pdrop: 0,
    resid_pdrop: 0,
    initializer_range: 0.02,
    scale_attn_weights: true,
    tie_word_embeddings: cfg.tiedHead,
    torch_dtype: "float32",
  };
}

/** The four Conv1D linears of block i by role, stored [in,out]. */
function blockLinears(cfg: DecoderConfig, i: number) {
  const d = cfg.width;
  const m = cfg.mlpWidth;
  const l = (module: string, inF: number, outF: number): LinearSpec => ({
    module,
    inF,
    outF,
    layout: "in_out",
  });
  return {
    attn: l(`h.${i}.attn.c_attn`, d, 3 * d),
    proj: l(`h.${i}.attn.c_proj`, d, d),
    fc: l(`h.${i}.mlp.c_fc`, d, m),
    mproj: l(`h.${i}.mlp.c_proj`, m, d),
  };
}

function weightShapes(cfg: DecoderConfig): Map<string, number[]> {
  const d = cfg.width;
  const shapes = new Map<string, number[]>([
    ["wte.weight", [cfg.vocabSize, d]], // [V,d]
    ["wpe.weight", [cfg.maxPositions, d]], // [P,d]
  ]);
  for (let i = 0; i < cfg.layers; i++) {
    const { attn, proj, fc, mproj } = blockLinears(cfg, i);
    const add = (name: string, shape: number[]) => shapes.set(`h.${i}.${name}`, shape);
    add("ln_1.weight", [d]);
    add("ln_1.bias", [d]);
    for (const l of [attn, proj]) {
      shapes.set(`${l.module}.weight`, [l.inF, l.outF]); // [in,out]
      shapes.set(`${l.module}.bias`, [l.outF]);
    }
    add("ln_2.weight", [d]);
    add("ln_2.bias", [d]);
    for (const l of [fc, mproj]) {
      shapes.set(`${l.module}.weight`, [l.inF, l.outF]);
      shapes.set(`${l.module}.bias`, [l.outF]);
    }
  }
  shapes.set("ln_f.weight", [d]);
  shapes.set("ln_f.bias", [d]);
  if (!cfg.tiedHead) shapes.set("lm_head.weight", [cfg.vocabSize, d]); // [V,d]
  return shapes;
}

function forward(g: Graph, cfg: DecoderConfig, src: LeafSource, inp: ForwardInputs): ForwardResult {
  const [B, T] = inp.ids.shape as [number, number];
  const d = cfg.width;
  const H = cfg.heads;
  const hd = cfg.headDim;
  const N = B * T;
  const eps = cfg.norm.eps;
  const tok = g.gather(src.leaf(g, "wte.weight"), g.reshape(inp.ids, [N])); // [N,d]
  const pos = g.gather(src.leaf(g, "wpe.weight"), g.reshape(inp.positionIds, [N])); // [N,d]
  let x = g.add(tok, pos); // [N,d]
  const present: ForwardResult["present"] = [];
  for (let i = 0; i < cfg.layers; i++) {
    const { attn: cAttn, proj: cProj, fc: cFc, mproj: mProj } = blockLinears(cfg, i);
    // ---- attention
    const a = layerNorm(g, src, x, `h.${i}.ln_1`, eps); // [N,d]
    const qkv = linear(g, src, a, cAttn, true, inp.loraScale); // [N,3d]
    const [q, k, v] = g.split(qkv, [d, d, d], 1).map((t) => splitHeads(g, t, B, T, H, hd)) as [
      Tensor,
      Tensor,
      Tensor,
    ]; // [B,H,T,hd] each
    present.push({ k, v });
    const y = attention(g, q, k, v, inp.bias, inp.past?.[i]); // [B,H,T,hd]
    x = g.add(x, linear(g, src, mergeHeads(g, y), cProj, true, inp.loraScale));
    // ---- MLP
    const m = layerNorm(g, src, x, `h.${i}.ln_2`, eps); // [N,d]
    const f = gelu(g, linear(g, src, m, cFc, true, inp.loraScale)); // [N,4d]
    x = g.add(x, linear(g, src, f, mProj, true, inp.loraScale)); // [N,d]
  }
  return { hidden: layerNorm(g, src, x, "ln_f", eps), present };
}

export const gpt2: ModelFamily = {
  modelType: "gpt2",
  description: 'GPT-2 (e.g. "gpt2", "distilgpt2")',
  parseConfig,
  configJson,
  weightShapes,
  canonicalName(name) {
    const n = name.startsWith("transformer.") ? name.slice("transformer.".length) : name;
    return /^h\.\d+\.attn\.(bias|masked_bias)$/.test(n) ? null : n; // causal-mask buffers of old checkpoints
  },
  hfName: (name) => (name === "lm_head.weight" ? name : `transformer.${name}`),
  forward,
  headWeight: (cfg) => (cfg.tiedHead ? "wte.weight" : "lm_head.weight"),
  linears: (cfg, i) => Object.values(blockLinears(cfg, i)),
  defaultLoraTargets: ["c_attn"],
  blockOf(name) {
    const m = /^h\.(\d+)\./.exec(name);
    return m ? Number(m[1]) : undefined;
  },
  finalNorm: ["ln_f.weight", "ln_f.bias"],
  init(name, cfg) {
    if (/(^|\.)ln_(\d|f)\.weight$/.test(name)) return { fill: 1 };
    if (!name.endsWith(".weight")) return { fill: 0 };
    // GPT-2 scales the residual projections by 1/sqrt(2 * n_layer)
    return { std: name.endsWith("c_proj.weight") ? 0.02 / Math.sqrt(2 * cfg.layers) : 0.02 };
  },
  peftName: (module) => `base_model.model.transformer.${module}`,
  fanInFanOut: true,
};

/** GPT-2's weights with their shapes (canonical names), for either config form. */
export function gpt2WeightShapes(cfg: Gpt2Config | DecoderConfig): Map<string, number[]> {
  return weightShapes("nEmbd" in cfg ? gpt2DecoderConfig(cfg) : cfg);
}
