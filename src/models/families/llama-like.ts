// The decoder that Llama, Mistral, Qwen2 and Qwen3 share (transformers' LlamaForCausalLM and its descendants):
// RMSNorm pre-norm blocks, separate q/k/v/o projections stored [out,in], rotary positions (optionally scaled),
// grouped KV heads, a SwiGLU MLP, a tied or separate lm_head. A family file states only how it differs:
// which projections have biases, per-head q/k norms, the default head_dim, sliding-window keys.
import type { Graph } from "../../engine/index.js";
import {
  applyRope,
  attention,
  linear,
  mergeHeads,
  norm,
  rmsNorm,
  rotary,
  splitHeads,
  swiglu,
} from "../blocks.js";
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
import { parsePositions, ropeJson } from "./rope-config.js";

export interface LlamaLikeSpec {
  modelType: string;
  architecture: string;
  description: string;
  /** head_dim when config.json has none (undefined: hidden_size / num_attention_heads). */
  defaultHeadDim?: number;
  /** q/k/v biases: from config.attention_bias, or always on (Qwen2). */
  qkvBias: "attention_bias" | "always";
  /** o_proj bias: from config.attention_bias, or never (Qwen2). */
  oBias: "attention_bias" | "never";
  /** Whether config.mlp_bias exists (Llama). */
  mlpBias: boolean;
  qkNorm: boolean;
  /**
   * Sliding-window keys: "flag" (Qwen: use_sliding_window / layer_types; refused when on), "window" (Mistral:
   * sliding_window caps the usable positions, which is exact within the window), "none".
   */
  slidingWindow: "flag" | "window" | "none";
  /** Extra config.json keys save() writes. */
  extraJson?: (cfg: DecoderConfig) => Record<string, unknown>;
}

function names(i: number) {
  const p = `model.layers.${i}`;
  return {
    inputNorm: `${p}.input_layernorm`,
    q: `${p}.self_attn.q_proj`,
    k: `${p}.self_attn.k_proj`,
    v: `${p}.self_attn.v_proj`,
    o: `${p}.self_attn.o_proj`,
    qNorm: `${p}.self_attn.q_norm`,
    kNorm: `${p}.self_attn.k_norm`,
    postNorm: `${p}.post_attention_layernorm`,
    gate: `${p}.mlp.gate_proj`,
    up: `${p}.mlp.up_proj`,
    down: `${p}.mlp.down_proj`,
  };
}

/** The seven linears of block i by role. */
function blockLinears(cfg: DecoderConfig, i: number) {
  const n = names(i);
  const d = cfg.width;
  const qw = cfg.heads * cfg.headDim;
  const kvw = cfg.kvHeads * cfg.headDim;
  const m = cfg.mlpWidth;
  const l = (module: string, inF: number, outF: number): LinearSpec => ({
    module,
    inF,
    outF,
    layout: "out_in",
  });
  return {
    q: l(n.q, d, qw),
    k: l(n.k, d, kvw),
    v: l(n.v, d, kvw),
    o: l(n.o, qw, d),
    gate: l(n.gate, d, m),
    up: l(n.up, d, m),
    down: l(n.down, m, d),
  };
}

function weightShapes(cfg: DecoderConfig): Map<string, number[]> {
  const d = cfg.width;
  const shapes = new Map<string, number[]>([["model.embed_tokens.weight", [cfg.vocabSize, d]]]); // [V,d]
  for (let i = 0; i < cfg.layers; i++) {
    const n = names(i);
    const { q, k, v, o, gate, up, down } = blockLinears(cfg, i);
    const lin = (s: LinearSpec, bias: boolean) => {
      shapes.set(`${s.module}.weight`, [s.outF, s.inF]); // [out,in]
      if (bias) shapes.set(`${s.module}.bias`, [s.outF]);
    };
    shapes.set(`${n.inputNorm}.weight`, [d]);
    for (const s of [q, k, v]) lin(s, cfg.bias.qkv);
    lin(o, cfg.bias.o);
    if (cfg.qkNorm) {
      shapes.set(`${n.qNorm}.weight`, [cfg.headDim]);
      shapes.set(`${n.kNorm}.weight`, [cfg.headDim]);
    }
    shapes.set(`${n.postNorm}.weight`, [d]);
    for (const s of [gate, up, down]) lin(s, cfg.bias.mlp);
  }
  shapes.set("model.norm.weight", [d]);
  if (!cfg.tiedHead) shapes.set("lm_head.weight", [cfg.vocabSize, d]); // [V,d]
  return shapes;
}

function forward(g: Graph, cfg: DecoderConfig, src: LeafSource, inp: ForwardInputs): ForwardResult {
  const [B, T] = inp.ids.shape as [number, number];
  const { heads: H, kvHeads: KV, headDim: hd } = cfg;
  const N = B * T;
  const eps = cfg.norm.eps;
  const P = inp.past?.[0]?.k.shape[2] ?? 0;
  let x = g.gather(src.leaf(g, "model.embed_tokens.weight"), g.reshape(inp.ids, [N])); // [N,d]
  const rot = rotary(g, cfg, inp.positionIds, P + T); // cos/sin [B,1,T,hd]
  const present: ForwardResult["present"] = [];
  for (let i = 0; i < cfg.layers; i++) {
    const n = names(i);
    const { q, k, v, o, gate, up, down } = blockLinears(cfg, i);
    // ---- attention
    const a = norm(g, cfg, src, x, n.inputNorm); // [N,d]
    const project = (s: LinearSpec, heads: number, qkNorm: string) => {
      const y = linear(g, src, a, s, cfg.bias.qkv, inp.loraScale); // [N, heads*hd]
      if (!cfg.qkNorm) return splitHeads(g, y, B, T, heads, hd); // [B,heads,T,hd]
      const perHead = rmsNorm(g, src, g.reshape(y, [B, T, heads, hd]), qkNorm, eps); // norm over hd
      return g.transpose(perHead, [0, 2, 1, 3]); // [B,heads,T,hd]
    };
    const qh = applyRope(g, project(q, H, n.qNorm), rot); // [B,H,T,hd]
    const kh = applyRope(g, project(k, KV, n.kNorm), rot); // [B,KV,T,hd]
    const vh = splitHeads(g, linear(g, src, a, v, cfg.bias.qkv, inp.loraScale), B, T, KV, hd); // [B,KV,T,hd]
    present.push({ k: kh, v: vh });
    const y = attention(g, qh, kh, vh, inp.bias, inp.past?.[i]); // [B,H,T,hd]
    x = g.add(x, linear(g, src, mergeHeads(g, y), o, cfg.bias.o, inp.loraScale)); // [N,d]
    // ---- MLP
    const m = norm(g, cfg, src, x, n.postNorm); // [N,d]
    const inner = swiglu(
      g,
      linear(g, src, m, gate, cfg.bias.mlp, inp.loraScale),
      linear(g, src, m, up, cfg.bias.mlp, inp.loraScale),
    ); // [N,mlpWidth]
    x = g.add(x, linear(g, src, inner, down, cfg.bias.mlp, inp.loraScale)); // [N,d]
  }
  return { hidden: norm(g, cfg, src, x, "model.norm"), present };
}

function parseConfig(spec: LlamaLikeSpec, c: Record<string, unknown>, file: string): DecoderConfig {
  const { fail, int, num, bool, ids } = configReader(c, file);
  const act = c.hidden_act ?? "silu";
  if (act !== "silu") fail(`hidden_act "${act}" is not supported (only "silu")`);
  if (c.pretraining_tp != null && c.pretraining_tp !== 1) {
    fail(`pretraining_tp ${c.pretraining_tp} is not supported (only 1)`);
  }
  const width = int("hidden_size");
  const heads = int("num_attention_heads");
  const kvHeads = int("num_key_value_heads", heads);
  if (heads % kvHeads !== 0) {
    fail(`num_attention_heads (${heads}) must be a multiple of num_key_value_heads (${kvHeads})`);
  }
  if (c.head_dim == null && spec.defaultHeadDim === undefined && width % heads !== 0) {
    fail(
      `hidden_size (${width}) must be divisible by num_attention_heads (${heads}) when head_dim is absent`,
    );
  }
  const headDim = int("head_dim", spec.defaultHeadDim ?? width / heads);
  if (headDim % 2 !== 0) fail(`head_dim ${headDim} must be even for rotary embeddings`);
  let maxPositions = int("max_position_embeddings");
  if (spec.slidingWindow === "flag") {
    const types = Array.isArray(c.layer_types) ? (c.layer_types as unknown[]) : [];
    if (c.use_sliding_window === true || types.some((t) => t === "sliding_attention")) {
      fail(
        "sliding-window attention (use_sliding_window / layer_types) is not supported; set use_sliding_window false",
      );
    }
  } else if (spec.slidingWindow === "window" && c.sliding_window != null) {
    maxPositions = Math.min(maxPositions, int("sliding_window"));
  }
  const attnBias = bool("attention_bias", false);
  const body = {
    modelType: spec.modelType,
    vocabSize: int("vocab_size"),
    maxPositions,
    layers: int("num_hidden_layers"),
    width,
    heads,
    kvHeads,
    headDim,
    mlpWidth: int("intermediate_size"),
    activation: "silu" as const,
    norm: { kind: "rms" as const, eps: num("rms_norm_eps", 1e-6) },
    positions: parsePositions(c, file, maxPositions),
    tiedHead: bool("tie_word_embeddings", false),
    bias: {
      qkv: spec.qkvBias === "always" || attnBias,
      o: spec.oBias === "attention_bias" && attnBias,
      mlp: spec.mlpBias && bool("mlp_bias", false),
    },
    qkNorm: spec.qkNorm,
  };
  return {
    ...body,
    ...tokenIds(
      body,
      { bos: ids("bos_token_id"), eos: ids("eos_token_id"), pad: ids("pad_token_id") },
      file,
      0,
    ),
  };
}

function configJson(spec: LlamaLikeSpec, cfg: DecoderConfig): Record<string, unknown> {
  return {
    architectures: [spec.architecture],
    model_type: spec.modelType,
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.width,
    intermediate_size: cfg.mlpWidth,
    num_hidden_layers: cfg.layers,
    num_attention_heads: cfg.heads,
    num_key_value_heads: cfg.kvHeads,
    head_dim: cfg.headDim,
    hidden_act: "silu",
    max_position_embeddings: cfg.maxPositions,
    rms_norm_eps: cfg.norm.eps,
    ...ropeJson(cfg.positions),
    ...(spec.qkvBias === "attention_bias" ? { attention_bias: cfg.bias.qkv } : {}),
    ...(spec.mlpBias ? { mlp_bias: cfg.bias.mlp } : {}),
    tie_word_embeddings: cfg.tiedHead,
    attention_dropout: 0,
    initializer_range: 0.02,
    use_cache: true,
    ...tokenIdJson(cfg),
    ...spec.extraJson?.(cfg),
    torch_dtype: "float32",
  };
}

/** A ModelFamily over the shared Llama-style decoder. */
export function llamaLikeFamily(spec: LlamaLikeSpec): ModelFamily {
  return {
    modelType: spec.modelType,
    description: spec.description,
    parseConfig: (raw, file) => parseConfig(spec, raw, file),
    configJson: (cfg) => configJson(spec, cfg),
    weightShapes,
    // rotary_emb.inv_freq: a buffer some older checkpoints saved
    canonicalName: (name) => (/\.rotary_emb\.inv_freq$/.test(name) ? null : name),
    hfName: (name) => name,
    forward,
    headWeight: (cfg) => (cfg.tiedHead ? "model.embed_tokens.weight" : "lm_head.weight"),
    linears: (cfg, i) => Object.values(blockLinears(cfg, i)),
    defaultLoraTargets: ["q_proj", "v_proj"],
    blockOf(name) {
      const m = /^model\.layers\.(\d+)\./.exec(name);
      return m ? Number(m[1]) : undefined;
    },
    finalNorm: ["model.norm.weight"],
    init: (name) =>
      /(layernorm|norm)\.weight$/.test(name)
        ? { fill: 1 }
        : name.endsWith(".bias")
          ? { fill: 0 }
          : { std: 0.02 },
    peftName: (module) => `base_model.model.${module}`,
    fanInFanOut: false,
  };
}
