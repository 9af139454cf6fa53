// Seeded pseudo-random numbers for evaluation subsampling and bootstrap (no global state: pass the generator).

/** mulberry32: a small, fast 32-bit generator; returns floats in [0, 1). */
export function makeRng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Uniform integer in [0, n). */
export function randomInt(rng: () => number, n: number): number {
  return Math.floor(rng() * n);
}

/** k distinct indices from [0, n), uniformly (Floyd's algorithm, O(k)); ascending. */
export function sampleWithoutReplacement(rng: () => number, n: number, k: number): number[] {
  if (k > n) throw new Error(`cannot draw ${k} distinct items from ${n}`);
  const chosen = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = randomInt(rng, j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}
