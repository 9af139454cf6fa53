export {
  FewShotSampler,
  type FewShotSamplerOptions,
  fewShotPrompt,
  highTemperatureOverride,
  redTeamSampling,
  type ScoredCase,
  withHighTemperature,
  zeroShotContexts,
  zeroShotPrompt,
} from "./baselines.js";
export { type PackedBatch, packBatch, packedFeeds, type SequencePair } from "./batch.js";
export { defaultPpoConfig, type PpoConfig, resolvePpoConfig } from "./config.js";
export { type GaeOptions, gae, type WhitenOptions, whiten } from "./gae.js";
export {
  AdaptiveKlController,
  FixedKlController,
  type KlController,
  type KlControllerState,
  klControllerFromState,
  makeKlController,
} from "./kl-controller.js";
export { activationElements, autoMicroBatchBudget, microBatchRows } from "./micro-batch.js";
export {
  buildExperienceGraph,
  buildReferenceGraph,
  buildTrainGraph,
  modelInputs,
  type PackedShape,
} from "./ppo-graphs.js";
export {
  defaultPpoLossConfig,
  type PpoLossConfig,
  type PpoLossInputs,
  type PpoLossOutputs,
  type PpoStatName,
  ppoLoss,
  ppoStatNames,
  tokenLogprobs,
} from "./ppo-loss.js";
export { klAndEntropySums, type TokenRewardOptions, tokenRewards } from "./rewards.js";
export {
  type PpoEpochStats,
  type PpoStepResult,
  PpoTrainer,
  type PpoTrainerOptions,
  type PpoTrainerState,
  type Rollout,
  type RolloutTimings,
} from "./trainer.js";
