// The red-team methods behind one Attacker interface, and the registry they are chosen from.
export { ActiveAttacker, withActiveAttacks } from "./active/attacker.js";
export { exportHardenedTarget } from "./active/export.js";
export { type ActiveAttacksOptions, activeAttacksOptions, DEFAULT_REFUSALS } from "./active/options.js";
export { ActiveRounds, type RoundRecord } from "./active/rounds.js";
export { generateOptions, proposalOf, withContext } from "./generation.js";
export { createGfnAttacker, GfnAttacker } from "./gfn/attacker.js";
export * from "./gfn/index.js";
export { type GfnOptions, gfnOptions } from "./gfn/options.js";
export { type NaturalnessScorer, ReferenceNaturalness } from "./naturalness.js";
export { type SamplingPolicy, trainableOf } from "./policy.js";
export { PpoAttacker, ppoTrainerConfig } from "./ppo.js";
export { loadFewShotCases, PromptedAttacker } from "./prompted.js";
export {
  type AttackMethod,
  attackMethods,
  createAttacker,
  METHOD_NAMES,
  type MethodName,
} from "./registry.js";
export { redTeamSource } from "./source.js";
export type { Attacker, AttackerContext, Feedback, LearnResult, Proposal, RedTeamSource } from "./types.js";
