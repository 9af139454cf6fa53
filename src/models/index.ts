// Public API of src/models: model families, loading, the trainable policy, generation, sft, PEFT adapters,
// safetensors and the hub resolver.

export { attentionBias, ropeInverseFrequencies } from "./blocks.js";
export { type CausalLM, type CausalLMOptions, loadCausalLM } from "./causal-lm.js";
export {
  CHAT_TEMPLATE_FILE,
  type ChatContentPart,
  type ChatRenderOptions,
  ChatTemplate,
  type ChatTemplateMessage,
  loadChatTemplate,
  strftime,
} from "./chat-template.js";
export { MODEL_FILES } from "./checkpoint-folder.js";
export { loadModelConfig, parseModelConfig, SUPPORTED_MODEL_TYPES } from "./config.js";
export { type Gpt2Config, gpt2DecoderConfig, gpt2WeightShapes } from "./families/gpt2.js";
export { FAMILIES, familyOf, type ModelType } from "./families/index.js";
export type { DecoderConfig, ModelFamily, Positions, RopeScaling } from "./family.js";
export { type GenerateOptions, type Generation, positions } from "./generate.js";
export { defaultCacheDir, hubCacheFolder, type ResolveOptions, resolveModel } from "./hub.js";
export { type PeftAdapter, readPeftAdapter } from "./peft.js";
export { DecoderPolicy, decodeWeightMode, Gpt2Policy, PREPACKED_DECODE_MAX_BYTES } from "./policy.js";
export type { Gpt2LoadOptions, HiddenInputs, Policy, PolicyLoadOptions } from "./policy-types.js";
export {
  type ChatTemplateMode,
  type InstructionPrompt,
  type InstructionPromptOptions,
  instructionPrompt,
} from "./prompt.js";
export { decoderConfig, type ModelShape, randomWeights, writeRandomModel } from "./random-init.js";
export {
  parseSafeTensors,
  readSafeTensors,
  type SafeTensor,
  SafeTensorsError,
  type SafeTensorsFile,
  serializeSafeTensors,
  writeSafeTensors,
} from "./safetensors.js";
export { filteredDistribution, logSoftmaxAt, nucleus, sampleToken, TokenSampler } from "./sampling.js";
export {
  type LmExample,
  lmBatchFeeds,
  lmLossGraph,
  readSftData,
  type SftOptions,
  type SftResult,
  sft,
  type TrainLmOptions,
  trainLm,
} from "./sft.js";
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
export { loadWeights, type StoredTensor, WeightStore } from "./weights.js";
