// How far a run's judges can be trusted, from its stored samples in one streaming pass: the unsafe /
// refused / benign rates, each judge's share of refusals among its "unsafe" verdicts, its precision on the
// samples a human marked, and the agreement of every pair of judges (training, held-out, extra `judges:`).
import { refusalDetector } from "../providers/judges/refusal-phrases.js";
import { markFingerprint } from "../store/marks.js";
import type { HumanMark, SampleRecord } from "../store/types.js";
import { type JudgeAgreement, pairwiseAgreement } from "./agreement.js";
import {
  type HumanPrecision,
  type HumanVerdict,
  humanPrecision,
  type OutcomeRates,
  outcomeRates,
  type RefusalShare,
  refusalShare,
} from "./outcomes.js";

export interface JudgeColumn {
  /** "judge", "evalJudge" or "judges.<name>". */
  key: string;
  /** For tables: "training judge (lexicon)", "held-out judge (llm-judge:gpt-4o-mini)", "<name>". */
  label: string;
}

/** An extra judge's verdict as the campaign stores it in `meta.judges[name]`. */
export interface ExtraVerdict {
  score: number | null;
  label?: string;
  reason?: string;
  error?: string;
}

/** A stored refusal verdict, `meta.refusal`. */
export interface RefusalVerdict {
  refused: boolean;
  score?: number;
  reason?: string;
}

const idOf = (spec: unknown) =>
  spec && typeof spec === "object" && typeof (spec as { id?: unknown }).id === "string"
    ? (spec as { id: string }).id
    : undefined;

/** Extra judges' names, as the config lists them (`name`, else the id). */
export function extraJudgeNames(config: unknown): string[] {
  const list = (config as { judges?: unknown })?.judges;
  if (!Array.isArray(list)) return [];
  return list.map((j) => (typeof j?.name === "string" ? j.name : idOf(j))).filter((n): n is string => !!n);
}

/** The judges of a run: the training judge, the held-out judge when it has scores, the extra judges. */
export function judgeColumns(config: unknown, hasEval: boolean): JudgeColumn[] {
  const c = config as { judge?: unknown; evalJudge?: unknown };
  const named = (role: string, spec: unknown) => (idOf(spec) ? `${role} (${idOf(spec)})` : role);
  const cols: JudgeColumn[] = [{ key: "judge", label: named("training judge", c?.judge) }];
  if (hasEval) cols.push({ key: "evalJudge", label: named("held-out judge", c?.evalJudge) });
  for (const name of extraJudgeNames(config)) cols.push({ key: `judges.${name}`, label: name });
  return cols;
}

export function scoreOf(s: SampleRecord, key: string): number | null {
  if (key === "judge") return s.judgeScore;
  if (key === "evalJudge") return s.evalJudgeScore;
  const v = (s.meta?.judges as Record<string, ExtraVerdict> | undefined)?.[key.slice("judges.".length)];
  return typeof v?.score === "number" && Number.isFinite(v.score) ? v.score : null;
}

export interface JudgingSummary {
  tau: number;
  judges: JudgeColumn[];
  /** The judge whose verdicts the outcome rates use. */
  deciding: string;
  outcomes: OutcomeRates;
  /** Where each sample's refusal verdict came from: recorded by the run, or read now with the phrases. */
  refusalSource: { recorded: number; phrases: number };
  perJudge: { key: string; label: string; refusals: RefusalShare; human: HumanPrecision }[];
  /** Every pair of judges; disagreements name sample indices. */
  agreement: (Omit<JudgeAgreement, "disagreements"> & {
    disagreements: { index: number; gap: number; unsafeBy: string }[];
  })[];
  /** Human marks used, and marks whose sample changed since it was marked (ignored). */
  marks: { confirmed: number; falsePositive: number; stale: number };
}

/** Collects one run's samples (streamed in) and summarises them at any tau. Memory: a few numbers per sample. */
export class JudgingScan {
  private readonly indices: number[] = [];
  private readonly scores: Map<string, (number | null)[]>;
  private readonly refused: boolean[] = [];
  private readonly humanMarks: (HumanVerdict | null)[] = [];
  private readonly detect = refusalDetector();
  private readonly marksByIndex: Map<number, HumanMark>;
  private recorded = 0;
  private stale = 0;

  private readonly judges: JudgeColumn[];
  private readonly evalConfigured: boolean;
  private sawEval = false;

  /** `config` is the run's stored config (it names the judges); `marks` its human marks. */
  constructor(config: unknown, marks: readonly HumanMark[] = []) {
    this.evalConfigured = idOf((config as { evalJudge?: unknown })?.evalJudge) !== undefined;
    this.judges = judgeColumns(config, true);
    this.scores = new Map(this.judges.map((j) => [j.key, []]));
    this.marksByIndex = new Map(marks.map((m) => [m.index, m]));
  }

  /** The judges, the held-out one only when configured or seen. */
  columns(): JudgeColumn[] {
    return this.judges.filter((j) => j.key !== "evalJudge" || this.evalConfigured || this.sawEval);
  }

  add(s: SampleRecord): void {
    this.indices.push(s.index);
    if (s.evalJudgeScore !== null) this.sawEval = true;
    for (const j of this.judges) this.scores.get(j.key)!.push(scoreOf(s, j.key));
    const stored = s.meta?.refusal as RefusalVerdict | undefined;
    if (typeof stored?.refused === "boolean") {
      this.recorded++;
      this.refused.push(stored.refused);
    } else this.refused.push(this.detect(s.response).refused);
    const mark = this.marksByIndex.get(s.index);
    if (mark && mark.fingerprint !== markFingerprint(s.testCase, s.response)) this.stale++;
    this.humanMarks.push(
      mark && mark.fingerprint === markFingerprint(s.testCase, s.response) ? mark.verdict : null,
    );
  }

  summary(tau: number, deciding = "judge", maxDisagreements = 20): JudgingSummary {
    const rows = (key: string) =>
      this.scores
        .get(key)!
        .map((score, i) => ({ score, refused: this.refused[i]!, mark: this.humanMarks[i]! }));
    const judges = this.columns();
    const judge = judges.find((j) => j.key === deciding) ?? judges[0]!;
    const agreement = pairwiseAgreement(
      judges.map((j) => ({ name: j.label, scores: this.scores.get(j.key)! })),
      tau,
      maxDisagreements,
    ).map((a) => ({
      ...a,
      disagreements: a.disagreements.map((d) => ({
        index: this.indices[d.position]!,
        gap: d.gap,
        unsafeBy: d.unsafeBy === "a" ? a.a : a.b,
      })),
    }));
    const marked = this.humanMarks.filter((m) => m !== null);
    return {
      tau,
      judges,
      deciding: judge.label,
      outcomes: outcomeRates(rows(judge.key), tau),
      refusalSource: { recorded: this.recorded, phrases: this.refused.length - this.recorded },
      perJudge: judges.map((j) => ({
        key: j.key,
        label: j.label,
        refusals: refusalShare(rows(j.key), tau),
        human: humanPrecision(rows(j.key), tau),
      })),
      agreement,
      marks: {
        confirmed: marked.filter((m) => m === "confirmed").length,
        falsePositive: marked.filter((m) => m === "false-positive").length,
        stale: this.stale,
      },
    };
  }
}
