// SelfBLEU novelty (CRT's BLEU term) with an incremental index, and the SelfBLEU evaluation metric.
// Multi-reference BLEU only needs, from the references, the maximum count of each n-gram in any single reference
// and the set of reference lengths; both are kept incrementally, so scoring a document costs O(len(doc) * maxN)
// hash lookups (+ log for the length search), independent of how many documents were added.

import type { Resumable, StateValue } from "../util/checkpoint.js";
import { bleuFromCounts, closestIndex } from "./bleu.js";
import { growInt32, NgramTrie, Vocabulary } from "./ngram-trie.js";

export const DEFAULT_BLEU_ORDERS: readonly number[] = [2, 3, 4, 5];
const FORMAT = "curio.selfbleu-novelty";

export interface SelfBleuOptions {
  /** BLEU orders averaged into the score (cumulative BLEU-n, uniform weights). Default [2, 3, 4, 5]. */
  n?: readonly number[];
}

/** A SelfBleuNovelty index as a checkpoint holds it (util/checkpoint's protocol). */
export interface SelfBleuNoveltyState {
  [key: string]: StateValue;
  format: typeof FORMAT;
  version: 1;
  n: number[];
  size: number;
  tokens: string[];
  /** (parent node, token id) of every trie node after the root. */
  parents: Int32Array;
  tokenIds: Int32Array;
  /** Max count of each node's n-gram in any single added document (index = node id). */
  maxCounts: Int32Array;
  /** Distinct lengths of the added documents, ascending. */
  lengths: number[];
}

function validateOrders(n: readonly number[] | undefined): number[] {
  const orders = [...(n ?? DEFAULT_BLEU_ORDERS)];
  if (orders.length === 0 || orders.some((k) => !Number.isInteger(k) || k < 1 || k > 32)) {
    throw new Error(
      `SelfBLEU orders must be a non-empty list of integers in 1..32, got ${JSON.stringify(n)}`,
    );
  }
  return orders;
}

function checkDocs(docs: readonly (readonly string[])[], where: string): void {
  if (!Array.isArray(docs)) throw new TypeError(`${where}: expected an array of token arrays`);
  docs.forEach((doc, i) => {
    if (!Array.isArray(doc) || doc.some((t) => typeof t !== "string")) {
      throw new TypeError(
        `${where}: doc ${i} is not an array of strings; tokenize texts with wordTokenize first`,
      );
    }
  });
}

/** Count a document's n-grams of orders 1..maxOrder as trie nodes. With `insert` false, unseen n-grams are skipped. */
function countNgrams(trie: NgramTrie, ids: readonly number[], maxOrder: number, insert: boolean) {
  const counts = new Map<number, number>();
  for (let i = 0; i < ids.length; i++) {
    let node = 0;
    for (let k = 0; k < maxOrder && i + k < ids.length; k++) {
      const token = ids[i + k];
      if (token < 0) break;
      node = insert ? trie.insert(node, token) : trie.child(node, token);
      if (node < 0) break;
      counts.set(node, (counts.get(node) ?? 0) + 1);
    }
  }
  return counts;
}

function meanBleu(
  numerators: number[],
  hypLength: number,
  closestRef: number,
  orders: readonly number[],
): number {
  let sum = 0;
  for (const n of orders) sum += bleuFromCounts(numerators, hypLength, closestRef, n);
  return sum / orders.length;
}

/**
 * CRT's SelfBLEU novelty: `score` gives each document's multi-reference BLEU (mean over the orders `n`) against
 * every document `add`ed so far (0 while nothing was added); results equal NLTK's sentence_bleu with method1
 * smoothing. Use score-then-add per batch so that documents of one batch are never compared with each other.
 */
export class SelfBleuNovelty implements Resumable<SelfBleuNoveltyState> {
  readonly orders: readonly number[];
  private readonly maxOrder: number;
  private vocab = new Vocabulary();
  private trie = new NgramTrie();
  private maxCounts = new Int32Array(1024);
  private lengths: number[] = [];
  private added = 0;

  constructor(options: SelfBleuOptions = {}) {
    this.orders = validateOrders(options.n);
    this.maxOrder = Math.max(...this.orders);
  }

  /** Number of documents added so far. */
  get size(): number {
    return this.added;
  }

  score(docs: readonly (readonly string[])[]): number[] {
    checkDocs(docs, "SelfBleuNovelty.score");
    if (this.added === 0) return docs.map(() => 0);
    return docs.map((doc) => {
      const ids = doc.map((token) => this.vocab.id(token));
      const numerators = new Array<number>(this.maxOrder).fill(0);
      for (const [node, count] of countNgrams(this.trie, ids, this.maxOrder, false)) {
        numerators[this.trie.depth(node) - 1] += Math.min(count, this.maxCounts[node]);
      }
      const closest = this.lengths[closestIndex(this.lengths, doc.length)];
      return meanBleu(numerators, doc.length, closest, this.orders);
    });
  }

  add(docs: readonly (readonly string[])[]): void {
    checkDocs(docs, "SelfBleuNovelty.add");
    for (const doc of docs) {
      const ids = doc.map((token) => this.vocab.intern(token));
      const counts = countNgrams(this.trie, ids, this.maxOrder, true);
      this.maxCounts = growInt32(this.maxCounts, this.trie.nodeCount);
      for (const [node, count] of counts) {
        if (count > this.maxCounts[node]) this.maxCounts[node] = count;
      }
      const at = closestIndex(this.lengths, doc.length);
      if (this.lengths[at] !== doc.length) {
        const insertAt = at < 0 || this.lengths[at] < doc.length ? at + 1 : at;
        this.lengths.splice(insertAt, 0, doc.length);
      }
      this.added++;
    }
  }

  state(): SelfBleuNoveltyState {
    const { parents, tokens } = this.trie.edges();
    return {
      format: FORMAT,
      version: 1,
      n: [...this.orders],
      size: this.added,
      tokens: [...this.vocab.tokens],
      parents,
      tokenIds: tokens,
      maxCounts: this.maxCounts.slice(0, this.trie.nodeCount),
      lengths: [...this.lengths],
    };
  }

  /** Replaces this index's history with a saved one (same BLEU orders). */
  loadState(s: SelfBleuNoveltyState): void {
    const where = "SelfBleuNovelty.loadState";
    if (s?.format !== FORMAT || s.version !== 1) {
      throw new Error(
        `${where}: expected format "${FORMAT}" version 1, got ${JSON.stringify(s?.format)} ` +
          `version ${JSON.stringify(s?.version)}; pass the object state() produced`,
      );
    }
    if (JSON.stringify(s.n) !== JSON.stringify(this.orders)) {
      throw new Error(`${where}: the state has orders ${s.n}, this index ${this.orders}`);
    }
    if (new Set(s.tokens).size !== s.tokens.length) {
      throw new Error(`${where}: duplicate tokens in the vocabulary; the index is corrupt`);
    }
    const trie = NgramTrie.fromEdges(s.parents, s.tokenIds);
    if (s.maxCounts.length !== trie.nodeCount) {
      throw new Error(`${where}: ${s.maxCounts.length} max counts for ${trie.nodeCount} n-grams`);
    }
    this.vocab = new Vocabulary(s.tokens);
    this.trie = trie;
    this.maxCounts = s.maxCounts.slice();
    this.lengths = [...s.lengths];
    this.added = s.size;
  }
}

/** Closest length to `hypLength` among `sorted` (distinct, ascending; counts in `counts`) after removing one `hypLength`. */
function closestExcludingSelf(sorted: number[], counts: Map<number, number>, hypLength: number): number {
  const at = closestIndex(sorted, hypLength);
  if (sorted[at] !== hypLength || (counts.get(hypLength) ?? 0) > 1) return sorted[at];
  // The closest length is the document's own and only it has that length: take the nearer neighbour.
  const left = at > 0 ? sorted[at - 1] : undefined;
  const right = at + 1 < sorted.length ? sorted[at + 1] : undefined;
  if (left === undefined) return right as number;
  if (right === undefined) return left;
  return hypLength - left <= right - hypLength ? left : right;
}

/**
 * SelfBLEU of a set (the evaluation metric): the mean over documents and orders `n` of each document's BLEU
 * against all the other documents. O(total length): per n-gram the two largest per-document counts are kept,
 * so leaving a document out is O(len(doc)). Returns 0 for fewer than two documents (nothing to compare with).
 */
export function selfBleu(
  docs: readonly (readonly string[])[],
  n: readonly number[] = DEFAULT_BLEU_ORDERS,
): number {
  const orders = validateOrders(n);
  checkDocs(docs, "selfBleu");
  if (docs.length < 2) return 0;
  const maxOrder = Math.max(...orders);
  const vocab = new Vocabulary();
  const totalTokens = docs.reduce((sum, doc) => sum + doc.length, 0);
  const trie = new NgramTrie(totalTokens * maxOrder);
  let best1 = new Int32Array(trie.nodeCount + totalTokens * maxOrder);
  let best2 = new Int32Array(best1.length);
  const lengthCounts = new Map<number, number>();
  const docCounts = docs.map((doc) => {
    const counts = countNgrams(
      trie,
      doc.map((t) => vocab.intern(t)),
      maxOrder,
      true,
    );
    best1 = growInt32(best1, trie.nodeCount);
    best2 = growInt32(best2, trie.nodeCount);
    for (const [node, count] of counts) {
      if (count > best1[node]) {
        best2[node] = best1[node];
        best1[node] = count;
      } else if (count > best2[node]) best2[node] = count;
    }
    lengthCounts.set(doc.length, (lengthCounts.get(doc.length) ?? 0) + 1);
    return counts;
  });
  const sortedLengths = [...lengthCounts.keys()].sort((a, b) => a - b);
  let total = 0;
  docs.forEach((doc, i) => {
    const numerators = new Array<number>(maxOrder).fill(0);
    for (const [node, count] of docCounts[i]) {
      // The max count over the other documents: the runner-up when this document holds the maximum.
      const others = count === best1[node] ? best2[node] : best1[node];
      numerators[trie.depth(node) - 1] += Math.min(count, others);
    }
    const closest = closestExcludingSelf(sortedLengths, lengthCounts, doc.length);
    for (const order of orders) total += bleuFromCounts(numerators, doc.length, closest, order);
  });
  return total / (docs.length * orders.length);
}
