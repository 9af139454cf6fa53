// Qwen2 / Qwen2.5: the shared decoder with biases on q/k/v (never on o_proj or the MLP).
import { llamaLikeFamily } from "./llama-like.js";

export const qwen2 = llamaLikeFamily({
  modelType: "qwen2",
  architecture: "Qwen2ForCausalLM",
  description: "Qwen2 and Qwen2.5",
  qkvBias: "always",
  oBias: "never",
  mlpBias: false,
  qkNorm: false,
  slidingWindow: "flag",
  extraJson: () => ({ use_sliding_window: false, sliding_window: null }),
});
