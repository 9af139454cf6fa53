// Greedy grouping of findings by similarity, so the report shows families of attacks instead of
// near-duplicates. Items are visited in the given order (best first); each joins the first group whose
// representative (the group's first item) is similar enough, or starts a new group.

/** Lower-cased word unigrams and bigrams of a text: the feature set for Jaccard similarity. */
export function wordShingles(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
  const out = new Set<string>(words);
  for (let i = 0; i + 1 < words.length; i++) out.add(`${words[i]} ${words[i + 1]}`);
  return out;
}

/** |A n B| / |A u B|; two empty sets are identical (1). */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const x of small) if (large.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** Cosine similarity of two equal-length vectors (0 when either is all zeros). */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) {
    throw new Error(`cosine: vectors differ in length (${a.length} vs ${b.length}); embed with one model`);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * Greedy single-pass clustering: O(items x groups). `similarity(i, j)` compares items by index so callers
 * can precompute features (shingle sets, embeddings) once.
 */
export function greedyCluster(
  count: number,
  similarity: (i: number, j: number) => number,
  threshold: number,
): number[][] {
  const groups: number[][] = [];
  for (let i = 0; i < count; i++) {
    const home = groups.find((g) => similarity(g[0]!, i) >= threshold);
    if (home) home.push(i);
    else groups.push([i]);
  }
  return groups;
}

/** Groups texts by word-shingle Jaccard (default threshold 0.5), or by embedding cosine when given (0.8). */
export function clusterTexts(
  texts: string[],
  opts: { embeddings?: ArrayLike<number>[]; threshold?: number } = {},
): number[][] {
  if (opts.embeddings) {
    const emb = opts.embeddings;
    if (emb.length !== texts.length) {
      throw new Error(`clusterTexts: ${emb.length} embeddings for ${texts.length} texts; pass one per text`);
    }
    return greedyCluster(texts.length, (i, j) => cosine(emb[i]!, emb[j]!), opts.threshold ?? 0.8);
  }
  const sets = texts.map(wordShingles);
  return greedyCluster(texts.length, (i, j) => jaccard(sets[i]!, sets[j]!), opts.threshold ?? 0.5);
}
