// Seeded pseudo-random numbers for evaluation subsampling and bootstrap (no global state: pass the generator).

export { makeRng } from "../util/rng.js";

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
