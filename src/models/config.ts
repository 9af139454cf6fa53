// A model folder's config.json (+ optional generation_config.json) as a normalised DecoderConfig of its family.
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { FAMILIES, familyOf, SUPPORTED_MODEL_TYPES } from "./families/index.js";
import { configReader, type DecoderConfig, type ModelFamily, tokenIdJson } from "./family.js";

export { SUPPORTED_MODEL_TYPES };

async function readJsonObject(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (e) {
    throw new Error(`${file}: cannot read the ${what} (${(e as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new Error(`${file}: expected a JSON object`);
  return raw as Record<string, unknown>;
}

/** Validates a parsed config.json object with its family's rules; `file` names the source in errors. */
export function parseModelConfig(
  raw: unknown,
  file = "config.json",
): { config: DecoderConfig; family: ModelFamily } {
  if (!raw || typeof raw !== "object" || Array.isArray(raw))
    throw new Error(`${file}: expected a JSON object`);
  const c = raw as Record<string, unknown>;
  const family = familyOf(c.model_type, file);
  return { config: family.parseConfig(c, file), family };
}

/** generation_config.json's token ids override config.json's (transformers' generate reads them there). */
function withGenerationConfig(cfg: DecoderConfig, gen: Record<string, unknown>, file: string): DecoderConfig {
  const { ids, fail } = configReader(gen, file);
  const out = { ...cfg };
  const eos = ids("eos_token_id");
  const bos = ids("bos_token_id");
  const pad = ids("pad_token_id");
  for (const id of [...eos, ...bos, ...pad]) {
    if (id >= cfg.vocabSize) fail(`token id ${id} is outside the vocabulary (vocab_size ${cfg.vocabSize})`);
  }
  if (eos.length > 0) out.eosTokenIds = eos;
  if (bos.length > 0) out.bosTokenId = bos[0]!;
  if (pad.length > 0) out.padTokenId = pad[0]!;
  return out;
}

/** Reads `dir`/config.json and, when present, `dir`/generation_config.json. */
export async function loadModelConfig(dir: string): Promise<{ config: DecoderConfig; family: ModelFamily }> {
  const file = join(dir, "config.json");
  const { config, family } = parseModelConfig(await readJsonObject(file, "model config"), file);
  const genFile = join(dir, "generation_config.json");
  if (!existsSync(genFile)) return { config, family };
  return {
    config: withGenerationConfig(config, await readJsonObject(genFile, "generation config"), genFile),
    family,
  };
}

/** The family of a normalised config. */
export function familyOfConfig(cfg: DecoderConfig): ModelFamily {
  return familyOf(cfg.modelType, `model_type ${cfg.modelType}`);
}

/** The generation_config.json save() writes (transformers' generate reads eos/bos/pad from it). */
export function generationConfigJson(cfg: DecoderConfig): Record<string, unknown> {
  return tokenIdJson(cfg);
}

export { FAMILIES };
