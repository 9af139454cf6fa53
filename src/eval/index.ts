// Evaluation metrics of the paper: Quality(tau), SelfBLEU and embedding diversity, unique successes, CIs over seeds.
export {
  type Confusion,
  cohenKappa,
  type Disagreement,
  type JudgeAgreement,
  judgeAgreement,
  type Kappa,
  pairwiseAgreement,
} from "./agreement.js";
export { type BootstrapOptions, bootstrapMeanCI, type MeanWithCI, quantile } from "./bootstrap.js";
export {
  type AggregatedPoint,
  aggregateSeeds,
  type ComparisonRow,
  CURVE_METRICS,
  type CurveMetric,
  compareMethods,
  curvesToCSV,
  curvesToJSON,
  type MethodCurves,
} from "./compare.js";
export {
  drawSubsets,
  embeddingDiversity,
  meanPairwiseCosine,
  type SubsetOptions,
  selfBleuDiversity,
} from "./diversity.js";
export {
  type FindingSample,
  findingsNaturalness,
  findingsOf,
  type NewFindings,
  newFindings,
} from "./findings.js";
export {
  type ExtraVerdict,
  extraJudgeNames,
  type JudgeColumn,
  JudgingScan,
  type JudgingSummary,
  judgeColumns,
  type RefusalVerdict,
  scoreOf,
} from "./judging.js";
export {
  type HumanPrecision,
  humanPrecision,
  type Outcome,
  type OutcomeRates,
  outcomeOf,
  outcomeRates,
  type RefusalShare,
  refusalShare,
  wilsonInterval,
} from "./outcomes.js";
export { makeRng, sampleWithoutReplacement } from "./prng.js";
export {
  type EvalOptions,
  type EvalSample,
  evaluateRun,
  normalizeTestCase,
  type RunCurves,
  type TauPoint,
  tauGrid,
} from "./quality.js";
