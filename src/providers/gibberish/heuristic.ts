// Model-free gibberish score. Three fractions, each in [0,1]:
//   implausible = share of words that look unlike words: no vowel (a e i o u y) in a word of 3+ letters,
//                 a run of 6+ consonants, a letter repeated 3+ times in a row, letters mixed with digits,
//                 or a case switch inside the word ("hElLo"); with a `vocabulary` file: share of words
//                 not in it instead;
//   repeated    = share of words equal to the previous word (repeated-token runs);
//   symbols     = share of non-space characters that are neither letters, digits nor . , ! ? ' " - : ; ( )
// score = 1 - (1 - implausible)(1 - repeated)(1 - symbols)  ("noisy or"); an empty text scores 1.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type ProviderContext, resolvePath } from "../context.js";
import type { GibberishScorer } from "../types.js";

export const heuristicGibberishOptions = z.strictObject({
  vocabulary: z
    .string()
    .optional()
    .describe("Word list file (one word a line): implausible = out of vocabulary."),
});

const PLAIN_PUNCT = new Set([..."., !?'\"-:;()"]);

function implausible(word: string, vocab?: Set<string>): boolean {
  if (vocab) return !vocab.has(word.toLowerCase());
  if (/\p{L}/u.test(word) && /\p{N}/u.test(word)) return true;
  const lower = word.toLowerCase();
  if (lower.length >= 3 && /^[a-z]+$/.test(lower) && !/[aeiouy]/.test(lower)) return true;
  if (/[bcdfghjklmnpqrstvwxz]{6,}/.test(lower)) return true;
  if (/(\p{L})\1\1/u.test(lower)) return true;
  const caseSwitches = (word.slice(1).match(/(?<=\p{Ll})\p{Lu}|(?<=\p{Lu})\p{Ll}/gu) ?? []).length;
  return caseSwitches > 1;
}

export interface GibberishParts {
  implausible: number;
  repeated: number;
  symbols: number;
  score: number;
}

export function heuristicGibberish(text: string, vocab?: Set<string>): GibberishParts {
  const tokens = text.match(/\S+/g) ?? [];
  const chars = [...text].filter((c) => !/\s/.test(c));
  if (tokens.length === 0) return { implausible: 1, repeated: 0, symbols: 0, score: 1 };
  const words = tokens.map((t) => t.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "")).filter((w) => w !== "");
  const bad = words.filter((w) => implausible(w, vocab)).length;
  const implausibleShare = words.length ? bad / words.length : 1;
  let repeats = 0;
  for (let i = 1; i < tokens.length; i++)
    if (tokens[i].toLowerCase() === tokens[i - 1].toLowerCase()) repeats++;
  const repeated = repeats / tokens.length;
  const symbols = chars.filter((c) => !/[\p{L}\p{N}]/u.test(c) && !PLAIN_PUNCT.has(c)).length / chars.length;
  const score = 1 - (1 - implausibleShare) * (1 - repeated) * (1 - symbols);
  return { implausible: implausibleShare, repeated, symbols, score };
}

export function createHeuristicGibberish(
  opts: z.output<typeof heuristicGibberishOptions>,
  ctx: ProviderContext,
): GibberishScorer {
  const vocab = opts.vocabulary
    ? new Set(
        readFileSync(resolvePath(ctx, opts.vocabulary), "utf8")
          .split(/\r?\n/)
          .map((w) => w.trim().toLowerCase())
          .filter(Boolean),
      )
    : undefined;
  return {
    id: "heuristic-gibberish",
    async gibberish(texts) {
      return texts.map((t) => heuristicGibberish(t, vocab).score);
    },
  };
}
