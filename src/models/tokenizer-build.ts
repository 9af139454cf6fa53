// A byte-level BPE tokenizer learnt from a user's corpus (for `curio init-model`): Llama-3's split regex,
// GPT-2's 256-symbol byte alphabet (so no text is ever <unk>), and merges learnt as the Rust tokenizers
// BpeTrainer learns them: repeatedly merge the most frequent adjacent pair, ties to the smallest pair of ids.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

/** Llama-3's pre-tokenizer split (contractions, letter runs, 1-3 digits, punctuation, whitespace). */
export const LLAMA3_SPLIT_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
/** The one special token: BOS, EOS and pad, as in GPT-2. */
export const END_OF_TEXT = "<|endoftext|>";

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 onwards. */
export function byteLevelAlphabet(): string[] {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  let next = 256;
  return Array.from({ length: 256 }, (_, b) => String.fromCodePoint(printable(b) ? b : next++));
}

const PRE_TOKENIZER = {
  type: "Sequence",
  pretokenizers: [
    { type: "Split", pattern: { Regex: LLAMA3_SPLIT_PATTERN }, behavior: "Isolated", invert: false },
    { type: "ByteLevel", add_prefix_space: false, trim_offsets: true, use_regex: false },
  ],
};

/** The pieces BPE runs on: the split, each piece's UTF-8 bytes as byte-level symbols ("Ġhello"). */
export function byteLevelPieces(): (text: string) => string[] {
  // the tokenizers library's own pre-tokenizer, so training sees exactly what encoding will see
  const tok = new Tokenizer(
    {
      model: { type: "BPE", vocab: {}, merges: [] },
      normalizer: null,
      pre_tokenizer: PRE_TOKENIZER,
      post_processor: null,
      decoder: null,
      added_tokens: [],
    },
    {},
  ) as unknown as { pre_tokenizer: { pre_tokenize(text: string): string[] } };
  return (text) => tok.pre_tokenizer.pre_tokenize(text);
}

export interface BpeTrainOptions {
  /** The vocabulary size to stop at (special tokens + 256 bytes + merges); fewer when no pair is left. */
  vocabSize: number;
  /** Tokens given the first ids, in order. */
  specialTokens: readonly string[];
}

export interface TrainedBpe {
  /** Tokens in id order. */
  vocab: string[];
  /** Merges in the order learnt (the BPE model applies them by rank). */
  merges: [string, string][];
}

/** A max-heap of (count, pair) entries; equal counts pop the smallest pair first. */
class PairHeap {
  private readonly items: { count: number; key: number }[] = [];
  private above(i: number, j: number): boolean {
    const a = this.items[i]!;
    const b = this.items[j]!;
    return a.count > b.count || (a.count === b.count && a.key < b.key);
  }
  private swap(i: number, j: number): void {
    [this.items[i], this.items[j]] = [this.items[j]!, this.items[i]!];
  }
  push(count: number, key: number): void {
    this.items.push({ count, key });
    for (let i = this.items.length - 1; i > 0 && this.above(i, (i - 1) >> 1); i = (i - 1) >> 1)
      this.swap(i, (i - 1) >> 1);
  }
  pop(): { count: number; key: number } | undefined {
    const top = this.items[0];
    const last = this.items.pop();
    if (this.items.length > 0 && last) {
      this.items[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < this.items.length && this.above(l, best)) best = l;
        if (r < this.items.length && this.above(r, best)) best = r;
        if (best === i) break;
        this.swap(i, best);
        i = best;
      }
    }
    return top;
  }
}

const PAIR = 2 ** 21; // ids stay below 2^21, so a*PAIR+b orders pairs as (a, b) and fits a double exactly

/** Learns byte-level BPE merges from `texts` (the Rust BpeTrainer's algorithm and tie-breaks). */
export function trainByteLevelBpe(texts: Iterable<string>, opts: BpeTrainOptions): TrainedBpe {
  if (opts.vocabSize > PAIR) throw new Error(`vocabSize ${opts.vocabSize} is too large (at most ${PAIR})`);
  const pieces = byteLevelPieces();
  const wordCounts = new Map<string, number>();
  for (const text of texts) for (const w of pieces(text)) wordCounts.set(w, (wordCounts.get(w) ?? 0) + 1);

  // ids: special tokens, then every symbol of the alphabet (the 256 bytes) sorted by code point
  const vocab: string[] = [...opts.specialTokens];
  const alphabet = new Set(byteLevelAlphabet());
  for (const w of wordCounts.keys()) for (const ch of w) alphabet.add(ch);
  vocab.push(...[...alphabet].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  const idOf = new Map(vocab.map((t, i) => [t, i]));

  const words = [...wordCounts.keys()].map((w) => [...w].map((ch) => idOf.get(ch)!));
  const counts = [...wordCounts.values()];
  const pairCounts = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: 1 | -1, changed: Set<number>) => {
    const s = words[w]!;
    for (let i = 0; i + 1 < s.length; i++) {
      const key = s[i]! * PAIR + s[i + 1]!;
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + sign * counts[w]!);
      if (sign > 0) {
        const set = pairWords.get(key) ?? new Set<number>();
        pairWords.set(key, set);
        set.add(w);
      }
      changed.add(key);
    }
  };
  const heap = new PairHeap();
  const initial = new Set<number>();
  for (let w = 0; w < words.length; w++) addPairs(w, 1, initial);
  for (const key of initial) heap.push(pairCounts.get(key)!, key);

  const merges: [string, string][] = [];
  while (vocab.length < opts.vocabSize) {
    const top = heap.pop();
    if (!top) break;
    const current = pairCounts.get(top.key) ?? 0;
    if (top.count !== current) {
      if (current > 0) heap.push(current, top.key); // a stale entry: requeue with the real count
      continue;
    }
    if (current < 1) break;
    const a = Math.floor(top.key / PAIR);
    const b = top.key % PAIR;
    const token = vocab[a]! + vocab[b]!;
    let id = idOf.get(token);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(token);
      idOf.set(token, id);
    }
    merges.push([vocab[a]!, vocab[b]!]);
    const changed = new Set<number>();
    for (const w of pairWords.get(top.key) ?? []) {
      addPairs(w, -1, changed);
      words[w] = mergeWord(words[w]!, a, b, id);
      addPairs(w, 1, changed);
    }
    for (const key of changed) {
      const c = pairCounts.get(key)!;
      if (c > 0 && key !== top.key) heap.push(c, key);
    }
    pairCounts.delete(top.key);
  }
  return { vocab, merges };
}

/** Replaces every non-overlapping (a, b), left to right, by `id`. */
function mergeWord(symbols: number[], a: number, b: number, id: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    if (symbols[i] === a && symbols[i + 1] === b) {
      out.push(id);
      i++;
    } else out.push(symbols[i]!);
  }
  return out;
}

/** A tokenizer.json added-token entry for a special token (matched as is in any text, never split). */
export function specialTokenJson(id: number, content: string): Record<string, unknown> {
  return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
}

/** tokenizer.json for a trained BPE: the special tokens as added tokens, byte-level decoding, no BOS added. */
export function bpeTokenizerJson(bpe: TrainedBpe, specialTokens: readonly string[]): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specialTokens.map((content) => specialTokenJson(bpe.vocab.indexOf(content), content)),
    normalizer: null,
    pre_tokenizer: PRE_TOKENIZER,
    post_processor: { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true },
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: true,
      vocab: Object.fromEntries(bpe.vocab.map((t, i) => [t, i])),
      merges: bpe.merges,
    },
  };
}

/** tokenizer_config.json naming the special tokens (BOS = EOS = pad = <|endoftext|>, as in GPT-2). */
export function bpeTokenizerConfig(maxLength: number): Record<string, unknown> {
  return {
    tokenizer_class: "PreTrainedTokenizerFast",
    model_max_length: maxLength,
    bos_token: END_OF_TEXT,
    eos_token: END_OF_TEXT,
    pad_token: END_OF_TEXT,
    clean_up_tokenization_spaces: false,
  };
}

/** Trains a tokenizer on `texts` and writes tokenizer.json and tokenizer_config.json into `dir`. */
export async function writeBpeTokenizer(
  dir: string,
  texts: readonly string[],
  opts: { vocabSize: number; maxLength: number },
): Promise<TrainedBpe> {
  const bpe = trainByteLevelBpe(texts, { vocabSize: opts.vocabSize, specialTokens: [END_OF_TEXT] });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(bpeTokenizerJson(bpe, [END_OF_TEXT])));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    `${JSON.stringify(bpeTokenizerConfig(opts.maxLength), null, 2)}\n`,
  );
  return bpe;
}

/**
 * The texts of a corpus file: JSONL with {"text": ...} per line (the `curio sft` format) or plain text with one
 * example per line. Refuses a missing, empty or binary file, naming it and what to give instead.
 */
export async function readCorpus(file: string): Promise<string[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "no such file" : err.message;
    throw new Error(
      `${file}: cannot read the corpus (${why}); give a .jsonl file of {"text": ...} lines or a .txt file`,
    );
  }
  let text: string;
  try {
    if (bytes.includes(0)) throw new Error("NUL byte");
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new Error(
      `${file}: the corpus is not UTF-8 text (it looks binary); give a .jsonl file of {"text": ...} lines or a .txt file`,
    );
  }
  const jsonl = extname(file).toLowerCase() === ".jsonl";
  const texts: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    if (!jsonl) {
      texts.push(line);
      return;
    }
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (e) {
      throw new Error(
        `${file}:${i + 1}: not valid JSON (${(e as Error).message}); each line must be {"text": ...}`,
      );
    }
    const t = (row as { text?: unknown } | null)?.text;
    if (typeof t !== "string") {
      throw new Error(
        `${file}:${i + 1}: expected {"text": "..."} (a tokenizer is learnt from text), got ${line.slice(0, 80)}`,
      );
    }
    if (t.trim() !== "") texts.push(t);
  });
  if (texts.length === 0) throw new Error(`${file}: the corpus has no text; add examples, one per line`);
  return texts;
}
