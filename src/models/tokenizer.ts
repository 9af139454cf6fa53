// TextTokenizer over Hugging Face tokenizer.json (through @huggingface/tokenizers).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Tokenizer } from "@huggingface/tokenizers";

export interface TextTokenizer {
  encode(text: string): number[];
  decode(ids: number[]): string;
  readonly eosId: number;
  readonly padId: number;
  readonly vocabSize: number;
}

async function readJson(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read the ${what} (${(e as Error).message})`);
  }
  try {
    const v = JSON.parse(text);
    if (!v || typeof v !== "object") throw new Error("expected a JSON object");
    return v as Record<string, unknown>;
  } catch (e) {
    throw new Error(`${file}: the ${what} is not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Loads `tokenizer.json` (+ optional `tokenizer_config.json`) from a model folder. `eosId` comes from the
 * model config; GPT-2 has no pad token, so pad = eos (as trlx and HF pipelines do).
 */
export async function loadTokenizer(
  dir: string,
  opts: { eosId: number; modelVocabSize?: number },
): Promise<TextTokenizer> {
  const file = join(dir, "tokenizer.json");
  const json = await readJson(file, "tokenizer");
  let config: Record<string, unknown> = {};
  try {
    config = await readJson(join(dir, "tokenizer_config.json"), "tokenizer config");
  } catch (e) {
    if ((e as Error).message.includes("not valid JSON")) throw e;
  }
  if (!json.model || typeof json.model !== "object") {
    throw new Error(`${file}: no "model" section; expected a Hugging Face tokenizers file (tokenizer.json)`);
  }
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new Error(`${file}: the tokenizer cannot be built (${(e as Error).message})`);
  }
  const vocabSize = tok.get_vocab(true).size;
  if (opts.modelVocabSize !== undefined && vocabSize > opts.modelVocabSize) {
    throw new Error(
      `${file}: the tokenizer has ${vocabSize} tokens but the model's vocab_size is ${opts.modelVocabSize}; ` +
        "use the tokenizer that belongs to this model",
    );
  }
  if (tok.id_to_token(opts.eosId) === undefined) {
    throw new Error(`${file}: the model's eos_token_id ${opts.eosId} is not in the tokenizer vocabulary`);
  }
  const eosId = opts.eosId;
  return {
    eosId,
    padId: eosId,
    vocabSize,
    encode: (text) => tok.encode(text, { add_special_tokens: false }).ids,
    decode: (ids) =>
      ids.length === 0
        ? ""
        : tok.decode(ids, { skip_special_tokens: false, clean_up_tokenization_spaces: false }),
  };
}
