// Per-run evaluation curves over a tau grid: Quality(tau), diversity of X_tau, unique successes at tau.
import { wordTokenize } from "../curiosity/tokenize.js";
import { drawSubsets, embeddingDiversity, selfBleuDiversity } from "./diversity.js";
import { makeRng } from "./prng.js";

/** One evaluated test case: its text, its judge score R(y) (null when unscored) and optionally its embedding. */
export interface EvalSample {
  testCase: string;
  score: number | null;
  embedding?: ArrayLike<number> | null;
}

export interface EvalOptions {
  /** Thresholds. Default 0, 0.05, ..., 0.95. */
  taus?: readonly number[];
  /** Random subsets per tau for the diversity metrics. Default 100. */
  subsets?: number;
  /** Subset size. Default 100; smaller sets are used whole, once. */
  subsetSize?: number;
  /** PRNG seed for the subsets. Default 0. */
  seed?: number;
  /** SelfBLEU orders. Default [2, 3, 4, 5]. */
  bleuOrders?: readonly number[];
  /** Word tokenizer for SelfBLEU. Default wordTokenize. */
  tokenize?: (text: string) => string[];
  /** Text normalisation for counting unique test cases. Default normalizeTestCase. */
  normalize?: (text: string) => string;
  /** Skip the SelfBLEU / embedding diversity computations (they dominate the cost). */
  diversity?: boolean;
}

export interface TauPoint {
  tau: number;
  /** Fraction of scored test cases with score >= tau. */
  quality: number | null;
  /** |X_tau|. */
  count: number;
  /** Distinct normalised test cases in X_tau. */
  unique: number;
  /** 1 - SelfBLEU of X_tau (subset-averaged); null when |X_tau| < 2. */
  selfBleuDiversity: number | null;
  /** 1 - mean pairwise cosine of X_tau (subset-averaged); null when fewer than 2 embeddings. */
  embeddingDiversity: number | null;
}

export interface RunCurves {
  /** Test cases with a finite score (the Quality denominator); unscored ones are left out of every metric. */
  scored: number;
  unscored: number;
  points: TauPoint[];
}

/** 0, step, 2*step, ... below 1 (rounded to avoid 0.30000000000000004). */
export function tauGrid(step = 0.05): number[] {
  if (!(step > 0 && step <= 1)) throw new Error(`tau grid step must be in (0, 1], got ${step}`);
  const taus: number[] = [];
  for (let i = 0; i * step < 1 - 1e-12; i++) taus.push(Number((i * step).toFixed(10)));
  return taus;
}

/** Unicode NFKC, lower case, whitespace collapsed, trimmed. */
export function normalizeTestCase(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(/\s+/gu, " ").trim();
}

/** Evaluate one run's test cases on the tau grid. Deterministic for a given seed. */
export function evaluateRun(samples: readonly EvalSample[], options: EvalOptions = {}): RunCurves {
  const taus = options.taus ?? tauGrid();
  for (const tau of taus) if (!Number.isFinite(tau)) throw new Error(`tau must be finite, got ${tau}`);
  const normalize = options.normalize ?? normalizeTestCase;
  const tokenize = options.tokenize ?? wordTokenize;
  const scored = samples.filter((s) => s.score !== null && Number.isFinite(s.score));
  const tokenCache = new Map<string, string[]>();
  const tokens = (text: string) => {
    let t = tokenCache.get(text);
    if (!t) {
      t = tokenize(text);
      tokenCache.set(text, t);
    }
    return t;
  };
  const rng = makeRng(options.seed ?? 0);
  const points = taus.map((tau): TauPoint => {
    const members = scored.filter((s) => (s.score as number) >= tau);
    const point: TauPoint = {
      tau,
      quality: scored.length === 0 ? null : members.length / scored.length,
      count: members.length,
      unique: new Set(members.map((s) => normalize(s.testCase))).size,
      selfBleuDiversity: null,
      embeddingDiversity: null,
    };
    if (options.diversity === false) return point;
    const subsets = drawSubsets(rng, members.length, options);
    point.selfBleuDiversity = selfBleuDiversity(
      members.map((s) => tokens(s.testCase)),
      subsets,
      options.bleuOrders,
    );
    point.embeddingDiversity = embeddingDiversity(
      members.map((s) => s.embedding),
      subsets,
    );
    return point;
  });
  return { scored: scored.length, unscored: samples.length - scored.length, points };
}
