// Embedding (cosine) novelty: Cos(x) = mean cosine similarity of x's embedding to every embedding in the history
// (0 on empty history), with the same score-then-add order as SelfBLEU. Embeddings are L2-normalised here,
// so the mean is one dot product with the running sum of normalised vectors: O(d) per query.
// The kNN variant (DiveR-CT) is the mean over the k most similar history entries: brute force over a flat
// Float32Array, O(history * d) per query.

import type { Resumable, StateValue } from "../util/checkpoint.js";

export type EmbeddingNoveltyMode = "mean" | "knn";

export interface EmbeddingNoveltyOptions {
  /** "mean" (CRT, default) or "knn" (mean of the k most similar). */
  mode?: EmbeddingNoveltyMode;
  /** Neighbours for "knn". Default 16. */
  k?: number;
}

/** A score, or null with the reason the embedding was unusable (never NaN). */
export interface EmbeddingScore {
  value: number | null;
  reason?: string;
}

/** An EmbeddingNovelty history as a checkpoint holds it (util/checkpoint's protocol). */
export interface EmbeddingNoveltyState {
  [key: string]: StateValue;
  format: "curio.embedding-novelty";
  version: 1;
  mode: EmbeddingNoveltyMode;
  k: number;
  dim: number;
  size: number;
  /** Sum of the normalised history vectors [dim]. */
  sum: Float64Array;
  /** knn only: the normalised history vectors, row-major [size, dim]; null for "mean". */
  vectors: Float32Array | null;
}

export type EmbeddingInput = ArrayLike<number> | null | undefined;

/** Why an embedding cannot be used, or null when it can. */
export function embeddingProblem(embedding: EmbeddingInput, dim?: number): string | null {
  if (embedding === null || embedding === undefined) return "missing embedding";
  if (embedding.length === 0) return "empty embedding";
  if (dim !== undefined && dim > 0 && embedding.length !== dim) {
    return `embedding has ${embedding.length} dimensions, the history has ${dim}`;
  }
  let squares = 0;
  for (let i = 0; i < embedding.length; i++) {
    const v = embedding[i];
    if (!Number.isFinite(v)) return `non-finite embedding value ${v} at index ${i}`;
    squares += v * v;
  }
  if (squares === 0) return "zero embedding (no direction)";
  return null;
}

/** L2-normalised float64 copy. The caller has checked `embeddingProblem` is null. */
function normalise(embedding: ArrayLike<number>): Float64Array {
  let squares = 0;
  for (let i = 0; i < embedding.length; i++) squares += embedding[i] * embedding[i];
  const scale = 1 / Math.sqrt(squares);
  const out = new Float64Array(embedding.length);
  for (let i = 0; i < embedding.length; i++) out[i] = embedding[i] * scale;
  return out;
}

export class EmbeddingNovelty implements Resumable<EmbeddingNoveltyState> {
  readonly mode: EmbeddingNoveltyMode;
  readonly k: number;
  private dimension = 0;
  private count = 0;
  private sum = new Float64Array(0);
  /** knn only: normalised history rows [count, dim], with spare capacity. */
  private vectors = new Float32Array(0);

  constructor(options: EmbeddingNoveltyOptions = {}) {
    this.mode = options.mode ?? "mean";
    this.k = options.k ?? 16;
    if (this.mode !== "mean" && this.mode !== "knn") {
      throw new Error(`embedding novelty mode must be "mean" or "knn", got ${JSON.stringify(options.mode)}`);
    }
    if (!Number.isInteger(this.k) || this.k < 1) {
      throw new Error(`embedding novelty k must be a positive integer, got ${options.k}`);
    }
  }

  get size(): number {
    return this.count;
  }

  /** Embedding width, fixed by the first added embedding (0 before). */
  get dim(): number {
    return this.dimension;
  }

  /** Novelty of each embedding against the history: mean (or kNN-mean) cosine similarity; 0 on empty history. */
  score(embeddings: readonly EmbeddingInput[]): EmbeddingScore[] {
    return embeddings.map((embedding) => {
      const reason = embeddingProblem(embedding, this.dimension);
      if (reason !== null) return { value: null, reason };
      if (this.count === 0) return { value: 0 };
      const query = normalise(embedding as ArrayLike<number>);
      return { value: this.mode === "mean" ? this.meanSimilarity(query) : this.knnSimilarity(query) };
    });
  }

  /** Append usable embeddings to the history; returns the reasons for the skipped ones (by input index). */
  add(embeddings: readonly EmbeddingInput[]): { index: number; reason: string }[] {
    const skipped: { index: number; reason: string }[] = [];
    embeddings.forEach((embedding, index) => {
      const reason = embeddingProblem(embedding, this.dimension);
      if (reason !== null) {
        skipped.push({ index, reason });
        return;
      }
      const unit = normalise(embedding as ArrayLike<number>);
      if (this.dimension === 0) {
        this.dimension = unit.length;
        this.sum = new Float64Array(unit.length);
      }
      for (let i = 0; i < unit.length; i++) this.sum[i] += unit[i];
      if (this.mode === "knn") this.appendRow(unit);
      this.count++;
    });
    return skipped;
  }

  state(): EmbeddingNoveltyState {
    return {
      format: "curio.embedding-novelty",
      version: 1,
      mode: this.mode,
      k: this.k,
      dim: this.dimension,
      size: this.count,
      sum: this.sum.slice(),
      vectors: this.mode === "knn" ? this.vectors.slice(0, this.count * this.dimension) : null,
    };
  }

  /** Replaces this history with a saved one (same mode and k). */
  loadState(s: EmbeddingNoveltyState): void {
    const where = "EmbeddingNovelty.loadState";
    if (s?.format !== "curio.embedding-novelty" || s.version !== 1) {
      throw new Error(
        `${where}: expected format "curio.embedding-novelty" version 1, got ` +
          `${JSON.stringify(s?.format)}; pass the object state() produced`,
      );
    }
    if (s.mode !== this.mode || s.k !== this.k) {
      throw new Error(`${where}: the state is ${s.mode} (k ${s.k}), this history ${this.mode} (k ${this.k})`);
    }
    if (s.sum.length !== s.dim) throw new Error(`${where}: sum has ${s.sum.length} values for dim ${s.dim}`);
    if (s.mode === "knn" && s.vectors?.length !== s.size * s.dim) {
      throw new Error(`${where}: ${s.vectors?.length ?? 0} knn values for ${s.size}x${s.dim}`);
    }
    this.dimension = s.dim;
    this.count = s.size;
    this.sum = s.sum.slice();
    this.vectors = s.vectors ? s.vectors.slice() : new Float32Array(0);
  }

  private meanSimilarity(query: Float64Array): number {
    let dot = 0;
    for (let i = 0; i < query.length; i++) dot += query[i] * this.sum[i];
    return dot / this.count;
  }

  /** Mean of the k largest similarities (all of them when the history is smaller than k). */
  private knnSimilarity(query: Float64Array): number {
    const d = this.dimension;
    const k = Math.min(this.k, this.count);
    const vectors = this.vectors; // [count, d]
    const top: number[] = []; // ascending, length <= k
    for (let row = 0; row < this.count; row++) {
      let dot = 0;
      const base = row * d;
      for (let i = 0; i < d; i++) dot += query[i] * vectors[base + i];
      if (top.length === k && dot <= top[0]) continue;
      if (top.length === k) top.shift();
      let at = 0;
      while (at < top.length && top[at] < dot) at++;
      top.splice(at, 0, dot);
    }
    let total = 0;
    for (const v of top) total += v;
    return total / top.length;
  }

  private appendRow(unit: Float64Array): void {
    const needed = (this.count + 1) * this.dimension;
    if (needed > this.vectors.length) {
      const grown = new Float32Array(Math.max(needed, this.vectors.length * 2, 64 * this.dimension));
      grown.set(this.vectors);
      this.vectors = grown;
    }
    this.vectors.set(unit, this.count * this.dimension);
  }
}

/**
 * RL+TDiv target-response similarity, as in the official code: for each i,
 * TDiv_i = mean_j exp(-L1(e_i, e_j) / 100) over the batch's (normalised) response embeddings, j including i.
 * The reward adds c_tdiv * TDiv_i, with c_tdiv = -5 in the paper's code (one unit: curio.yaml's rewards.tdiv).
 * Unusable embeddings give null and are left out of the other samples' means.
 */
export function targetDiversity(embeddings: readonly EmbeddingInput[]): (number | null)[] {
  const units = embeddings.map((e) =>
    embeddingProblem(e) === null ? normalise(e as ArrayLike<number>) : null,
  );
  const dims = new Set(units.filter((u) => u !== null).map((u) => u.length));
  if (dims.size > 1)
    throw new Error(`targetDiversity: embeddings of different widths ${[...dims].join(", ")}`);
  const valid = units.filter((u): u is Float64Array => u !== null);
  return units.map((ei) => {
    if (ei === null) return null;
    let total = 0;
    for (const ej of valid) {
      let l1 = 0;
      for (let i = 0; i < ei.length; i++) l1 += Math.abs(ei[i] - ej[i]);
      total += Math.exp(-l1 / 100);
    }
    return total / valid.length;
  });
}
