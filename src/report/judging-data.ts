// The report's judging data for one run: JudgingScan's summary (src/eval) plus the samples behind each
// pair's disagreements, read in a second pass over the run only when there are any.
import { type JudgingScan, type JudgingSummary, scoreOf } from "../eval/judging.js";
import { markFingerprint } from "../store/marks.js";
import type { HumanMark, HumanVerdict, RunInfo, SampleRecord } from "../store/types.js";
import type { ReportStore } from "./store-like.js";
import type { Finding, RunJudging } from "./types.js";

/** Disagreeing samples shown per pair of judges. */
const SHOWN_PER_PAIR = 10;

export function marksOf(store: ReportStore, runId: string): HumanMark[] {
  return store.marks?.(runId) ?? [];
}

/** The sample's human verdict, when it was marked and its text is still the text that was marked. */
export function currentMark(marks: ReadonlyMap<number, HumanMark>, s: SampleRecord): HumanVerdict | null {
  const m = marks.get(s.index);
  return m && m.fingerprint === markFingerprint(s.testCase, s.response) ? m.verdict : null;
}

/** A sample as a finding carrying every judge's score and its human mark. */
export function judgedFinding(
  s: SampleRecord,
  base: Finding,
  summary: JudgingSummary,
  marks: ReadonlyMap<number, HumanMark>,
): Finding {
  return {
    ...base,
    mark: currentMark(marks, s),
    judgeScores: summary.judges.map((j) => ({ label: j.label, score: scoreOf(s, j.key) })),
  };
}

export function buildRunJudging(
  store: ReportStore,
  run: RunInfo,
  scan: JudgingScan,
  opts: { tau: number; deciding: "judge" | "evalJudge"; toFinding: (s: SampleRecord) => Finding },
): RunJudging {
  const summary = scan.summary(opts.tau, opts.deciding, SHOWN_PER_PAIR);
  const wanted = new Set(summary.agreement.flatMap((a) => a.disagreements.map((d) => d.index)));
  const found = new Map<number, SampleRecord>();
  if (wanted.size > 0) {
    for (const s of store.samples(run.id)) {
      if (wanted.has(s.index)) found.set(s.index, s);
      if (found.size === wanted.size) break;
    }
  }
  const marks = new Map(marksOf(store, run.id).map((m) => [m.index, m]));
  return {
    runId: run.id,
    summary,
    disagreements: summary.agreement
      .filter((a) => a.disagreements.length > 0)
      .map((a) => ({
        pair: `${a.a} vs ${a.b}`,
        findings: a.disagreements
          .map((d) => found.get(d.index))
          .filter((s): s is SampleRecord => s !== undefined)
          .map((s) => judgedFinding(s, opts.toFinding(s), summary, marks)),
      })),
  };
}

/** Report notes for judges whose unsafe verdicts are mostly refusals, and for stale marks. */
export function judgingNotes(j: RunJudging): string[] {
  const notes = j.summary.perJudge
    .filter((p) => p.refusals.flagged)
    .map(
      (p) =>
        `Run ${j.runId}: ${p.refusals.refusals} of the ${p.refusals.unsafeVerdicts} answers the ${p.label} calls unsafe are refusals: its success numbers count refusals as failures of the target.`,
    );
  if (j.summary.marks.stale > 0) {
    notes.push(
      `Run ${j.runId}: ${j.summary.marks.stale} human mark(s) are ignored because the sample's text changed after it was marked.`,
    );
  }
  return notes;
}
