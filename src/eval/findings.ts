// Findings (unique successful test cases at tau) judged against earlier runs, and their naturalness.
// A run started with `novelty.from: [RUN...]` is rewarded only for what those runs did not find; this says how
// many of its findings are new relative to them, and how natural its findings read (the reference model's
// mean per-token log-likelihood, recorded per sample as rewards.raw.naturalness).
import { normalizeTestCase } from "./quality.js";

export interface FindingSample {
  testCase: string;
  score: number | null;
  /** N(x) when recorded. */
  naturalness?: number | null;
}

/** Distinct normalised successful test cases of a run (score >= tau, non-empty). */
export function findingsOf(samples: Iterable<FindingSample>, tau: number): Set<string> {
  const out = new Set<string>();
  for (const s of samples) {
    if (s.score === null || s.score < tau) continue;
    const t = normalizeTestCase(s.testCase);
    if (t !== "") out.add(t);
  }
  return out;
}

export interface NewFindings {
  /** Runs the findings are compared with. */
  against: string[];
  findings: number;
  /** Findings no earlier run had (normalised text). */
  new: number;
  /** A few of the new findings, for the report. */
  examples: string[];
}

export function newFindings(
  run: Iterable<FindingSample>,
  earlier: { id: string; samples: Iterable<FindingSample> }[],
  tau: number,
  examples = 5,
): NewFindings {
  const mine = findingsOf(run, tau);
  const before = new Set<string>();
  for (const e of earlier) for (const t of findingsOf(e.samples, tau)) before.add(t);
  const fresh = [...mine].filter((t) => !before.has(t));
  return {
    against: earlier.map((e) => e.id),
    findings: mine.size,
    new: fresh.length,
    examples: fresh.slice(0, examples),
  };
}

/** Mean, min and max naturalness over a run's findings (one value per distinct finding: its first sample's). */
export function findingsNaturalness(
  samples: Iterable<FindingSample>,
  tau: number,
): { mean: number; min: number; max: number; n: number } | null {
  const first = new Map<string, number>();
  for (const s of samples) {
    if (s.score === null || s.score < tau || typeof s.naturalness !== "number") continue;
    const t = normalizeTestCase(s.testCase);
    if (t !== "" && !first.has(t)) first.set(t, s.naturalness);
  }
  const v = [...first.values()];
  if (v.length === 0) return null;
  return {
    mean: v.reduce((a, b) => a + b, 0) / v.length,
    min: Math.min(...v),
    max: Math.max(...v),
    n: v.length,
  };
}
