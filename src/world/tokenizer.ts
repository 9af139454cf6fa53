// A word-level tokenizer for the world's policy, written as a Hugging Face tokenizer.json (WordLevel model).
// Like GPT-2's byte-level BPE, a token carries its leading space (" lock"), so the Fuse decoder (plain
// concatenation) reproduces the text exactly: decode(encode(x)) === x whenever every word is in the vocabulary.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { specialTokenJson } from "../models/tokenizer-build.js";

/** Split pattern: an optionally space-led word, digit or punctuation mark; any other whitespace char alone. */
export const PRETOKENIZE_PATTERN = " ?[A-Za-z']+| ?[0-9]| ?[^\\sA-Za-z0-9']|\\s";
export const EOS_TOKEN = "<|endoftext|>";
export const UNK_TOKEN = "<unk>";

/** The pieces the pre-tokenizer cuts a text into (the same regex the tokenizer.json carries). */
export function pretokenize(text: string): string[] {
  return text.match(new RegExp(PRETOKENIZE_PATTERN, "gu")) ?? [];
}

const capitalize = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);

/**
 * The vocabulary: the two special tokens (EOS id 0, UNK id 1), newline and space, every digit and ASCII
 * punctuation mark, and every word of `texts` in four forms (lower/capitalised, with/without a leading space),
 * so a policy can put any known word at any position. Sorted, so the same texts give the same ids.
 */
export function buildVocab(texts: Iterable<string>): string[] {
  const bare = new Set<string>();
  for (const text of texts) for (const piece of pretokenize(text)) if (piece.trim()) bare.add(piece.trim());
  for (let d = 0; d <= 9; d++) bare.add(String(d));
  for (const ch of '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~') bare.add(ch);
  const forms = new Set<string>();
  for (const w of bare) {
    const variants = /^[A-Za-z]/.test(w) ? [w.toLowerCase(), capitalize(w.toLowerCase()), w] : [w];
    for (const v of variants) {
      forms.add(v);
      forms.add(` ${v}`);
    }
  }
  return [EOS_TOKEN, UNK_TOKEN, "\n", " ", ...[...forms].sort()];
}

/** tokenizer.json content for a vocabulary from `buildVocab` (token id = position). */
export function tokenizerJson(vocab: readonly string[]): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [specialTokenJson(0, EOS_TOKEN), specialTokenJson(1, UNK_TOKEN)],
    normalizer: null,
    pre_tokenizer: {
      type: "Split",
      pattern: { Regex: PRETOKENIZE_PATTERN },
      behavior: "Isolated",
      invert: false,
    },
    post_processor: null,
    decoder: { type: "Fuse" },
    model: {
      type: "WordLevel",
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
      unk_token: UNK_TOKEN,
    },
  };
}

/** tokenizer_config.json: names the special tokens and turns off the space clean-up that would alter text. */
export function tokenizerConfigJson(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    model_max_length: maxLength,
    bos_token: EOS_TOKEN,
    eos_token: EOS_TOKEN,
    unk_token: UNK_TOKEN,
    clean_up_tokenization_spaces: false,
  };
}

/** Writes tokenizer.json and tokenizer_config.json into `dir`; returns the vocabulary. */
export async function writeTokenizerFiles(
  dir: string,
  texts: Iterable<string>,
  maxLength: number,
): Promise<string[]> {
  const vocab = buildVocab(texts);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson(vocab)));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    JSON.stringify(tokenizerConfigJson(maxLength), null, 2),
  );
  return vocab;
}
