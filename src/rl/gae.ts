/** Generalised advantage estimation and advantage whitening, trlx 0.7 semantics, on ragged responses. */
export interface GaeOptions {
  /** Discount (CRT: 1). */
  gamma?: number;
  /** GAE lambda (CRT: 0.95). */
  lam?: number;
}

/** One response: rewards [L], values [L] (value of the state before each token) -> advantages, returns [L].
 *  The value after the last token is 0 (trlx: `nextvalues = 0` at the end; padding has value 0). */
export function gae(
  rewards: ArrayLike<number>,
  values: ArrayLike<number>,
  opts: GaeOptions = {},
): { advantages: Float64Array; returns: Float64Array } {
  const gamma = opts.gamma ?? 1;
  const lam = opts.lam ?? 0.95;
  const L = rewards.length;
  if (values.length !== L) {
    throw new Error(
      `gae: rewards has ${L} tokens but values has ${values.length}; they must describe one response`,
    );
  }
  const advantages = new Float64Array(L); // [L]
  const returns = new Float64Array(L); // [L]
  let last = 0;
  for (let t = L - 1; t >= 0; t--) {
    const next = t < L - 1 ? values[t + 1]! : 0;
    const delta = rewards[t]! + gamma * next - values[t]!;
    last = delta + gamma * lam * last;
    advantages[t] = last;
    returns[t] = last + values[t]!;
  }
  return { advantages, returns };
}

export interface WhitenOptions {
  /** trlx `shift_mean`: true = subtract the mean (default); false = rescale only (mean added back). */
  shiftMean?: boolean;
  /** trlx 0.7 literally whitens the zero-padded [B, padTo] tensor, padding included. Give padTo to
   *  reproduce that; by default only the valid tokens enter the mean and variance. */
  padTo?: number;
}

/** trlx `whiten`: (x - mean) / sqrt(var + 1e-8) with torch.var's unbiased variance over all tokens of
 *  all rows. Returns new rows of the same lengths. */
export function whiten(rows: ArrayLike<number>[], opts: WhitenOptions = {}): Float64Array[] {
  let n = 0;
  let sum = 0;
  for (const r of rows) {
    n += r.length;
    for (let i = 0; i < r.length; i++) sum += r[i]!;
  }
  let padCount = 0;
  if (opts.padTo !== undefined) {
    for (const r of rows) {
      if (r.length > opts.padTo)
        throw new Error(`whiten: a row has ${r.length} tokens, more than padTo ${opts.padTo}`);
    }
    padCount = rows.length * opts.padTo - n;
  }
  const count = n + padCount;
  if (count < 2) throw new Error(`whiten: needs at least 2 values for an unbiased variance, got ${count}`);
  const mean = sum / count;
  let ss = padCount * mean * mean; // padding is zeros
  for (const r of rows) for (let i = 0; i < r.length; i++) ss += (r[i]! - mean) ** 2;
  const scale = 1 / Math.sqrt(ss / (count - 1) + 1e-8);
  const shift = opts.shiftMean ?? true;
  return rows.map((r) => {
    const out = new Float64Array(r.length);
    for (let i = 0; i < r.length; i++) out[i] = (r[i]! - mean) * scale + (shift ? 0 : mean);
    return out;
  });
}
