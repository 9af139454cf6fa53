// GFlowNet fine-tuning of the attacker (method: gfn): the trajectory-balance objective with a learned,
// prompt-conditioned log Z, the paper's reward, the replay buffer and the MLE smoothing stage.
export { LogZHead } from "./log-z.js";
export { type CollectedCase, HighRewardSet, mleExamples, mleSmooth } from "./mle.js";
export { editDistance, ReplayBuffer, type ReplayItem, type ReplaySampling } from "./replay-buffer.js";
export {
  defaultGfnReward,
  type GfnRewardConfig,
  logReward,
  type RewardTerms,
  rewardTerms,
  type Schedule,
  scheduled,
} from "./reward.js";
export { buildTbGraph } from "./tb-graph.js";
export {
  GfnTrainer,
  type GfnTrainerConfig,
  type GfnTrainerState,
  type GfnUpdateStats,
  type TbRow,
  type TbStepStats,
  type Trajectory,
} from "./trainer.js";
