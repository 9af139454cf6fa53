// A campaign checkpoint as the store keeps it: Float32Array tensors as named binary blobs, everything else
// (counters, RNG state, novelty indexes, target state) as one JSON state object.
import type { PpoTrainerState } from "../rl/index.js";

export interface CampaignState {
  version: 1;
  /** Epochs completed (the next epoch to run). */
  epoch: number;
  samples: number;
  errors: number;
  rng: number;
  trainer:
    | (Omit<PpoTrainerState, "params" | "optimizer"> & { optimizerScalars: Record<string, number> })
    | null;
  selfBleu: unknown;
  embedding: unknown;
  target: unknown;
  uniqueSuccesses: string[];
  /** Few-shot baseline: the scored cases examples are drawn from. */
  scoredCases: { text: string; score: number }[];
}

const toBytes = (a: Float32Array) =>
  new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
const toFloats = (b: Uint8Array) =>
  new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/** Splits the trainer state into JSON scalars and blobs (`param/NAME`, `optim/NAME`). */
export function packTrainer(s: PpoTrainerState): {
  json: CampaignState["trainer"];
  blobs: Record<string, Uint8Array>;
} {
  const blobs: Record<string, Uint8Array> = {};
  for (const [k, v] of Object.entries(s.params)) blobs[`param/${k}`] = toBytes(v);
  const optimizerScalars: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.optimizer)) {
    if (typeof v === "number") optimizerScalars[k] = v;
    else blobs[`optim/${k}`] = toBytes(v);
  }
  const { params: _p, optimizer: _o, ...rest } = s;
  return { json: { ...rest, optimizerScalars }, blobs };
}

export function unpackTrainer(
  json: NonNullable<CampaignState["trainer"]>,
  blobs: Record<string, Uint8Array>,
): PpoTrainerState {
  const params: Record<string, Float32Array> = {};
  const optimizer: Record<string, Float32Array | number> = { ...json.optimizerScalars };
  for (const [k, v] of Object.entries(blobs)) {
    if (k.startsWith("param/")) params[k.slice(6)] = toFloats(v);
    else if (k.startsWith("optim/")) optimizer[k.slice(6)] = toFloats(v);
  }
  const { optimizerScalars: _s, ...rest } = json;
  return { ...rest, params, optimizer } as PpoTrainerState;
}
