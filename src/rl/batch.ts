/** Packs prompt + response pairs into the fixed-shape [B, T] layout of trlx's PPO forward:
 *  left-padded prompt (P columns) followed by right-padded response (R columns). Shapes are rounded up
 *  to buckets so a handful of compiled graphs serve a whole run: B and T to multiples of `bucket`, R to a
 *  multiple of `responseBucket` (small, since the LM head over the vocabulary runs at every one of the R
 *  columns); the prompt takes the rest, P = T - R. */
export interface SequencePair {
  promptIds: readonly number[];
  responseIds: readonly number[];
}

export interface PackedBatch {
  rows: number; // real rows (<= B)
  B: number; // bucketed batch
  P: number; // bucketed prompt width
  R: number; // bucketed response width
  T: number; // P + R
  ids: BigInt64Array; // [B,T] token ids (padding = padId)
  attentionMask: BigInt64Array; // [B,T] 1 on real tokens
  positionIds: BigInt64Array; // [B,T] cumsum(mask) - 1, clamped at 0 (HF left padding)
  labels: BigInt64Array; // [B,R] response token ids (padding = padId)
  mask: Float32Array; // [B,R] 1 on real response tokens
  lengths: number[]; // [rows] response lengths
}

export function roundUp(n: number, multiple: number): number {
  return Math.max(multiple, Math.ceil(n / multiple) * multiple);
}

export interface PackOptions {
  padId: number;
  /** Round B and T = P + R up to multiples of this (default 16). */
  bucket?: number;
  /** Round R up to a multiple of this (default 4). */
  responseBucket?: number;
  /** Minimum widths, e.g. the whole rollout set's maxima so every minibatch of a step shares one shape. */
  minP?: number;
  minR?: number;
  minB?: number;
  /** Round B up to a multiple of this instead of `bucket` (1: exactly max(rows, minB), for micro-batches). */
  batchBucket?: number;
}

/** The bucketed [B, P + R] shape packBatch gives `pairs` (validated as packBatch does). */
export function packedShape(
  pairs: readonly SequencePair[],
  opts: PackOptions,
): { B: number; P: number; R: number; T: number } {
  const bucket = opts.bucket ?? 16;
  if (pairs.length === 0) throw new Error("packBatch: no sequences to pack");
  let maxP = opts.minP ?? 1;
  let maxR = opts.minR ?? 1;
  pairs.forEach((s, i) => {
    if (s.promptIds.length === 0)
      throw new Error(`packBatch: sequence ${i} has an empty prompt; PPO needs >= 1 prompt token`);
    if (s.responseIds.length === 0) throw new Error(`packBatch: sequence ${i} has an empty response`);
    maxP = Math.max(maxP, s.promptIds.length);
    maxR = Math.max(maxR, s.responseIds.length);
  });
  const B = roundUp(Math.max(pairs.length, opts.minB ?? 1), opts.batchBucket ?? bucket);
  const R = roundUp(maxR, opts.responseBucket ?? 4);
  const T = roundUp(maxP + R, bucket);
  return { B, P: T - R, R, T };
}

export function packBatch(pairs: readonly SequencePair[], opts: PackOptions): PackedBatch {
  const { B, P, R, T } = packedShape(pairs, opts);
  const pad = BigInt(opts.padId);
  const ids = new BigInt64Array(B * T).fill(pad);
  const attentionMask = new BigInt64Array(B * T);
  const positionIds = new BigInt64Array(B * T);
  const labels = new BigInt64Array(B * R).fill(pad);
  const mask = new Float32Array(B * R);
  for (let b = 0; b < B; b++) {
    // filler rows (bucket padding) get one real token so no attention row is fully masked
    const s = pairs[b] ?? { promptIds: [opts.padId], responseIds: [] };
    const p = s.promptIds.length;
    for (let j = 0; j < p; j++) {
      ids[b * T + P - p + j] = BigInt(s.promptIds[j]!);
      attentionMask[b * T + P - p + j] = 1n;
    }
    for (let j = 0; j < s.responseIds.length; j++) {
      ids[b * T + P + j] = BigInt(s.responseIds[j]!);
      attentionMask[b * T + P + j] = 1n;
      labels[b * R + j] = BigInt(s.responseIds[j]!);
      if (b < pairs.length) mask[b * R + j] = 1;
    }
    let c = 0;
    for (let t = 0; t < T; t++) {
      c += Number(attentionMask[b * T + t]);
      positionIds[b * T + t] = BigInt(Math.max(0, c - 1));
    }
  }
  return {
    rows: pairs.length,
    B,
    P,
    R,
    T,
    ids,
    attentionMask,
    positionIds,
    labels,
    mask,
    lengths: pairs.map((s) => s.responseIds.length),
  };
}

/** Scatters per-row ragged values into a zero-padded [B, R] Float32Array. */
export function padRows(rows: readonly ArrayLike<number>[], B: number, R: number): Float32Array {
  const out = new Float32Array(B * R);
  rows.forEach((r, b) => {
    for (let j = 0; j < r.length; j++) out[b * R + j] = r[j]!;
  });
  return out;
}

/** Reads the first `len` entries of row b of a [B, R] array. */
export function rowSlice(data: ArrayLike<number>, R: number, b: number, len: number): Float64Array {
  const out = new Float64Array(len);
  for (let j = 0; j < len; j++) out[j] = data[b * R + j]!;
  return out;
}

/** The feeds a compiled graph over a packed batch declares: the batch's ids, masks and labels, `extra`, and the
 *  trained tensors by name. `who` names the caller in the error for an input it cannot supply. */
export function packedFeeds(
  names: readonly string[],
  b: PackedBatch,
  extra: Record<string, Float32Array>,
  params: readonly { name: string; data: Float32Array }[],
  who: string,
): Record<string, Float32Array | BigInt64Array> {
  const all: Record<string, Float32Array | BigInt64Array> = {
    input_ids: b.ids,
    attention_mask: b.attentionMask,
    position_ids: b.positionIds,
    labels: b.labels,
    ...extra,
  };
  for (const p of params) all[p.name] = p.data;
  const feeds: Record<string, Float32Array | BigInt64Array> = {};
  for (const name of names) {
    const v = all[name];
    if (!v)
      throw new Error(`${who}: the compiled graph wants an input "${name}" that the trainer does not have`);
    feeds[name] = v;
  }
  return feeds;
}
