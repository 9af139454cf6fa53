// The replay buffer of high-reward test cases (the authors' ReplayBuffer, re-derived): a bounded set ranked by a
// key (the judge's log score by default), deduplicated on the way in — an exact repeat of a stored test case is
// dropped, and a near-repeat (token edit distance below `tolerance` x the two lengths) keeps whichever of the two
// has the higher key — and sampled without replacement with probability proportional to exp(key) (or
// uniformly). Trajectory balance is off-policy, so these cases train the attacker again at no query cost.
// state()/loadState() make it part of an exact resume.
import type { Rng } from "../../util/rng.js";
import type { RewardTerms } from "./reward.js";

export interface ReplayItem {
  /** The seed prompt's ids and the test case's ids as trained (the sampled tokens). */
  promptIds: number[];
  responseIds: number[];
  /** The cleaned test case: exact repeats are matched on it. */
  text: string;
  terms: RewardTerms;
  judgeScore: number;
}

interface Entry extends ReplayItem {
  key: number;
  /** Insertion number: the older of two equal keys is evicted first. */
  order: number;
  /** responseIds without end-of-text tokens, for the edit distance. */
  tokens: number[];
}

export interface ReplayBufferOptions {
  capacity: number;
  /** Near-repeat threshold on edit distance / (len a + len b); 0 turns near-repeat matching off. */
  tolerance: number;
  /** Token ids left out of the edit distance (the end-of-text ids). */
  ignoreIds?: readonly number[];
}

export type ReplaySampling = "priority" | "uniform";

export class ReplayBuffer {
  private entries: Entry[] = [];
  private added = 0;
  private readonly ignore: Set<number>;

  constructor(readonly opts: ReplayBufferOptions) {
    if (!Number.isInteger(opts.capacity) || opts.capacity < 1)
      throw new Error(`replay buffer: capacity must be a positive integer, got ${opts.capacity}`);
    if (!(opts.tolerance >= 0 && opts.tolerance <= 1))
      throw new Error(`replay buffer: tolerance must be in [0, 1], got ${opts.tolerance}`);
    this.ignore = new Set(opts.ignoreIds ?? []);
  }

  get size(): number {
    return this.entries.length;
  }

  /** The stored items, highest key first. */
  items(): (ReplayItem & { key: number })[] {
    return [...this.entries].sort((a, b) => b.key - a.key || a.order - b.order).map(strip);
  }

  /** Adds an item ranked by `key`; returns whether it was kept. */
  add(item: ReplayItem, key: number): boolean {
    if (!Number.isFinite(key)) throw new Error(`replay buffer: key ${key} is not a finite number`);
    if (this.entries.some((e) => e.text === item.text)) return false;
    const entry: Entry = {
      ...item,
      promptIds: [...item.promptIds],
      responseIds: [...item.responseIds],
      terms: { ...item.terms },
      key,
      order: this.added++,
      tokens: item.responseIds.filter((id) => !this.ignore.has(id)),
    };
    const near = this.nearest(entry.tokens);
    if (near >= 0) {
      if (this.entries[near]!.key >= key) return false;
      this.entries[near] = entry;
      return true;
    }
    if (this.entries.length < this.opts.capacity) {
      this.entries.push(entry);
      return true;
    }
    const lowest = this.lowest();
    if (this.entries[lowest]!.key >= key) return false;
    this.entries[lowest] = entry;
    return true;
  }

  /** Draws min(n, size) distinct items. */
  sample(n: number, rng: Rng, mode: ReplaySampling = "priority"): ReplayItem[] {
    const pool = [...this.entries];
    const out: ReplayItem[] = [];
    while (out.length < n && pool.length > 0) {
      const top = Math.max(...pool.map((e) => e.key));
      const i =
        mode === "uniform" ? rng.int(pool.length) : rng.weighted(pool.map((e) => Math.exp(e.key - top)));
      out.push(strip(pool[i]!));
      pool.splice(i, 1);
    }
    return out;
  }

  clear(): void {
    this.entries = [];
  }

  state(): ReplayBufferState {
    return {
      added: this.added,
      entries: this.entries.map((e) => ({
        promptIds: Int32Array.from(e.promptIds),
        responseIds: Int32Array.from(e.responseIds),
        text: e.text,
        logScore: e.terms.logScore,
        refLogLik: e.terms.refLogLik,
        judgeScore: e.judgeScore,
        key: e.key,
        order: e.order,
      })),
    };
  }

  loadState(s: ReplayBufferState): void {
    this.added = s.added;
    this.entries = s.entries.map((e) => {
      const responseIds = [...e.responseIds];
      return {
        promptIds: [...e.promptIds],
        responseIds,
        text: e.text,
        terms: { logScore: e.logScore, refLogLik: e.refLogLik },
        judgeScore: e.judgeScore,
        key: e.key,
        order: e.order,
        tokens: responseIds.filter((id) => !this.ignore.has(id)),
      };
    });
  }

  private nearest(tokens: number[]): number {
    if (this.opts.tolerance === 0) return -1;
    let best = -1;
    let bestRatio = Number.POSITIVE_INFINITY;
    this.entries.forEach((e, i) => {
      const total = tokens.length + e.tokens.length;
      if (total === 0) return;
      const ratio = editDistance(tokens, e.tokens) / total;
      if (ratio < this.opts.tolerance && ratio < bestRatio) {
        best = i;
        bestRatio = ratio;
      }
    });
    return best;
  }

  private lowest(): number {
    let at = 0;
    this.entries.forEach((e, i) => {
      const m = this.entries[at]!;
      if (e.key < m.key || (e.key === m.key && e.order < m.order)) at = i;
    });
    return at;
  }
}

export interface ReplayBufferState {
  added: number;
  entries: {
    promptIds: Int32Array;
    responseIds: Int32Array;
    text: string;
    logScore: number;
    refLogLik: number;
    judgeScore: number;
    key: number;
    order: number;
  }[];
}

function strip(e: Entry): ReplayItem & { key: number } {
  return {
    promptIds: [...e.promptIds],
    responseIds: [...e.responseIds],
    text: e.text,
    terms: { ...e.terms },
    judgeScore: e.judgeScore,
    key: e.key,
  };
}

/** Levenshtein distance between two token sequences (unit costs). */
export function editDistance(a: readonly number[], b: readonly number[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
