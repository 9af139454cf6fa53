import type { DecoderConfig } from "../models/index.js";
import { type PpoStatName, ppoStatNames } from "./ppo-loss.js";

// Gradient accumulation: one PPO minibatch runs through the train graph in chunks of at most u rows. What a
// train graph keeps for its backward grows with rows x T x layers x (width + MLP width + heads x T), so the
// chunk size bounds the step's activation memory. Each chunk's loss is divided by the WHOLE minibatch's token
// count (ppoLoss's tokenCount), so the chunks' stats and gradients sum to the minibatch's exactly.

/** Activation elements (see above) the automatic micro-batch size allows in one train-graph run: a GPT-2-small
 *  minibatch of 64 x 64 tokens (2.3e8) runs whole; a Qwen2.5-0.5B one (6.5e8) runs in chunks of 16. */
export const autoMicroBatchBudget = 2.5e8;

type ModelShape = Pick<DecoderConfig, "layers" | "width" | "mlpWidth" | "heads">;

/** Activation elements of one [rows, T] train-graph run (the unit of autoMicroBatchBudget). */
export function activationElements(model: ModelShape, rows: number, T: number): number {
  return rows * T * model.layers * (model.width + model.mlpWidth + model.heads * T);
}

/** Rows per train-graph run for minibatches of `batchSize` rows packed `T` wide. `setting` null is automatic:
 *  the whole minibatch, halved until its activations fit autoMicroBatchBudget (halves divide the minibatch,
 *  so chunks are rarely padded). */
export function microBatchRows(
  setting: number | null,
  batchSize: number,
  T: number,
  model: ModelShape,
): number {
  if (setting !== null) return Math.min(setting, batchSize);
  let u = batchSize;
  while (u > 1 && activationElements(model, u, T) > autoMicroBatchBudget) u = Math.ceil(u / 2);
  return u;
}

export type PpoChunkStats = Record<PpoStatName, number>;

/** Adds one chunk's stats and gradients into the running sums (`into` starts as the first chunk's). */
export function accumulate(
  into: { stats: PpoChunkStats; grads: Float32Array[] },
  chunk: { stats: PpoChunkStats; grads: Float32Array[] },
): void {
  for (const k of ppoStatNames) into.stats[k] += chunk.stats[k];
  into.grads.forEach((g, i) => {
    const c = chunk.grads[i]!;
    for (let j = 0; j < g.length; j++) g[j]! += c[j]!;
  });
}
