// Hashing embedder: a deterministic, model-free bag of word n-grams. Words are lowercased runs of letters
// and digits; features are the unigrams and bigrams ("w1 w2"). Each feature is hashed with 32-bit FNV-1a:
// bucket = h mod dim, sign = +1 when bit 31 of h is 0 else -1 (signed hashing, so collisions cancel on
// average). The count vector is L2-normalised; a text with no words embeds to the zero vector.
import { z } from "zod";
import type { Embedder } from "../types.js";

export const hashingOptions = z.strictObject({
  dim: z.number().int().min(2).default(256).describe("Embedding dimension."),
  ngrams: z.array(z.number().int().min(1).max(5)).default([1, 2]).describe("Word n-gram orders to hash."),
});

/** 32-bit FNV-1a over the UTF-8 bytes of s. */
export function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(s)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export function hashingEmbed(text: string, dim: number, ngrams: readonly number[]): Float32Array {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const v = new Float64Array(dim);
  for (const n of ngrams) {
    for (let i = 0; i + n <= words.length; i++) {
      const h = fnv1a(words.slice(i, i + n).join(" "));
      v[h % dim] += h & 0x80000000 ? -1 : 1;
    }
  }
  const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
  return Float32Array.from(v, (x) => (norm > 0 ? x / norm : 0));
}

export function createHashingEmbedder(opts: z.output<typeof hashingOptions>): Embedder {
  return {
    id: "hashing",
    dim: opts.dim,
    async embed(texts) {
      return texts.map((t) => hashingEmbed(t, opts.dim, opts.ngrams));
    },
  };
}
