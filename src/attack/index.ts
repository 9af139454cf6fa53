// The red-team methods behind one Attacker interface, and the registry they are chosen from.
export { generateOptions, proposalOf, withContext } from "./generation.js";
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
