// Llama 2 / 3 / 3.x (incl. llama3 rope_scaling), SmolLM2 and Mistral: the shared decoder with optional
// attention_bias / mlp_bias. Mistral's sliding_window caps the usable positions (exact within the window).
import { llamaLikeFamily } from "./llama-like.js";

export const llama = llamaLikeFamily({
  modelType: "llama",
  architecture: "LlamaForCausalLM",
  description: "Llama 2/3/3.x, SmolLM2 and other LlamaForCausalLM checkpoints",
  qkvBias: "attention_bias",
  oBias: "attention_bias",
  mlpBias: true,
  qkNorm: false,
  slidingWindow: "none",
});

export const mistral = llamaLikeFamily({
  modelType: "mistral",
  architecture: "MistralForCausalLM",
  description: "Mistral (positions capped at sliding_window)",
  qkvBias: "attention_bias",
  oBias: "attention_bias",
  mlpBias: false,
  qkNorm: false,
  slidingWindow: "window",
  extraJson: () => ({ sliding_window: null }),
});
