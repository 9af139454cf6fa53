// The model families, keyed by config.json's model_type (one table, no registration side effects).
import type { ModelFamily } from "../family.js";
import { gpt2 } from "./gpt2.js";
import { llama, mistral } from "./llama.js";
import { qwen2 } from "./qwen2.js";
import { qwen3 } from "./qwen3.js";

export const FAMILIES = { gpt2, llama, mistral, qwen2, qwen3 } as const satisfies Record<string, ModelFamily>;

export type ModelType = keyof typeof FAMILIES;

export const SUPPORTED_MODEL_TYPES = Object.keys(FAMILIES) as ModelType[];

/** The family of a model_type; an unknown one gets an error listing the supported ones. */
export function familyOf(modelType: unknown, where = "config.json"): ModelFamily {
  if (typeof modelType === "string" && Object.hasOwn(FAMILIES, modelType))
    return FAMILIES[modelType as ModelType];
  const list = SUPPORTED_MODEL_TYPES.map((t) => `${t} (${FAMILIES[t].description})`).join(", ");
  if (modelType == null) {
    throw new Error(
      `${where}: no "model_type" (a Hugging Face config.json names its family); supported: ${list}`,
    );
  }
  throw new Error(`${where}: model_type ${JSON.stringify(modelType)} is not supported; supported: ${list}`);
}
