// A small random GPT-2 for the world's red-team policy, written as a Hugging Face folder (config.json +
// model.safetensors) with GPT-2's initialisation: N(0, 0.02) weights, residual projections scaled by
// 1/sqrt(2 * n_layer), zero biases, unit layer-norm gains.
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type Gpt2Config, gpt2ConfigJson, gpt2WeightShapes, writeSafeTensors } from "../models/index.js";
import { Rng } from "../util/rng.js";

export interface WorldModelSpec {
  nLayer: number;
  nEmbd: number;
  nHead: number;
  nPositions: number;
}

export const DEFAULT_MODEL_SPEC: WorldModelSpec = { nLayer: 2, nEmbd: 64, nHead: 4, nPositions: 128 };

function gaussian(rng: Rng): number {
  // Box-Muller; 1 - u keeps the log argument in (0, 1].
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Random GPT-2 weights keyed by canonical names (no `transformer.` prefix). */
export function randomGpt2Weights(
  cfg: Gpt2Config,
  seed: number,
): Map<string, { data: Float32Array; shape: number[] }> {
  const rng = Rng.from(seed, "gpt2-init");
  const residualStd = 0.02 / Math.sqrt(2 * cfg.nLayer);
  const out = new Map<string, { data: Float32Array; shape: number[] }>();
  for (const [name, shape] of gpt2WeightShapes(cfg)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    if (/ln_\d\.weight$|ln_f\.weight$/.test(name)) data.fill(1);
    else if (name.endsWith(".weight")) {
      const std = /c_proj\.weight$/.test(name) ? residualStd : 0.02;
      for (let i = 0; i < data.length; i++) data[i] = std * gaussian(rng);
    }
    out.set(name, { data, shape });
  }
  return out;
}

/** Writes config.json and model.safetensors of a random GPT-2 into `dir` (tokenizer files are written apart). */
export async function writeRandomGpt2(dir: string, cfg: Gpt2Config, seed: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "config.json"), `${JSON.stringify(gpt2ConfigJson(cfg), null, 2)}\n`);
  const weights = randomGpt2Weights(cfg, seed);
  await writeSafeTensors(
    join(dir, "model.safetensors"),
    [...weights].map(([name, t]) => [`transformer.${name}`, t] as const),
    { format: "pt" },
  );
}
