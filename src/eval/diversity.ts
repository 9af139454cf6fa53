// Diversity of a set of test cases (paper section 4.1 / A.7): SelfBLEU diversity = 1 - SelfBLEU, embedding
// diversity = 1 - mean pairwise cosine similarity (self-pairs excluded), each averaged over random subsets.

import { embeddingProblem } from "../curiosity/embedding.js";
import { selfBleu } from "../curiosity/selfbleu.js";
import { sampleWithoutReplacement } from "./prng.js";

export interface SubsetOptions {
  /** Number of random subsets. Default 100. */
  subsets?: number;
  /** Size of each subset. Default 100. */
  subsetSize?: number;
}

/**
 * Index subsets of a set of `n` items: `subsets` random subsets of `subsetSize` when n >= subsetSize; the whole
 * set once when 2 <= n < subsetSize; none when n < 2 (diversity is undefined).
 */
export function drawSubsets(rng: () => number, n: number, options: SubsetOptions = {}): number[][] {
  const subsets = options.subsets ?? 100;
  const size = options.subsetSize ?? 100;
  if (!Number.isInteger(subsets) || subsets < 1 || !Number.isInteger(size) || size < 2) {
    throw new Error(`subsets must be >= 1 and subsetSize >= 2 (integers), got ${subsets} and ${size}`);
  }
  if (n < 2) return [];
  if (n < size) return [Array.from({ length: n }, (_, i) => i)];
  return Array.from({ length: subsets }, () => sampleWithoutReplacement(rng, n, size));
}

/** 1 - mean over subsets of SelfBLEU (mean over docs and orders); null when there is no subset. */
export function selfBleuDiversity(
  docs: readonly (readonly string[])[],
  subsets: readonly number[][],
  orders?: readonly number[],
): number | null {
  if (subsets.length === 0) return null;
  let total = 0;
  for (const subset of subsets)
    total += selfBleu(
      subset.map((i) => docs[i]),
      orders,
    );
  return 1 - total / subsets.length;
}

/** Mean cosine similarity over ordered pairs i != j, in O(m d): (|sum u|^2 - sum |u|^2) / (m (m - 1)) for unit u. */
export function meanPairwiseCosine(embeddings: readonly ArrayLike<number>[]): number | null {
  let sum: Float64Array | undefined;
  let selfSquares = 0;
  let m = 0;
  for (const e of embeddings) {
    if (embeddingProblem(e, sum?.length) !== null) {
      if (sum && e.length !== sum.length)
        throw new Error("meanPairwiseCosine: embeddings of different widths");
      continue;
    }
    sum ??= new Float64Array(e.length);
    let norm = 0;
    for (let i = 0; i < e.length; i++) norm += e[i] * e[i];
    const scale = 1 / Math.sqrt(norm);
    for (let i = 0; i < e.length; i++) {
      const u = e[i] * scale;
      sum[i] += u;
      selfSquares += u * u;
    }
    m++;
  }
  if (sum === undefined || m < 2) return null;
  let sumSquares = 0;
  for (let i = 0; i < sum.length; i++) sumSquares += sum[i] * sum[i];
  return (sumSquares - selfSquares) / (m * (m - 1));
}

/**
 * 1 - mean over subsets of the mean pairwise cosine. Members without a usable embedding are left out of their
 * subset; subsets with fewer than 2 usable embeddings are skipped; null when none is left.
 */
export function embeddingDiversity(
  embeddings: readonly (ArrayLike<number> | null | undefined)[],
  subsets: readonly number[][],
): number | null {
  let total = 0;
  let used = 0;
  for (const subset of subsets) {
    const members = subset.map((i) => embeddings[i]).filter((e): e is ArrayLike<number> => e != null);
    const cosine = meanPairwiseCosine(members);
    if (cosine === null) continue;
    total += cosine;
    used++;
  }
  return used === 0 ? null : 1 - total / used;
}
