// Public API of src/models: GPT-2 loading, the trainable policy, generation, sft, safetensors and the hub resolver.

export { type CausalLM, loadCausalLM } from "./causal-lm.js";
export {
  CHAT_TEMPLATE_FILE,
  type ChatRenderOptions,
  ChatTemplate,
  type ChatTemplateMessage,
  loadChatTemplate,
  strftime,
} from "./chat-template.js";
export {
  type Gpt2Config,
  gpt2ConfigJson,
  loadGpt2Config,
  parseGpt2Config,
  SUPPORTED_MODEL_TYPES,
} from "./config.js";
export { type GenerateOptions, type Generation, positions } from "./generate.js";
export { defaultCacheDir, hubCacheFolder, type ResolveOptions, resolveModel } from "./hub.js";
export { type Gpt2LoadOptions, Gpt2Policy, type HiddenInputs, MODEL_FILES } from "./policy.js";
export {
  type ChatTemplateMode,
  type InstructionPrompt,
  type InstructionPromptOptions,
  instructionPrompt,
} from "./prompt.js";
export {
  parseSafeTensors,
  readSafeTensors,
  type SafeTensor,
  SafeTensorsError,
  type SafeTensorsFile,
  serializeSafeTensors,
  writeSafeTensors,
} from "./safetensors.js";
export { filteredDistribution, logSoftmaxAt, nucleus, sampleToken } from "./sampling.js";
export { lmBatchFeeds, lmLossGraph, readSftData, type SftOptions, type SftResult, sft } from "./sft.js";
export {
  createTokenizer,
  type EncodeOptions,
  loadTokenizer,
  type ModelSpecialIds,
  OPTIONAL_TOKENIZER_FILES,
  type TextTokenizer,
  TOKENIZER_FILE,
} from "./tokenizer.js";
export { type ParamEntry, parseTrainable, type Trainable } from "./trainable.js";
export { type Gpt2Weights, gpt2WeightShapes, loadGpt2Weights } from "./weights.js";
