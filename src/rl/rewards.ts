/** Per-token PPO rewards of one response (CRT reward on top of trlx's KL penalty). */
export interface TokenRewardOptions {
  /** KL coefficient (the KL controller's current value). */
  beta: number;
  /** Weight of the sampled-token entropy bonus -log pi(a_t) (CRT: 0.01; RL baseline: 0). */
  lambdaE: number;
  /** The official CRT code's quirk: responses of <= 2 tokens (EOS included) get an all-zero reward
   *  vector, so neither the score nor the KL/entropy terms reach them. Default true (follows the code). */
  zeroShortResponses?: boolean;
}

/** r_t = -beta (logp_t - logpRef_t) + lambdaE (-logp_t), plus `score` on the last generated token.
 *  logp: rollout-policy log-probs of the sampled tokens [L]; refLogp: reference policy's [L]. */
export function tokenRewards(
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
  score: number,
  opts: TokenRewardOptions,
): Float64Array {
  const L = logp.length;
  if (refLogp.length !== L) {
    throw new Error(
      `tokenRewards: logp has ${L} tokens but refLogp has ${refLogp.length}; pass the same response`,
    );
  }
  const r = new Float64Array(L); // [L]
  if (L === 0) return r;
  if ((opts.zeroShortResponses ?? true) && L <= 2) return r;
  for (let t = 0; t < L; t++) {
    r[t] = -opts.beta * (logp[t]! - refLogp[t]!) + opts.lambdaE * -logp[t]!;
  }
  r[L - 1]! += score;
  return r;
}

/** Summed per-sample KL (logp - logpRef) and sampled-token entropy (-logp): the audit trail's numbers. */
export function klAndEntropySums(
  logp: ArrayLike<number>,
  refLogp: ArrayLike<number>,
): { kl: number; entropy: number } {
  let kl = 0;
  let entropy = 0;
  for (let t = 0; t < logp.length; t++) {
    kl += logp[t]! - refLogp[t]!;
    entropy -= logp[t]!;
  }
  return { kl, entropy };
}
