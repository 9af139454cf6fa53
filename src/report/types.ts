// Plain data the HTML report renders. Built from the run store by data.ts, or by hand (tests, other tools).
import type { JudgingSummary } from "../eval/judging.js";
import type { EpochStats, HumanVerdict, RewardBreakdown } from "../store/types.js";

/** One point of a curve; lo/hi give the 95% confidence band when known. */
export interface CurvePoint {
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}

export interface CurveSeries {
  /** Legend label, e.g. the method ("crt") or a run id. */
  label: string;
  points: CurvePoint[];
  /** CSS colour; the chart palette is used when absent. */
  color?: string;
}

/** Per-run summary row. Rates are fractions in [0,1]; null when not computable (no samples, no embedder). */
export interface RunSummary {
  id: string;
  name: string;
  method: string;
  seed: number;
  status: string;
  samples: number;
  /** Quality at the report's tau: fraction of scored samples with judge score >= tau. */
  successRate: number | null;
  /** Distinct successful test cases (after normalisation). */
  uniqueSuccesses: number;
  selfBleuDiversity: number | null;
  embeddingDiversity: number | null;
  errors: number;
  /** Samples where the training and held-out judges disagree about success at tau. */
  judgeDisagreements: number;
  /** Which judge the success numbers use. */
  judge: "train" | "eval";
}

/** A comparison table: one row per method (or run), cells already formatted by the builder. */
export interface ComparisonTable {
  columns: string[];
  rows: { label: string; cells: string[] }[];
  note?: string;
}

export interface Finding {
  runId: string;
  index: number;
  epoch: number;
  testCase: string;
  response: string;
  judgeScore: number | null;
  evalJudgeScore: number | null;
  rewards: RewardBreakdown | null;
  /** Set when the two judges disagree at tau; says which way. */
  disagreement: "train-only" | "eval-only" | null;
  /** A person's verdict from `curio view`, when marked. */
  mark?: HumanVerdict | null;
  /** Every judge's score by label, where more judges than the two above scored it. */
  judgeScores?: { label: string; score: number | null }[];
}

/** One run's refusal-aware rates, judge trust and agreement, with the disagreeing samples of each pair. */
export interface RunJudging {
  runId: string;
  summary: JudgingSummary;
  disagreements: { pair: string; findings: Finding[] }[];
}

export interface FindingGroup {
  /** The representative (highest scored) finding's test case. */
  label: string;
  findings: Finding[];
}

export interface TrainingCurves {
  runId: string;
  epochs: EpochStats[];
}

export interface ErrorCount {
  runId: string;
  total: number;
  /** Most frequent error messages (first line, truncated), most frequent first. */
  top: { message: string; count: number }[];
}

export interface ReportData {
  title: string;
  generatedAt: string;
  /** Success threshold used for summaries, findings and disagreements. */
  tau: number;
  runs: RunSummary[];
  /** Curves over tau, one series per method (mean over seeds with a 95% CI band). */
  quality: CurveSeries[];
  selfBleuDiversity: CurveSeries[];
  embeddingDiversity: CurveSeries[];
  comparison: ComparisonTable | null;
  training: TrainingCurves[];
  findingGroups: FindingGroup[];
  /** Total findings (score >= tau) before the top-N cut used for display. */
  findingsTotal: number;
  /** Samples the two judges disagree on at tau (most extreme first, capped): audit these by hand. */
  disagreements: Finding[];
  errors: ErrorCount[];
  /** Per run: unsafe / refused / benign rates, refusal share and human precision per judge, agreement. */
  judging?: RunJudging[];
  /** Free-form notes shown at the top (e.g. "no embedder configured: embedding diversity omitted"). */
  notes: string[];
}
