// Curiosity terms: SelfBLEU novelty (incremental index), embedding novelty, reward composition, word tokenizer.
export { bleuBruteForce, brevityPenalty, fsum } from "./bleu.js";
export {
  type EmbeddingInput,
  EmbeddingNovelty,
  type EmbeddingNoveltyMode,
  type EmbeddingNoveltyOptions,
  type EmbeddingNoveltyState,
  type EmbeddingScore,
  embeddingProblem,
  targetDiversity,
} from "./embedding.js";
export {
  composeRewards,
  type NoveltyState,
  noveltyText,
  type RewardBatchResult,
  type RewardOptions,
  type RewardSample,
  type RewardWeights,
} from "./reward.js";
export {
  DEFAULT_BLEU_ORDERS,
  SelfBleuNovelty,
  type SelfBleuNoveltyState,
  type SelfBleuOptions,
  selfBleu,
} from "./selfbleu.js";
export { wordTokenize } from "./tokenize.js";
