// Next-token selection with Hugging Face semantics: temperature, then top-k, then top-p (nucleus), then a
// draw from the renormalised distribution; or greedy argmax. Works on one row of logits at a time.
import type { Rng } from "../util/rng.js";

export interface SamplingOptions {
  temperature?: number; // default 1
  topK?: number; // 0 = off
  topP?: number; // 1 = off
  greedy?: boolean;
}

/** log-softmax of `logits` at `id` (temperature 1, no filtering). */
export function logSoftmaxAt(logits: ArrayLike<number>, id: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i]! > max) max = logits[i]!;
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! - max);
  return logits[id]! - max - Math.log(sum);
}

/** Index of the largest value; the first one on ties (as torch.argmax). */
export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
}

/**
 * The distribution sampling draws from: probabilities over the vocabulary after temperature, top-k and top-p,
 * as a sparse list of (id, prob) in descending probability order (ties: lower id first).
 * top-p keeps the smallest set of most likely tokens whose probability mass exceeds p (HF TopPLogitsWarper:
 * sort ascending, drop tokens while the cumulative mass is <= 1 - p; at least one token is always kept).
 * Only the candidates that can survive the filters are sorted: tokens within a widening window below the
 * maximum logit, until the window holds the top k, or (top-p alone) mass >= p, which contains the nucleus.
 */
export function filteredDistribution(
  logits: ArrayLike<number>,
  opts: SamplingOptions,
): { ids: Int32Array; probs: Float64Array } {
  const temperature = opts.temperature ?? 1;
  if (!(temperature > 0))
    throw new Error(`temperature must be > 0, got ${temperature} (use greedy: true for argmax)`);
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new Error(`topP must be in (0, 1], got ${topP}`);
  const n = logits.length;
  if (n > 1 << 21) throw new Error(`vocabulary of ${n} tokens is too large for the sampler (max 2^21)`);
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
  const e = new Float64Array(n); // unnormalised probabilities at the temperature
  let Z = 0;
  for (let i = 0; i < n; i++) {
    e[i] = Math.exp((logits[i]! - max) / temperature);
    Z += e[i]!;
  }
  // candidates: e >= exp(-window), widening the window until it holds every token that can be kept
  let cand = new Int32Array(0);
  for (let window = 8; ; window *= 2) {
    const floor = Math.exp(-window);
    let count = 0;
    let mass = 0;
    for (let i = 0; i < n; i++) {
      if (e[i]! >= floor) {
        count++;
        mass += e[i]!;
      }
    }
    const enough = topK > 0 ? count >= topK : topP < 1 ? mass >= topP * Z : count === n;
    if (enough || count === n) {
      cand = new Int32Array(count);
      let j = 0;
      for (let i = 0; i < n; i++) if (e[i]! >= floor) cand[j++] = i;
      break;
    }
  }
  // sort candidates by logit, descending, through float64 keys: order-preserving bits of the float32 logit in
  // the high part, the complement of the id in the low 21 bits (ties: lower id first)
  const keys = new Float64Array(cand.length);
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  for (let j = 0; j < cand.length; j++) {
    f[0] = logits[cand[j]!]!;
    const bits = u[0]!;
    const ordered = bits & 0x80000000 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0; // monotone in the float value
    keys[j] = ordered * 2097152 + (2097151 - cand[j]!);
  }
  keys.sort();
  let k = topK > 0 ? Math.min(topK, cand.length) : cand.length;
  const ids = new Int32Array(k);
  for (let j = 0; j < k; j++) ids[j] = 2097151 - (keys[cand.length - 1 - j]! % 2097152);
  const probs = new Float64Array(k);
  let kept = 0;
  for (let j = 0; j < k; j++) kept += e[ids[j]!]!;
  const norm = topK > 0 ? kept : Z; // top-k renormalises over its k tokens
  for (let j = 0; j < k; j++) probs[j] = e[ids[j]!]! / norm;
  if (topP < 1) {
    // ascending cumulative mass, starting with the tokens outside the candidates (all dropped)
    let cum = (norm - kept) / norm;
    let keep = k;
    for (let j = k - 1; j > 0; j--) {
      cum += probs[j]!;
      if (cum <= 1 - topP) keep = j;
      else break;
    }
    k = keep;
  }
  let s = 0;
  for (let j = 0; j < k; j++) s += probs[j]!;
  for (let j = 0; j < k; j++) probs[j]! /= s;
  return { ids: ids.slice(0, k), probs: probs.slice(0, k) };
}

/**
 * The top-p (nucleus) set without sorting the vocabulary: a quickselect on probability mass finds the tokens
 * whose mass ranked above them is < p (the set HF's TopPLogitsWarper keeps). Returns a 0/1 mark per token and
 * the kept mass relative to the unnormalised probabilities `e`.
 */
export function nucleus(
  e: Float64Array,
  total: number,
  topP: number,
  rng: Rng,
): { keep: Uint8Array; mass: number } {
  const n = e.length;
  const keep = new Uint8Array(n);
  const target = topP * total;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const swap = (a: number, b: number) => {
    const t = idx[a]!;
    idx[a] = idx[b]!;
    idx[b] = t;
  };
  let above = 0; // mass of tokens known to rank above idx[lo, hi) (all kept)
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const pivot = e[idx[lo + rng.int(hi - lo)]!]!;
    // three-way partition of [lo, hi): [lo, gt) > pivot, [gt, i) == pivot, [lt, hi) < pivot
    let gt = lo;
    let i = lo;
    let lt = hi;
    let massG = 0;
    let massE = 0;
    while (i < lt) {
      const x = e[idx[i]!]!;
      if (x > pivot) {
        massG += x;
        swap(gt++, i++);
      } else if (x < pivot) {
        swap(i, --lt);
      } else {
        massE += x;
        i++;
      }
    }
    if (above + massG >= target && gt > lo) {
      hi = gt; // the boundary lies among the larger ones
      continue;
    }
    for (let j = lo; j < gt; j++) keep[idx[j]!] = 1;
    above += massG;
    if (above + massE >= target) {
      // the boundary lies among the ties: keep them (lowest ids first) while the mass above each is < p
      const ties = idx.slice(gt, lt).sort();
      for (let j = 0; j < ties.length && above < target; j++) {
        keep[ties[j]!] = 1;
        above += pivot;
      }
      return { keep, mass: above };
    }
    for (let j = gt; j < lt; j++) keep[idx[j]!] = 1;
    above += massE;
    lo = lt;
  }
  return { keep, mass: above };
}

/** Picks the next token from one row of logits. */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  if (opts.greedy) return argmax(logits);
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  const temperature = opts.temperature ?? 1;
  if (topK === 0 && topP < 1 && temperature > 0) {
    // nucleus sampling without a sort: select the kept set, then draw walking it in id order
    const n = logits.length;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
    const e = new Float64Array(n);
    let Z = 0;
    for (let i = 0; i < n; i++) {
      e[i] = Math.exp((logits[i]! - max) / temperature);
      Z += e[i]!;
    }
    const { keep, mass } = nucleus(e, Z, topP, rng);
    const u = rng.next() * mass;
    let cum = 0;
    let last = -1;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      cum += e[i]!;
      last = i;
      if (u < cum) return i;
    }
    return last;
  }
  const { ids, probs } = filteredDistribution(logits, opts);
  const u = rng.next();
  let cum = 0;
  for (let j = 0; j < ids.length; j++) {
    cum += probs[j]!;
    if (u < cum) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}
