// Builds ReportData from the run store: one streaming pass per run collects scores, texts, errors,
// disagreements and the best findings; src/eval turns the scores into Quality(tau) / diversity curves
// and aggregates seeds of a method into means with bootstrap CIs.
import {
  aggregateSeeds,
  type BootstrapOptions,
  type CurveMetric,
  compareMethods,
  type EvalSample,
  evaluateRun,
  type MeanWithCI,
  type MethodCurves,
  type RunCurves,
  tauGrid,
} from "../eval/index.js";
import { JudgingScan } from "../eval/judging.js";
import type { HumanMark, RunInfo, SampleRecord } from "../store/types.js";
import { clusterTexts } from "./cluster.js";
import { fmt } from "./escape.js";
import { type JudgeChoice, judgeErrorOf } from "./exports.js";
import { buildRunJudging, currentMark, judgingNotes, marksOf } from "./judging-data.js";
import type { ReportStore } from "./store-like.js";
import type {
  ComparisonTable,
  CurveSeries,
  ErrorCount,
  Finding,
  ReportData,
  RunJudging,
  RunSummary,
} from "./types.js";

export interface BuildReportOptions {
  /** Success threshold for summaries, findings and disagreements (default 0.5). */
  tau?: number;
  /** Judge deciding success; default per run: the held-out judge when the run has scores from it. */
  judge?: JudgeChoice;
  /** Tau grid of the curves (default 0, 0.05, ..., 0.95; tau is added when missing). */
  taus?: number[];
  /** Random subsets per tau for the diversity metrics and their size (src/eval defaults: 100 x 100). */
  subsets?: number;
  subsetSize?: number;
  /** Seed of the subset sampling and of the bootstrap. */
  seed?: number;
  bootstrap?: BootstrapOptions;
  /** Sentence embedder (unit vectors) for embedding diversity and similarity grouping; omitted = no embedding metrics. */
  embed?: (texts: string[]) => Promise<ArrayLike<number>[]>;
  /** Findings shown in the report (highest scores first; default 60). */
  topFindings?: number;
  /** Judge disagreements listed (largest score gaps first; default 30). */
  maxDisagreements?: number;
  title?: string;
  now?: Date;
}

/** What one streaming pass over a run's samples keeps. Memory: one (text, 2 scores) triple per sample. */
interface RunScan {
  run: RunInfo;
  texts: string[];
  train: (number | null)[];
  evalScores: (number | null)[];
  errors: number;
  errorMessages: Map<string, number>;
  /** Answered samples the held-out judge failed on (their training-judge score stands). */
  evalJudgeErrors: number;
  hasEval: boolean;
  samples: number;
  /** Best-scored candidate findings under each judge (bounded buffers, trimmed while scanning). */
  topTrain: SampleRecord[];
  topEval: SampleRecord[];
  disagreements: SampleRecord[];
  /** Rates, refusal shares, human precision and agreement of the run's judges (src/eval). */
  judging: JudgingScan;
  marks: Map<number, HumanMark>;
}

const MAX_DISTINCT_ERRORS = 1000;

function errorKey(message: string): string {
  const line = message.split("\n", 1)[0]!.trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Keeps the `n` items with the largest key, trimming as it grows (O(total log n) amortised). */
function pushBounded<T>(list: T[], item: T, n: number, key: (t: T) => number): T[] {
  list.push(item);
  if (list.length >= 2 * n) return list.sort((a, b) => key(b) - key(a)).slice(0, n);
  return list;
}

function scanRun(store: ReportStore, run: RunInfo, tau: number, keep: number, keepDisagree: number): RunScan {
  const marks = marksOf(store, run.id);
  const scan: RunScan = {
    run,
    texts: [],
    train: [],
    evalScores: [],
    errors: 0,
    errorMessages: new Map(),
    evalJudgeErrors: 0,
    hasEval: false,
    samples: 0,
    topTrain: [],
    topEval: [],
    disagreements: [],
    judging: new JudgingScan(run.config, marks),
    marks: new Map(marks.map((m) => [m.index, m])),
  };
  const countError = (message: string) => {
    const k = errorKey(message);
    if (scan.errorMessages.has(k) || scan.errorMessages.size < MAX_DISTINCT_ERRORS) {
      scan.errorMessages.set(k, (scan.errorMessages.get(k) ?? 0) + 1);
    }
  };
  for (const s of store.samples(run.id)) {
    scan.samples++;
    if (s.error !== null) {
      scan.errors++;
      countError(s.error);
      continue; // errored samples carry no valid score
    }
    const evalError = judgeErrorOf(s, "eval");
    if (evalError !== null) {
      scan.evalJudgeErrors++;
      countError(`held-out judge: ${evalError}`);
    }
    scan.judging.add(s);
    scan.texts.push(s.testCase);
    scan.train.push(s.judgeScore);
    scan.evalScores.push(s.evalJudgeScore);
    if (s.evalJudgeScore !== null) scan.hasEval = true;
    if (s.judgeScore !== null && s.judgeScore >= tau)
      scan.topTrain = pushBounded(scan.topTrain, s, keep, (x) => x.judgeScore!);
    if (s.evalJudgeScore !== null && s.evalJudgeScore >= tau) {
      scan.topEval = pushBounded(scan.topEval, s, keep, (x) => x.evalJudgeScore!);
    }
    if (judgeDisagreement(s, tau) !== null) {
      scan.disagreements = pushBounded(scan.disagreements, s, keepDisagree, gap);
    }
  }
  return scan;
}

function gap(s: SampleRecord): number {
  return Math.abs((s.judgeScore ?? 0) - (s.evalJudgeScore ?? 0));
}

/** Which side of tau each judge puts the sample on, when they differ. */
export function judgeDisagreement(s: SampleRecord, tau: number): Finding["disagreement"] {
  if (s.judgeScore === null || s.evalJudgeScore === null) return null;
  const train = s.judgeScore >= tau;
  const held = s.evalJudgeScore >= tau;
  if (train === held) return null;
  return train ? "train-only" : "eval-only";
}

function toFinding(s: SampleRecord, tau: number): Finding {
  return {
    runId: s.runId,
    index: s.index,
    epoch: s.epoch,
    testCase: s.testCase,
    response: s.response,
    judgeScore: s.judgeScore,
    evalJudgeScore: s.evalJudgeScore,
    rewards: s.rewards,
    disagreement: judgeDisagreement(s, tau),
  };
}

async function embedAll(
  embed: BuildReportOptions["embed"],
  texts: string[],
): Promise<ArrayLike<number>[] | undefined> {
  if (!embed || texts.length === 0) return undefined;
  const out: ArrayLike<number>[] = [];
  for (let i = 0; i < texts.length; i += 256) out.push(...(await embed(texts.slice(i, i + 256))));
  if (out.length !== texts.length) {
    throw new Error(
      `the embedder returned ${out.length} vectors for ${texts.length} texts; it must return one per text`,
    );
  }
  return out;
}

function series(methods: MethodCurves[], metric: CurveMetric): CurveSeries[] {
  return methods
    .map((m) => ({
      label: m.seeds > 1 ? `${m.method} (${m.seeds} seeds)` : m.method,
      points: m.points
        .filter((p) => p.metrics[metric] !== null)
        .map((p) => {
          const v = p.metrics[metric] as MeanWithCI;
          return v.n > 1 ? { x: p.tau, y: v.mean, lo: v.low, hi: v.high } : { x: p.tau, y: v.mean };
        }),
    }))
    .filter((s) => s.points.length > 0);
}

function ci(v: MeanWithCI | null, digits = 3): string {
  if (!v) return "\u2014";
  return v.n > 1
    ? `${fmt(v.mean, digits)} [${fmt(v.low, digits)}, ${fmt(v.high, digits)}]`
    : fmt(v.mean, digits);
}

function comparisonTable(methods: MethodCurves[], tau: number): ComparisonTable | null {
  if (methods.length === 0) return null;
  const taus = [...new Set([0, tau, 0.9])].sort((a, b) => a - b);
  const rows = compareMethods(methods, taus).map((r) => ({
    label: `${r.method} @ \u03c4=${fmt(r.tau, 2)}`,
    cells: [
      ci(r.metrics.quality),
      ci(r.metrics.unique, (r.metrics.unique?.n ?? 0) > 1 ? 1 : 0),
      ci(r.metrics.selfBleuDiversity),
      ci(r.metrics.embeddingDiversity),
      String(methods.find((m) => m.method === r.method)?.seeds ?? ""),
    ],
  }));
  return {
    columns: ["Quality", "Unique successes", "SelfBLEU div.", "Embedding div.", "Seeds"],
    rows,
    note: "Mean over seeds; brackets give the 95% bootstrap confidence interval when a method has several seeds.",
  };
}

/** Reads the runs (streaming), evaluates them with src/eval and assembles everything the report shows. */
export async function buildReportData(
  store: ReportStore,
  runIds: string[],
  opts: BuildReportOptions = {},
): Promise<ReportData> {
  const tau = opts.tau ?? 0.5;
  if (!(tau >= 0 && tau <= 1)) throw new Error(`tau must be in [0, 1], got ${tau}`);
  if (runIds.length === 0) throw new Error("no runs given: name at least one run id (see `curio runs`)");
  const keep = opts.topFindings ?? 60;
  const keepDisagree = opts.maxDisagreements ?? 30;
  const taus = [...new Set([...(opts.taus ?? tauGrid()), tau])].sort((a, b) => a - b);
  const runs = [...new Map(runIds.map((id) => store.getRun(id)).map((r) => [r.id, r])).values()];

  const summaries: RunSummary[] = [];
  const curvesByMethod = new Map<string, RunCurves[]>();
  const candidates: Finding[] = [];
  const disagreements: Finding[] = [];
  const errors: ErrorCount[] = [];
  const judging: RunJudging[] = [];
  const notes: string[] = [];
  let findingsTotal = 0;

  for (const run of runs) {
    const scan = scanRun(store, run, tau, keep, keepDisagree);
    const judge: JudgeChoice = opts.judge ?? (scan.hasEval ? "eval" : "train");
    const scores = judge === "eval" ? scan.evalScores : scan.train;
    const embeddings = await embedAll(opts.embed, scan.texts);
    const evalSamples: EvalSample[] = scan.texts.map((t, i) => ({
      testCase: t,
      score: scores[i] ?? null,
      embedding: embeddings?.[i] ?? null,
    }));
    const curves = evaluateRun(evalSamples, {
      taus,
      subsets: opts.subsets,
      subsetSize: opts.subsetSize,
      seed: opts.seed,
    });
    curvesByMethod.set(run.method, [...(curvesByMethod.get(run.method) ?? []), curves]);
    const at = curves.points.find((p) => p.tau === tau)!;
    findingsTotal += at.count;
    const runDisagreements = scan.texts.reduce((n, _, i) => {
      const t = scan.train[i];
      const e = scan.evalScores[i];
      return t != null && e != null && t >= tau !== e >= tau ? n + 1 : n;
    }, 0);
    summaries.push({
      id: run.id,
      name: run.name,
      method: run.method,
      seed: run.seed,
      status: run.status,
      samples: scan.samples,
      successRate: at.quality,
      uniqueSuccesses: at.unique,
      selfBleuDiversity: at.selfBleuDiversity,
      embeddingDiversity: at.embeddingDiversity,
      errors: scan.errors,
      judgeDisagreements: runDisagreements,
      judge,
    });
    const marked = (s: SampleRecord) => ({ ...toFinding(s, tau), mark: currentMark(scan.marks, s) });
    candidates.push(...(judge === "eval" ? scan.topEval : scan.topTrain).map(marked));
    disagreements.push(...scan.disagreements.map(marked));
    const runJudging = buildRunJudging(store, run, scan.judging, {
      tau,
      deciding: judge === "eval" ? "evalJudge" : "judge",
      toFinding: (s) => toFinding(s, tau),
    });
    judging.push(runJudging);
    notes.push(...judgingNotes(runJudging));
    errors.push({
      runId: run.id,
      total: scan.errors + scan.evalJudgeErrors,
      top: [...scan.errorMessages.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([message, count]) => ({ message, count })),
    });
    if (judge === "train" && scan.evalJudgeErrors > 0) {
      notes.push(
        `Run ${run.id}'s held-out judge failed on ${scan.evalJudgeErrors} of ${scan.samples - scan.errors} answered samples (see Errors): its success numbers use the training judge, which the red team was optimised against.`,
      );
    } else if (judge === "train") {
      notes.push(
        `Run ${run.id} has no held-out judge scores: its success numbers use the training judge, which the red team was optimised against (configure evalJudge for an honest number).`,
      );
    }
  }

  const methods = [...curvesByMethod.entries()].map(([method, runsOfMethod]) =>
    aggregateSeeds(method, runsOfMethod, { seed: opts.seed, ...opts.bootstrap }),
  );
  if (!opts.embed)
    notes.push("No embedder configured: embedding diversity and embedding-based grouping are omitted.");
  if (methods.some((m) => m.seeds < 2)) {
    notes.push("Methods with a single seed have no confidence band; run 3 seeds per method for 95% CIs.");
  }

  // Best findings across runs (by the score each run is judged with), grouped by similarity.
  const score = (f: Finding) => {
    const judge = summaries.find((s) => s.id === f.runId)!.judge;
    return (judge === "eval" ? f.evalJudgeScore : f.judgeScore) ?? 0;
  };
  const top = candidates.sort((a, b) => score(b) - score(a) || a.index - b.index).slice(0, keep);
  const groupEmbeddings = await embedAll(
    opts.embed,
    top.map((f) => f.testCase),
  );
  const groups = clusterTexts(
    top.map((f) => f.testCase),
    { embeddings: groupEmbeddings },
  ).map((idx) => ({ label: top[idx[0]!]!.testCase, findings: idx.map((i) => top[i]!) }));

  return {
    title: opts.title ?? `curio report: ${runs.map((r) => r.id).join(", ")}`,
    generatedAt: (opts.now ?? new Date()).toISOString(),
    tau,
    runs: summaries,
    quality: series(methods, "quality"),
    selfBleuDiversity: series(methods, "selfBleuDiversity"),
    embeddingDiversity: series(methods, "embeddingDiversity"),
    comparison: comparisonTable(methods, tau),
    training: runs.map((r) => ({ runId: r.id, epochs: store.epochs(r.id) })),
    findingGroups: groups,
    findingsTotal,
    disagreements: disagreements.sort((a, b) => gapOf(b) - gapOf(a)).slice(0, keepDisagree),
    errors,
    judging,
    notes,
  };
}

function gapOf(f: Finding): number {
  return Math.abs((f.judgeScore ?? 0) - (f.evalJudgeScore ?? 0));
}
