// TextTokenizer over Hugging Face tokenizer.json (through @huggingface/tokenizers): byte-level BPE with a regex
// split (GPT-2, Llama-3, Qwen, SmolLM2), SentencePiece-converted BPE with byte fallback (Llama-2, Mistral), the
// model's special tokens (BOS, pad, several EOS ids, added tokens) and its chat template.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";
import { CHAT_TEMPLATE_FILE, type ChatTemplate, loadChatTemplate, tokenContent } from "./chat-template.js";

export interface EncodeOptions {
  /** Add what the tokenizer's post-processor adds around a text (Llama's BOS); default false. */
  addSpecialTokens?: boolean;
}

export interface TextTokenizer {
  /** Ids of `text`. Added tokens written in the text ("<|im_start|>") always become their own ids. */
  encode(text: string, opts?: EncodeOptions): number[];
  /** The text of `ids`, verbatim: special tokens kept, spaces not cleaned up. */
  decode(ids: number[]): string;
  /** The first of eosIds (the model config's eos_token_id). */
  readonly eosId: number;
  /** Every id that ends generation: the model's EOS ids (as transformers' generate stops), else the tokenizer's
   *  eos_token. */
  readonly eosIds: readonly number[];
  /** The tokenizer's pad_token, else the model's pad_token_id, else eosId (GPT-2 and Llama have no pad). */
  readonly padId: number;
  /** The tokenizer's bos_token, else the model's bos_token_id; null when neither is set (Qwen). */
  readonly bosId: number | null;
  /** Whether encode(text, { addSpecialTokens: true }) starts with BOS (Llama), as transformers' tokenizer(text). */
  readonly addsBos: boolean;
  readonly vocabSize: number;
  /** The model's chat template, or null when it ships none. */
  readonly chatTemplate: ChatTemplate | null;
  /** The id of a token string (e.g. "<|im_end|>"), or undefined when it is not in the vocabulary. */
  tokenId(token: string): number | undefined;
}

/** Special ids from the model's config.json / generation_config.json. */
export interface ModelSpecialIds {
  /** One EOS id, or the list generation_config.json gives (Qwen, Llama-3 instruct models). */
  eosId?: number | readonly number[];
  bosId?: number | null;
  padId?: number | null;
  /** The embedding rows of the model; the tokenizer may have fewer ids, never more. */
  modelVocabSize?: number;
}

export const TOKENIZER_FILE = "tokenizer.json";
/** Tokenizer files a model folder may have; a saved model copies those present. */
export const OPTIONAL_TOKENIZER_FILES = ["tokenizer_config.json", CHAT_TEMPLATE_FILE];

async function readJson(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "the file is missing" : err.message;
    throw new Error(`${file}: cannot read the ${what} (${why})`);
  }
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("expected a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Loads `tokenizer.json`, the optional `tokenizer_config.json` and the chat template from a model folder.
 * `opts` carries the special ids of the model's config; see TextTokenizer for how they combine.
 */
export async function loadTokenizer(dir: string, opts: ModelSpecialIds = {}): Promise<TextTokenizer> {
  const file = join(dir, TOKENIZER_FILE);
  const json = await readJson(file, "tokenizer");
  let config: Record<string, unknown> = {};
  try {
    config = await readJson(join(dir, "tokenizer_config.json"), "tokenizer config");
  } catch (e) {
    if (!(e as Error).message.includes("the file is missing")) throw e;
  }
  return createTokenizer(json, config, { ...opts, file, chatTemplate: await loadChatTemplate(dir, config) });
}

/** A TextTokenizer over parsed tokenizer.json / tokenizer_config.json contents. */
export function createTokenizer(
  json: Record<string, unknown>,
  config: Record<string, unknown>,
  opts: ModelSpecialIds & { file?: string; chatTemplate?: ChatTemplate | null } = {},
): TextTokenizer {
  const file = opts.file ?? TOKENIZER_FILE;
  if (!json.model || typeof json.model !== "object") {
    throw new Error(`${file}: no "model" section; expected a Hugging Face tokenizers file (tokenizer.json)`);
  }
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new Error(`${file}: the tokenizer cannot be built (${(e as Error).message})`);
  }
  useRustByteFallback(tok.decoder);
  const vocabSize = tok.get_vocab(true).size;
  if (opts.modelVocabSize !== undefined && vocabSize > opts.modelVocabSize) {
    throw new Error(
      `${file}: the tokenizer has ${vocabSize} tokens but the model's vocab_size is ${opts.modelVocabSize}; ` +
        "use the tokenizer that belongs to this model",
    );
  }
  // a named token missing from the vocabulary is ignored, as transformers leaves its id None
  const named = (key: string): number | null => {
    const content = tokenContent(config[key]);
    return content === null ? null : (tok.token_to_id(content) ?? null);
  };
  const modelEos =
    opts.eosId === undefined ? [] : typeof opts.eosId === "number" ? [opts.eosId] : [...opts.eosId];
  for (const id of modelEos) {
    if (tok.id_to_token(id) === undefined)
      throw new Error(`${file}: the model's eos_token_id ${id} is not in the tokenizer vocabulary`);
  }
  const tokenizerEos = named("eos_token");
  const eosIds = modelEos.length > 0 ? [...new Set(modelEos)] : tokenizerEos === null ? [] : [tokenizerEos];
  if (eosIds.length === 0) {
    throw new Error(
      `${file}: no end-of-text token; set eos_token_id in config.json or eos_token in tokenizer_config.json`,
    );
  }
  const eosId = eosIds[0]!;
  // the model's bos/pad ids may point at embedding rows past the tokenizer (padded vocabularies): then unused
  const known = (id: number | null | undefined) =>
    id != null && tok.id_to_token(id) !== undefined ? id : null;
  const bosId = named("bos_token") ?? known(opts.bosId);
  const padId = named("pad_token") ?? known(opts.padId) ?? eosId;
  const encode = (text: string, o: EncodeOptions = {}) =>
    tok.encode(text, { add_special_tokens: o.addSpecialTokens ?? false }).ids;
  const probe = encode("a", { addSpecialTokens: true });
  return {
    eosId,
    eosIds,
    padId,
    bosId,
    addsBos: bosId !== null && probe[0] === bosId && encode("a")[0] !== bosId,
    vocabSize,
    chatTemplate: opts.chatTemplate ?? null,
    encode,
    decode: (ids) =>
      ids.length === 0
        ? ""
        : tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
    tokenId: (token) => tok.token_to_id(token),
  };
}

/**
 * Rust tokenizers' ByteFallback decoder writes one U+FFFD per byte of a byte run that is not valid UTF-8 (a
 * generation cut inside a character); @huggingface/tokenizers decodes such a run leniently. Match the Rust one.
 */
interface DecoderNode {
  config?: { type?: string };
  decoders?: DecoderNode[];
  decode_chain(tokens: string[]): string[];
}

function useRustByteFallback(decoder: DecoderNode | null): void {
  if (!decoder) return;
  if (decoder.config?.type === "ByteFallback") {
    const strict = new TextDecoder("utf-8", { fatal: true });
    decoder.decode_chain = (tokens: string[]): string[] => {
      const out: string[] = [];
      let bytes: number[] = [];
      const flush = () => {
        if (bytes.length === 0) return;
        try {
          out.push(strict.decode(Uint8Array.from(bytes)));
        } catch {
          out.push("\uFFFD".repeat(bytes.length));
        }
        bytes = [];
      };
      for (const token of tokens) {
        const byte = /^<0x[0-9A-Fa-f]{2}>$/.test(token) ? Number.parseInt(token.slice(3, 5), 16) : null;
        if (byte === null) {
          flush();
          out.push(token);
        } else bytes.push(byte);
      }
      flush();
      return out;
    };
    return;
  }
  for (const child of decoder.decoders ?? []) useRustByteFallback(child);
}
