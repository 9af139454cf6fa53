// The reference tokenizers and their Rust / transformers outputs (scripts/fixtures/tokenizer_reference.py).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { FIXTURES } from "./helpers.js";

export const TOKENIZERS = join(FIXTURES, "tokenizers");

export interface TokenizerCase {
  text: string;
  ids: number[];
  idsWithSpecial: number[];
  decoded: string;
  decodedWithSpecial: string;
  prefixDecodes: string[];
}

export interface ChatCase {
  messages: { role: string; content: string }[];
  add_generation_prompt: boolean;
  text: string;
  ids: number[];
}

export interface StyleReference {
  vocabSize: number;
  bosId: number | null;
  eosId: number;
  padId: number | null;
  cases: TokenizerCase[];
  chats: ChatCase[];
}

export const REFERENCE = JSON.parse(readFileSync(join(TOKENIZERS, "reference.json"), "utf8")) as {
  fixedNow: string;
  styles: Record<string, StyleReference>;
};

/** The reference's pinned strftime_now time, as a local Date (Python's datetime.now() is local time). */
export const FIXED_NOW = new Date(REFERENCE.fixedNow);
