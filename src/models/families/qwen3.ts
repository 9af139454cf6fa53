// Qwen3: the shared decoder with per-head RMSNorm of queries and keys (q_norm / k_norm over head_dim, before
// RoPE) and an explicit head_dim (128 when config.json has none, as in transformers).
import { llamaLikeFamily } from "./llama-like.js";

export const qwen3 = llamaLikeFamily({
  modelType: "qwen3",
  architecture: "Qwen3ForCausalLM",
  description: "Qwen3 (dense)",
  defaultHeadDim: 128,
  qkvBias: "attention_bias",
  oBias: "attention_bias",
  mlpBias: false,
  qkNorm: true,
  slidingWindow: "flag",
  extraJson: () => ({ use_sliding_window: false, sliding_window: null }),
});
