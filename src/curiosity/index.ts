// Curiosity terms: SelfBLEU novelty (incremental index), embedding novelty, reward composition, word tokenizer.
export { bleuBruteForce, brevityPenalty, fsum } from "./bleu.js";
export {
  type EmbeddingInput,
  EmbeddingNovelty,
  type EmbeddingNoveltyJSON,
  type EmbeddingNoveltyMode,
  type EmbeddingNoveltyOptions,
  type EmbeddingScore,
  embeddingProblem,
  targetDiversity,
} from "./embedding.js";
export {
  composeRewards,
  type NoveltyState,
  noveltyText,
  REWARD_PRESETS,
  type RewardBatchResult,
  type RewardOptions,
  type RewardPreset,
  type RewardSample,
  type RewardWeights,
  resolveWeights,
} from "./reward.js";
export {
  DEFAULT_BLEU_ORDERS,
  SelfBleuNovelty,
  type SelfBleuNoveltyJSON,
  type SelfBleuOptions,
  selfBleu,
} from "./selfbleu.js";
export { wordTokenize } from "./tokenize.js";
