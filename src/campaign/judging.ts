// The campaign's judging of one epoch's answers: the training judge, the held-out judge, the extra
// `judges:` (reported only) and the refusal detector, each asked once per distinct input (JudgeOnce).
// Answers the target failed to give are not judged. What each sample records beside its scores:
//   meta.refusal      { refused, score, reason } from the refusal detector
//   meta.judges       { <name>: { score, label?, reason?, error? } } for the extra judges
//   meta.reused       { judge?, evalJudge?, "judges.<name>"?, refusal? }: the sample whose call gave a reused verdict
// On resume the memories are rebuilt from the stored samples (remember), so a resumed run reuses exactly
// the verdicts an uninterrupted run would have.
import { JudgeOnce, type OnceResult } from "../providers/judges/once.js";
import type { Judge, JudgeResult, TargetCallOptions, TargetResult } from "../providers/types.js";
import type { SampleRecord } from "../store/types.js";

export interface CampaignJudgeSet {
  judge: Judge;
  evalJudge: Judge | null;
  extra: { name: string; judge: Judge }[];
  refusal: Judge | null;
}

export interface JudgedEpoch {
  judged: JudgeResult[];
  evalJudged: JudgeResult[] | null;
  /** Per sample, what goes into its meta (refusal, extra judges, reuse). */
  meta: Record<string, unknown>[];
}

interface Slot {
  key: string;
  once: JudgeOnce;
}

/** The stored verdict of slot `key` of a sample, as it was given (null when the sample has none). */
function storedVerdict(s: SampleRecord, key: string): JudgeResult | null {
  const m = s.meta ?? {};
  const labelled = (score: number | null, extra: unknown): JudgeResult | null => {
    if (score === null) return null;
    const e = (extra ?? {}) as { label?: string; reason?: string };
    const r: JudgeResult = { score };
    if (e.label !== undefined) r.label = e.label;
    if (e.reason !== undefined) r.reason = e.reason;
    return r;
  };
  if (key === "judge") return labelled(s.judgeScore, m.judge);
  if (key === "evalJudge") return labelled(s.evalJudgeScore, m.evalJudge);
  if (key === "refusal") {
    const r = m.refusal as { refused?: boolean; score?: number; reason?: string } | undefined;
    if (typeof r?.score !== "number") return null;
    return labelled(r.score, { label: r.refused ? "refused" : "answered", reason: r.reason });
  }
  const v = (m.judges as Record<string, { score?: number | null; error?: string }> | undefined)?.[
    key.slice("judges.".length)
  ];
  return v && !v.error && typeof v.score === "number" ? labelled(v.score, v) : null;
}

export class CampaignJudging {
  private readonly slots: Slot[];

  constructor(set: CampaignJudgeSet, memory?: number) {
    const slot = (key: string, judge: Judge): Slot => ({ key, once: new JudgeOnce(judge, memory) });
    this.slots = [
      slot("judge", set.judge),
      ...(set.evalJudge ? [slot("evalJudge", set.evalJudge)] : []),
      ...set.extra.map((x) => slot(`judges.${x.name}`, x.judge)),
      ...(set.refusal ? [slot("refusal", set.refusal)] : []),
    ];
  }

  /** Judges one epoch; `firstIndex` is the run index of its first sample. */
  async score(
    inputs: readonly string[],
    answers: readonly TargetResult[],
    firstIndex: number,
    opts?: TargetCallOptions,
  ): Promise<JudgedEpoch> {
    const ok = answers.map((a, i) => (a.error ? -1 : i)).filter((i) => i >= 0);
    const results = await Promise.all(
      this.slots.map((s) =>
        s.once.score(
          ok.map((i) => inputs[i] ?? ""),
          ok.map((i) => answers[i]!.text),
          ok.map((i) => firstIndex + i),
          opts,
        ),
      ),
    );
    const bySlot = new Map<string, (OnceResult | undefined)[]>();
    this.slots.forEach((s, k) => {
      const full: (OnceResult | undefined)[] = new Array(answers.length).fill(undefined);
      ok.forEach((i, j) => {
        full[i] = results[k]![j];
      });
      bySlot.set(s.key, full);
    });
    const notJudged = (i: number): JudgeResult => ({ score: 0, error: `not judged: ${answers[i]!.error}` });
    const column = (key: string) => bySlot.get(key)?.map((r, i) => r ?? notJudged(i)) ?? null;
    const meta = answers.map((_, i) => this.sampleMeta(bySlot, i));
    return { judged: column("judge")!, evalJudged: column("evalJudge"), meta };
  }

  private sampleMeta(bySlot: Map<string, (OnceResult | undefined)[]>, i: number): Record<string, unknown> {
    const meta: Record<string, unknown> = {};
    const reused: Record<string, number> = {};
    const judges: Record<string, unknown> = {};
    for (const s of this.slots) {
      const r = bySlot.get(s.key)![i];
      if (!r) continue;
      if (r.reusedFrom !== undefined) reused[s.key] = r.reusedFrom;
      if (s.key === "refusal" && !r.error) {
        meta.refusal = { refused: r.label === "refused", score: r.score, reason: r.reason };
      } else if (s.key.startsWith("judges.")) {
        judges[s.key.slice("judges.".length)] = r.error
          ? { score: null, error: r.error }
          : { score: r.score, label: r.label, reason: r.reason };
      }
    }
    if (Object.keys(judges).length > 0) meta.judges = judges;
    if (Object.keys(reused).length > 0) meta.reused = reused;
    return meta;
  }

  /** Rebuilds the memories from a run's stored samples, in index order (resume). */
  remember(samples: Iterable<SampleRecord>): void {
    for (const s of samples) {
      const reused = (s.meta?.reused ?? {}) as Record<string, number>;
      for (const slot of this.slots) {
        if (reused[slot.key] !== undefined) continue;
        const v = storedVerdict(s, slot.key);
        if (v) slot.once.remember(slot.once.key(s.targetInput, s.response), v, s.index);
      }
    }
  }

  /** Verdicts asked for and judge calls made, per judge. */
  stats(): Record<string, { asked: number; called: number }> {
    return Object.fromEntries(this.slots.map((s) => [s.key, { ...s.once.stats }]));
  }
}
