// A small random GPT-2 for the world's red-team policy, written as a Hugging Face folder (config.json +
// model.safetensors) through the models package's family code, with GPT-2's initialisation: N(0, 0.02) weights,
// residual projections scaled by 1/sqrt(2 * n_layer), zero biases, unit layer-norm gains.
import { type Gpt2Config, gpt2DecoderConfig, randomWeights, writeRandomModel } from "../models/index.js";

export interface WorldModelSpec {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nPositions: number;
}

export const DEFAULT_MODEL_SPEC: WorldModelSpec = { nLayer: 2, nEmbd: 64, nHead: 4, nPositions: 128 };

/** Random GPT-2 weights keyed by canonical names (no `transformer.` prefix). */
export function randomGpt2Weights(
  cfg: Gpt2Config,
  seed: number,
): Map<string, { data: Float32Array; shape: number[] }> {
  return new Map(randomWeights(gpt2DecoderConfig(cfg), seed).entries());
}

/** Writes config.json and model.safetensors of a random GPT-2 into `dir` (tokenizer files are written apart). */
export async function writeRandomGpt2(dir: string, cfg: Gpt2Config, seed: number): Promise<void> {
  await writeRandomModel(dir, gpt2DecoderConfig(cfg), seed);
}
