// Public API of src/providers: the contracts, the factories, the registry and the building blocks.

export type { ProviderContext, RetryNotice } from "./context.js";
export { renderProvidersDoc } from "./docs.js";
export { hashingEmbed } from "./embedders/hashing.js";
export { createEmbedder, createGibberish, createJudge, createTarget, parseProviderId } from "./factory.js";
export { heuristicGibberish } from "./gibberish/heuristic.js";
export { HttpClient, type HttpClientConfig, type HttpOutcome, type HttpRequest } from "./http/client.js";
export { Semaphore, TokenBucket } from "./http/limiter.js";
export { backoffDelay, parseRetryAfter, type RetryPolicy } from "./http/retry.js";
export { removeEcho } from "./judges/echo.js";
export { createGuardJudge, type GuardOptions, guardJudge } from "./judges/guard.js";
export { GUARD_FORMATS, LLAMA_GUARD_CATEGORIES } from "./judges/guard-formats.js";
export { DEFAULT_JUDGE_TEMPLATE } from "./judges/llm-judge.js";
export { CLASSIFIER_FILE, classifierText, createLocalClassifier } from "./judges/local-classifier.js";
export {
  type CreateContext,
  kindsOfRole,
  PROVIDER_KIND_NAMES,
  type ProviderKindName,
  providerKinds,
  type Role,
} from "./registry.js";
export {
  ALPACA_TEMPLATE,
  applyTemplate,
  type ChatMessage,
  LLAMA2_DEFAULT_SYSTEM_PROMPT,
  type PreprocessOptions,
  prepareTargetInput,
  preprocessTestCase,
  TEMPLATE_NAMES,
  type TemplateName,
  toChatMessages,
  VICUNA_SYSTEM_PROMPT,
} from "./templates.js";
export {
  type Embedder,
  type GibberishScorer,
  isTrainableTarget,
  type Judge,
  type JudgeResult,
  type ProviderSpec,
  type SafetyPair,
  type SafetyTuneOptions,
  type Target,
  type TargetCallOptions,
  type TargetResult,
  type TrainableTarget,
} from "./types.js";
