// Sentence BLEU with NLTK 3.x semantics (sentence_bleu = corpus_bleu of one hypothesis, uniform weights 1/n,
// SmoothingFunction().method1 with epsilon 0.1), shared by the incremental index and the brute-force reference.

const SMOOTHING_EPSILON = 0.1;

/** Python's math.fsum: the correctly rounded sum (Shewchuk), so log-sums match NLTK bit for bit. */
export function fsum(values: readonly number[]): number {
  const partials: number[] = [];
  for (let x of values) {
    let kept = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[kept++] = lo;
      x = hi;
    }
    partials.length = kept;
    partials.push(x);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Round half-even across the remaining partials, as CPython does.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

/** NLTK brevity_penalty: 1 if c > r, 0 if c == 0, else exp(1 - r/c). */
export function brevityPenalty(closestRefLength: number, hypLength: number): number {
  if (hypLength > closestRefLength) return 1;
  if (hypLength === 0) return 0;
  return Math.exp(1 - closestRefLength / hypLength);
}

/**
 * Cumulative BLEU-n from clipped match counts per order (index k-1 holds order k), NLTK style: 0 when there is
 * no unigram match; a zero numerator becomes epsilon / denominator (method1); weights 1/n.
 */
export function bleuFromCounts(
  numerators: ArrayLike<number>,
  hypLength: number,
  closestRefLength: number,
  n: number,
): number {
  if (numerators[0] === 0) return 0;
  const weight = 1 / n;
  const terms: number[] = [];
  for (let k = 1; k <= n; k++) {
    const denominator = Math.max(1, hypLength - k + 1);
    const numerator = numerators[k - 1];
    const precision = numerator === 0 ? SMOOTHING_EPSILON / denominator : numerator / denominator;
    terms.push(weight * Math.log(precision));
  }
  return brevityPenalty(closestRefLength, hypLength) * Math.exp(fsum(terms));
}

/** Index of the reference length closest to `hypLength` in an ascending array (ties: the shorter one). */
export function closestIndex(sortedLengths: ArrayLike<number>, hypLength: number): number {
  let lo = 0;
  let hi = sortedLengths.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sortedLengths[mid] < hypLength) lo = mid + 1;
    else hi = mid;
  }
  // lo = first index with length >= hypLength; compare with its left neighbour.
  if (lo === sortedLengths.length) return lo - 1;
  if (lo > 0 && hypLength - sortedLengths[lo - 1] <= sortedLengths[lo] - hypLength) return lo - 1;
  return lo;
}

function ngramCounts(tokens: readonly string[], order: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + order <= tokens.length; i++) {
    const key = JSON.stringify(tokens.slice(i, i + order));
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * Reference implementation, O(total reference length): NLTK's
 * `sentence_bleu(refs, hyp, weights=(1/n,)*n, smoothing_function=SmoothingFunction().method1)`.
 * Returns 0 when `refs` is empty (NLTK would raise).
 */
export function bleuBruteForce(
  hyp: readonly string[],
  refs: readonly (readonly string[])[],
  n: number,
): number {
  if (refs.length === 0) return 0;
  const numerators: number[] = [];
  for (let order = 1; order <= n; order++) {
    const counts = ngramCounts(hyp, order);
    const maxRef = new Map<string, number>();
    for (const ref of refs) {
      const refCounts = ngramCounts(ref, order);
      for (const key of counts.keys())
        maxRef.set(key, Math.max(maxRef.get(key) ?? 0, refCounts.get(key) ?? 0));
    }
    let clipped = 0;
    for (const [key, count] of counts) clipped += Math.min(count, maxRef.get(key) ?? 0);
    numerators.push(clipped);
  }
  const lengths = refs.map((r) => r.length).sort((a, b) => a - b);
  const closest = lengths[closestIndex(lengths, hyp.length)];
  return bleuFromCounts(numerators, hyp.length, closest, n);
}
