// Public API of src/policy-judge: a policy judge trained from a document (`curio judge train` as a library).
export { type PolicyDocument, parsePolicy, policyForJudge, ruleKey } from "./policy.js";
export {
  LABELS_FILE,
  type LabelledSample,
  labelSamples,
  type PolicySample,
  type TrainPolicyJudgeOptions,
  type TrainPolicyJudgeResult,
  trainPolicyJudge,
} from "./train.js";
