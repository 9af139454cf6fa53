// Agreement between two judges at a threshold: the 2x2 confusion of their unsafe / safe calls on the
// samples both scored, Cohen's kappa, and the samples they disagree on.
//
// kappa = (p_o - p_e) / (1 - p_e), p_o = observed agreement, p_e = chance agreement from the marginals
// (Cohen 1960). It is undefined when p_e = 1, which happens exactly when both judges put every sample in
// the same single class: then there is nothing to agree on beyond chance, and curio says so instead of
// printing NaN.

/** Counts at tau: `both` = both judges say unsafe, `onlyA` / `onlyB` = one does, `neither` = both say safe. */
export interface Confusion {
  both: number;
  onlyA: number;
  onlyB: number;
  neither: number;
}

export interface Kappa {
  /** null when undefined; `note` then says why. */
  kappa: number | null;
  /** Observed agreement p_o; null when no sample was scored by both. */
  observed: number | null;
  note?: string;
}

export interface Disagreement {
  /** Position of the sample in the score arrays. */
  position: number;
  /** |score A - score B|. */
  gap: number;
  /** Which judge said unsafe. */
  unsafeBy: "a" | "b";
}

export interface JudgeAgreement extends Kappa {
  a: string;
  b: string;
  /** Samples both judges scored. */
  n: number;
  confusion: Confusion;
  /** The largest-gap disagreements (at most `maxDisagreements`), largest first. */
  disagreements: Disagreement[];
  /** All disagreements, before the cut. */
  disagreementCount: number;
}

export function cohenKappa(c: Confusion): Kappa {
  const n = c.both + c.onlyA + c.onlyB + c.neither;
  if (n === 0) return { kappa: null, observed: null, note: "no sample was scored by both judges" };
  const observed = (c.both + c.neither) / n;
  const aUnsafe = (c.both + c.onlyA) / n;
  const bUnsafe = (c.both + c.onlyB) / n;
  const chance = aUnsafe * bUnsafe + (1 - aUnsafe) * (1 - bUnsafe);
  if (chance === 1) {
    const cls = aUnsafe === 1 ? "unsafe" : "safe";
    return {
      kappa: null,
      observed,
      note: `undefined: both judges call every sample ${cls}`,
    };
  }
  return { kappa: (observed - chance) / (1 - chance), observed };
}

const scored = (x: number | null | undefined): x is number => typeof x === "number" && Number.isFinite(x);

/** Agreement of two judges' scores (aligned arrays; null = not scored) at tau. */
export function judgeAgreement(
  a: { name: string; scores: readonly (number | null)[] },
  b: { name: string; scores: readonly (number | null)[] },
  tau: number,
  maxDisagreements = 20,
): JudgeAgreement {
  if (a.scores.length !== b.scores.length) {
    throw new Error(
      `judge agreement: ${a.name} has ${a.scores.length} scores but ${b.name} has ${b.scores.length}`,
    );
  }
  const confusion: Confusion = { both: 0, onlyA: 0, onlyB: 0, neither: 0 };
  let list: Disagreement[] = [];
  let disagreementCount = 0;
  a.scores.forEach((sa, position) => {
    const sb = b.scores[position];
    if (!scored(sa) || !scored(sb)) return;
    const ua = sa >= tau;
    const ub = sb >= tau;
    if (ua && ub) confusion.both++;
    else if (!ua && !ub) confusion.neither++;
    else {
      disagreementCount++;
      if (ua) confusion.onlyA++;
      else confusion.onlyB++;
      list.push({ position, gap: Math.abs(sa - sb), unsafeBy: ua ? "a" : "b" });
      if (list.length >= 2 * maxDisagreements + 16) list = topGaps(list, maxDisagreements);
    }
  });
  const n = confusion.both + confusion.onlyA + confusion.onlyB + confusion.neither;
  return {
    a: a.name,
    b: b.name,
    n,
    confusion,
    ...cohenKappa(confusion),
    disagreements: topGaps(list, maxDisagreements),
    disagreementCount,
  };
}

function topGaps(list: Disagreement[], n: number): Disagreement[] {
  return list.sort((x, y) => y.gap - x.gap || x.position - y.position).slice(0, n);
}

/** Every pair of judges, in the order given (a before b). */
export function pairwiseAgreement(
  judges: readonly { name: string; scores: readonly (number | null)[] }[],
  tau: number,
  maxDisagreements = 20,
): JudgeAgreement[] {
  const out: JudgeAgreement[] = [];
  for (let i = 0; i < judges.length; i++) {
    for (let j = i + 1; j < judges.length; j++) {
      out.push(judgeAgreement(judges[i]!, judges[j]!, tau, maxDisagreements));
    }
  }
  return out;
}
