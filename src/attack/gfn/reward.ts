// The reward of GFlowNet red-teaming (Lee et al., ICLR 2025, arXiv 2405.18540, eq. 4 and the authors' code):
//   log R(x | z) = ( log r(x) / beta + log p_ref(x | z) / gamma ) / T
// r(x) is the judge's unsafe score of the target's answer to x, p_ref the initial attacker's likelihood of x
// (what keeps x fluent), beta and gamma their temperatures, and T a temperature on the whole log reward that
// anneals from `start` to `end` over the first `horizon` of the run (the authors: 2 -> 1 over the first 10% of
// the steps). gamma may be scheduled the same way. Test cases shorter than `minLength` tokens get
// log p_ref = `shortPenalty` (the authors' -500), so the sampler does not collapse onto near-empty strings.
// Every term is a pure function of stored numbers: the replay buffer keeps log r and log p_ref of each case and
// recomputes log R with the schedule of the current epoch.

export interface Schedule {
  start: number;
  end: number;
  /** Fraction of the run over which the value moves linearly from start to end. */
  horizon: number;
}

export interface GfnRewardConfig {
  beta: number;
  gamma: Schedule;
  temperature: Schedule;
  /** Judge scores below this count as this (log 0 is -infinity; lexicon judges give exact zeros). */
  scoreFloor: number;
  minLength: number;
  shortPenalty: number;
}

/** The paper's values (its code's defaults: beta 0.1, gamma 1, T 2 -> 1, min length 5). */
export const defaultGfnReward: GfnRewardConfig = {
  beta: 0.1,
  gamma: { start: 1, end: 1, horizon: 0.4 },
  temperature: { start: 2, end: 1, horizon: 0.1 },
  scoreFloor: 1e-3,
  minLength: 5,
  shortPenalty: -500,
};

/** The scheduled value at `progress` in [0, 1] of the run (epochs done / total epochs). */
export function scheduled(s: Schedule, progress: number): number {
  const f = s.horizon <= 0 ? 1 : Math.min(1, Math.max(0, progress) / s.horizon);
  return s.start + (s.end - s.start) * f;
}

/** What a test case's reward is made of, as the replay buffer stores it. */
export interface RewardTerms {
  /** log max(judge score, scoreFloor). */
  logScore: number;
  /** log p_ref(x | z) summed over x's tokens (the short-case penalty applied). */
  refLogLik: number;
}

export function rewardTerms(
  judgeScore: number,
  refTokenLogprobs: ArrayLike<number>,
  cfg: Pick<GfnRewardConfig, "scoreFloor" | "minLength" | "shortPenalty">,
): RewardTerms {
  if (!(judgeScore >= 0 && judgeScore <= 1))
    throw new Error(`gfn reward: judge score ${judgeScore} is outside [0, 1]`);
  let sum = 0;
  for (let i = 0; i < refTokenLogprobs.length; i++) sum += refTokenLogprobs[i]!;
  return {
    logScore: Math.log(Math.max(judgeScore, cfg.scoreFloor)),
    refLogLik: refTokenLogprobs.length < cfg.minLength ? cfg.shortPenalty : sum,
  };
}

/** log R at `progress` of the run. */
export function logReward(t: RewardTerms, cfg: GfnRewardConfig, progress: number): number {
  const gamma = scheduled(cfg.gamma, progress);
  const temperature = scheduled(cfg.temperature, progress);
  return (t.logScore / cfg.beta + t.refLogLik / gamma) / temperature;
}
