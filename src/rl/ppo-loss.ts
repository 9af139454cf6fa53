import type { Graph, Tensor } from "../engine/index.js";

/** trlx 0.7 `PPOConfig.loss` hyper-parameters (CRT: 0.2, 0.2, 1). */
export interface PpoLossConfig {
  cliprange: number;
  cliprangeValue: number;
  vfCoef: number;
}

export const defaultPpoLossConfig: PpoLossConfig = { cliprange: 0.2, cliprangeValue: 0.2, vfCoef: 1 };

/** All [B, R] float tensors over response tokens; mask is 1 on real tokens, 0 on padding. */
export interface PpoLossInputs {
  logprobs: Tensor; // [B,R] current policy log pi(a_t), differentiable
  values: Tensor; // [B,R] current value head V(s_t), differentiable
  oldLogprobs: Tensor; // [B,R] rollout-time log-probs
  oldValues: Tensor; // [B,R] rollout-time values
  advantages: Tensor; // [B,R] (whitened) GAE advantages
  returns: Tensor; // [B,R] advantages + old values (before whitening)
  mask: Tensor; // [B,R] 1 = response token
  /** The denominators, when this [B,R] is one micro-batch of a larger minibatch: [] its valid tokens n
   *  (default sum(mask)) and [] the entries approxKl averages over (default B*R). Every output is then this
   *  chunk's share, and the chunks' outputs (and gradients) sum to the whole minibatch's. */
  tokenCount?: Tensor;
  entryCount?: Tensor;
}

/** Scalar tensors: the loss and trlx's stats. */
export interface PpoLossOutputs {
  loss: Tensor; // pgLoss + vfCoef * vfLoss
  pgLoss: Tensor;
  vfLoss: Tensor;
  approxKl: Tensor; // mean over ALL B*R entries of (ratio - 1) - log ratio (masked entries add 0), as trlx
  approxKlValid: Tensor; // the same sum over the n valid tokens only (independent of padding/bucketing)
  clipfrac: Tensor; // fraction of valid tokens where the clipped policy term is the larger one
  vfClipfrac: Tensor; // same for the value loss
  ratioMean: Tensor; // sum(ratio * mask) / n
  valuesError: Tensor; // sum(((v - R) * mask)^2) / n
}

/** Appends the trlx 0.7 PPO loss to `g` (see docs/ppo.md). n = sum(mask) unless tokenCount is given. */
export function ppoLoss(
  g: Graph,
  x: PpoLossInputs,
  cfg: PpoLossConfig = defaultPpoLossConfig,
): PpoLossOutputs {
  const all = [0, 1];
  const f = g.floatType;
  const n = x.tokenCount ?? g.sum(x.mask, all); // []
  const maskedMean = (t: Tensor) => g.div(g.sum(g.mul(t, x.mask), all), n); // [B,R] -> []

  // value loss: clip the new value to within cliprangeValue of the rollout value
  const vClipped = g.add(
    x.oldValues,
    g.clip(g.sub(x.values, x.oldValues), -cfg.cliprangeValue, cfg.cliprangeValue),
  ); // [B,R]
  const vf1 = g.pow(g.sub(x.values, x.returns), 2); // [B,R]
  const vf2 = g.pow(g.sub(vClipped, x.returns), 2); // [B,R]
  const vfLoss = g.mul(0.5, maskedMean(g.maximum(vf1, vf2)));
  const vfClipfrac = maskedMean(g.cast(g.greater(vf2, vf1), f));

  // policy loss: clipped importance ratio (masked log-ratio, so padding has ratio 1)
  const logRatio = g.mul(g.sub(x.logprobs, x.oldLogprobs), x.mask); // [B,R]
  const ratio = g.exp(logRatio); // [B,R]
  const negAdv = g.neg(x.advantages);
  const pg1 = g.mul(negAdv, ratio); // [B,R]
  const pg2 = g.mul(negAdv, g.clip(ratio, 1 - cfg.cliprange, 1 + cfg.cliprange)); // [B,R]
  const pgLoss = maskedMean(g.maximum(pg1, pg2));
  const clipfrac = maskedMean(g.cast(g.greater(pg2, pg1), f));

  const loss = g.add(pgLoss, g.mul(cfg.vfCoef, vfLoss));

  const ratioSg = g.stopGradient(ratio);
  const k3 = g.sub(g.sub(ratioSg, 1), g.stopGradient(logRatio)); // [B,R], 0 where masked
  const approxKl = x.entryCount ? g.div(g.sum(k3, all), x.entryCount) : g.mean(k3, all);
  const approxKlValid = g.div(g.sum(k3, all), n);
  const ratioMean = maskedMean(ratioSg);
  const valuesError = g.div(
    g.sum(g.pow(g.mul(g.sub(g.stopGradient(x.values), x.returns), x.mask), 2), all),
    n,
  );
  return { loss, pgLoss, vfLoss, approxKl, approxKlValid, clipfrac, vfClipfrac, ratioMean, valuesError };
}

/** Names of the stats in PpoLossOutputs, in a fixed order (graph output order). */
export const ppoStatNames = [
  "loss",
  "pgLoss",
  "vfLoss",
  "approxKl",
  "approxKlValid",
  "clipfrac",
  "vfClipfrac",
  "ratioMean",
  "valuesError",
] as const;
export type PpoStatName = (typeof ppoStatNames)[number];

/** Log-probs of `labels` under `logits`: [..., V] logits, [...] int64 labels -> [...]. */
export function tokenLogprobs(g: Graph, logits: Tensor, labels: Tensor): Tensor {
  const lp = g.logSoftmax(logits, -1); // [..., V]
  const idx = g.reshape(labels, [...labels.shape, 1]); // [..., 1]
  const picked = g.gatherElements(lp, idx, -1); // [..., 1]
  return g.reshape(picked, [...labels.shape]);
}
