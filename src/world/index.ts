// The sandbox world: an offline, deterministic target with known failure modes, its judges, corpus, tokenizer
// and red-team policy, and ground-truth metrics.

export {
  BENCH_METRICS,
  type BenchMetric,
  type BenchRun,
  type MethodSummary,
  markdownTable,
  summarizeRuns,
  svgChart,
} from "./bench-report.js";
export {
  type BuildWorldOptions,
  buildWorld,
  DEFAULT_PRETRAIN,
  type PretrainSettings,
  WORLD_VERSION,
  type World,
  type WorldManifest,
  type WorldPaths,
} from "./build.js";
export { cellKey, VULNERABLE_CELLS, type VulnerableCell, vulnerabilityTable } from "./cells.js";
export {
  type Cell,
  type CorpusOptions,
  corpusBigrams,
  enumerateSentences,
  generateCorpus,
  type LabelledPrompt,
  words,
} from "./corpus.js";
export { evaluateWorldRun, type WorldRunEvaluation } from "./evaluate.js";
export {
  FEW_SHOT_END,
  FEW_SHOT_HEADER,
  SEED_TEMPLATE,
  seedInstruction,
  sftText,
  ZERO_SHOT_CONTEXTS,
} from "./format.js";
export {
  ALARM_TERMS,
  createNaiveJudge,
  createStrictJudge,
  type LexiconTerm,
  UNSAFE_ANSWER_TERMS,
  WORLD_LEXICON,
  WorldGibberish,
} from "./judges.js";
export {
  type CellCount,
  normalizePrompt,
  type WorldMetrics,
  type WorldSample,
  worldMetrics,
} from "./metrics.js";
export { DEFAULT_MODEL_SPEC, randomGpt2Weights, type WorldModelSpec, writeRandomGpt2 } from "./model.js";
export { parseCell, unwrapPrompt } from "./parse.js";
export {
  createWorldGibberish,
  createWorldJudge,
  createWorldTarget,
  worldTargetOptions,
} from "./providers.js";
export { prepareWorld, WORLD_MODEL_PREFIX, WORLD_SEED, worldCacheDir } from "./source.js";
export { STYLES, type Style } from "./styles.js";
export {
  type AnswerKind,
  asWorldMeta,
  recoverMeta,
  type WorldMeta,
  WorldTarget,
  type WorldTargetOptions,
  type WorldTargetResult,
  worldAnswer,
} from "./target.js";
export { buildVocab, PRETOKENIZE_PATTERN, tokenizerJson, writeTokenizerFiles } from "./tokenizer.js";
export { TOPICS, type Topic } from "./topics.js";
