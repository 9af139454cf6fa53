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

// Nucleus selection buckets tokens by their scaled log-probability below the maximum, (l - max) / T, in steps of
// 1/LEVEL_SCALE: one pass sums each bucket's mass, whole buckets above the p boundary are kept, and only the
// bucket the boundary falls in is sorted. The last bucket holds everything below -(LEVELS - 1) / LEVEL_SCALE.
const LEVELS = 2048;
const LEVEL_SCALE = 32;

/** The bucket of a token whose scaled logit is `d` = (l - max) / T <= 0. */
const levelOf = (d: number): number => Math.min(LEVELS - 1, Math.floor(-d * LEVEL_SCALE));

/**
 * The top-p (nucleus) set without sorting the vocabulary: the tokens whose mass ranked above them is < p (the
 * set HF's TopPLogitsWarper keeps; ties ranked by lower id first). `e` holds unnormalised probabilities summing
 * to `total`, `level` each token's bucket (levelOf of its scaled logit; larger e, lower level). Returns a 0/1
 * mark per token and the kept mass.
 */
export function nucleusByLevel(
  e: Float64Array,
  level: Uint16Array,
  total: number,
  topP: number,
  keep: Uint8Array = new Uint8Array(e.length),
): { keep: Uint8Array; mass: number } {
  const n = e.length;
  const massAt = new Float64Array(LEVELS);
  for (let i = 0; i < n; i++) massAt[level[i]!]! += e[i]!;
  const target = topP * total;
  let above = 0; // mass of the buckets ranked above the boundary bucket (all kept)
  let boundary = 0;
  while (boundary < LEVELS - 1 && above + massAt[boundary]! < target) {
    above += massAt[boundary]!;
    boundary++;
  }
  const ties: number[] = []; // the boundary bucket's tokens
  keep.fill(0);
  for (let i = 0; i < n; i++) {
    const l = level[i]!;
    if (l < boundary) keep[i] = 1;
    else if (l === boundary) ties.push(i);
  }
  ties.sort((a, b) => e[b]! - e[a]! || a - b);
  for (let j = 0; j < ties.length && above < target; j++) {
    keep[ties[j]!] = 1;
    above += e[ties[j]!]!;
  }
  return { keep, mass: above };
}

/** nucleusByLevel for unnormalised probabilities alone (levels from log(e / max e)). */
export function nucleus(e: Float64Array, total: number, topP: number): { keep: Uint8Array; mass: number } {
  let max = 0;
  for (let i = 0; i < e.length; i++) if (e[i]! > max) max = e[i]!;
  const level = new Uint16Array(e.length);
  for (let i = 0; i < e.length; i++) level[i] = e[i]! > 0 ? levelOf(Math.log(e[i]! / max)) : LEVELS - 1;
  return nucleusByLevel(e, level, total, topP);
}

/** What a model graph computed beside a row's logits, which saves the sampler its passes of exp. */
export interface RowSoftmax {
  /** softmax(logits / temperature) over the row, at the temperature being sampled */
  probs: ArrayLike<number>;
  /** log-sum-exp of the raw logits (temperature 1) */
  logZ: number;
}

/**
 * Picks next tokens from rows of logits and reports each pick's log-softmax at temperature 1 (what generation
 * records). Holds the per-row scratch buffers, so one sampler serves every row and step of a generation. With
 * the row's softmax from the graph (`given`), nucleus sampling reads its probabilities instead of computing them.
 */
export class TokenSampler {
  private readonly e: Float64Array;
  private readonly level: Uint16Array;
  private readonly keep: Uint8Array;

  constructor(readonly vocabSize: number) {
    this.e = new Float64Array(vocabSize);
    this.level = new Uint16Array(vocabSize);
    this.keep = new Uint8Array(vocabSize);
  }

  sample(
    logits: ArrayLike<number>,
    opts: SamplingOptions,
    rng: Rng,
    given?: RowSoftmax,
  ): { token: number; logprob: number } {
    const n = logits.length;
    if (n !== this.vocabSize)
      throw new Error(`TokenSampler: a row of ${n} logits, expected ${this.vocabSize}`);
    const logprobOf = (token: number) => (given ? logits[token]! - given.logZ : logSoftmaxAt(logits, token));
    const topP = opts.topP ?? 1;
    const temperature = opts.temperature ?? 1;
    if (opts.greedy || (opts.topK ?? 0) !== 0 || !(topP < 1 && temperature > 0)) {
      const token = opts.greedy ? argmax(logits) : sampleFiltered(logits, opts, rng);
      return { token, logprob: logprobOf(token) };
    }
    // nucleus sampling: one pass for the probabilities at the temperature (unless given) and their buckets
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) if (logits[i]! > max) max = logits[i]!;
    const { e, level } = this;
    const invT = 1 / temperature;
    let Z = 0;
    for (let i = 0; i < n; i++) {
      const d = (logits[i]! - max) * invT;
      const x = given ? given.probs[i]! : Math.exp(d);
      e[i] = x;
      Z += x;
      level[i] = levelOf(d);
    }
    const { keep, mass } = nucleusByLevel(e, level, Z, topP, this.keep);
    // draw walking the kept set in id order
    const u = rng.next() * mass;
    let cum = 0;
    let token = -1;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      cum += e[i]!;
      token = i;
      if (u < cum) break;
    }
    if (given || temperature !== 1) return { token, logprob: logprobOf(token) };
    return { token, logprob: logits[token]! - max - Math.log(Z) };
  }
}

/** A draw from filteredDistribution (top-k, or no filter). */
function sampleFiltered(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  const { ids, probs } = filteredDistribution(logits, opts);
  const u = rng.next();
  let cum = 0;
  for (let j = 0; j < ids.length; j++) {
    cum += probs[j]!;
    if (u < cum) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}

/** Picks the next token from one row of logits. */
export function sampleToken(logits: ArrayLike<number>, opts: SamplingOptions, rng: Rng): number {
  return new TokenSampler(logits.length).sample(logits, opts, rng).token;
}
