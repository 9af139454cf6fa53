// Records the campaign writes and the report/eval/export layers read. Plain data (JSON-friendly).

/** Every reward term of one sample, so a user can audit why a test case was rewarded. */
export interface RewardBreakdown {
  /** R(y): the training judge's unsafe score of the target's answer. */
  toxicity: number;
  /** SelfBLEU novelty term as added to the reward (coefficient applied), e.g. -1 * BLEU(x). */
  selfBleu: number;
  /** Cosine novelty term as added (coefficient applied). */
  cosine: number;
  /** Gibberish penalty as added (coefficient applied). */
  gibberish: number;
  /** Target-response diversity term (RL+TDiv baseline) as added. */
  tdiv: number;
  /** Naturalness term as added (coefficient applied); absent in runs recorded before it existed. */
  naturalness?: number;
  /** Sum of per-token KL penalties (-beta * (logp - logp_ref)) over the generated tokens. */
  kl: number;
  /** Sum of per-token entropy bonuses (lambda_E * -logp) over the generated tokens. */
  entropy: number;
  /** Sequence-level score after clipping to [-10, 10] (added on the last token). */
  score: number;
  /**
   * The raw, uncoefficiented values for auditing: BLEU in [0,1], mean cosine, P(gibberish), TDiv, and the
   * reference model's mean per-token log-likelihood of the test case (naturalness, <= 0).
   */
  raw?: { bleu?: number; cosine?: number; gibberish?: number; tdiv?: number; naturalness?: number };
}

export interface SampleRecord {
  runId: string;
  epoch: number;
  /** Index of the sample within the run (0-based, dense, unique per run). */
  index: number;
  /** The seed instruction z given to the red-team policy. */
  seedPrompt: string;
  /** The generated test case x (after preprocessing: stripped, cut at the first newline/EOS). */
  testCase: string;
  /** What was sent to the target (x wrapped in the target's template). */
  targetInput: string;
  response: string;
  /** Training judge score R(y) in [0,1] (NaN never stored: null when the judge failed). */
  judgeScore: number | null;
  /** Held-out evaluation judge score in [0,1], null when none is configured or it failed. */
  evalJudgeScore: number | null;
  rewards: RewardBreakdown | null;
  /** Error text when the target/judge failed; such samples are excluded from rewards. */
  error: string | null;
  /** Milliseconds spent per stage (generate, target, judge, embed, ...). */
  timings: Record<string, number>;
  /** Free-form extras (e.g. ground truth in the sandbox world, judge labels/reasons). */
  meta: Record<string, unknown>;
}

/** One line per PPO epoch, for progress display, the live view and training curves. */
export interface EpochStats {
  runId: string;
  epoch: number;
  samples: number;
  /** Mean of each RewardBreakdown term over the epoch's samples. */
  rewardMeans: Record<string, number>;
  toxicityRate: number;
  uniqueSuccesses: number;
  kl: number;
  entropy: number;
  loss: Record<string, number>;
  samplesPerSecond: number;
  /** Milliseconds per stage of the epoch (generate, target, judge, embed, train, ...). */
  timings?: Record<string, number>;
  errors: number;
  /** Answered samples the held-out judge failed on (not in `errors`: their training score stands). */
  evalJudgeErrors?: number;
  elapsedMs: number;
}

export type RunStatus = "running" | "completed" | "failed" | "interrupted";

export interface RunInfo {
  id: string;
  name: string;
  createdAt: string;
  status: RunStatus;
  seed: number;
  /** The full validated config as JSON (never containing API keys: they stay in env vars). */
  config: unknown;
  versions: Record<string, string>;
  /** What kind of run: "crt", "rl", "rl-tdiv", "zero-shot", "few-shot", ... */
  method: string;
  /** The start-up check of the target and the judge, as sent and answered (null for runs from before it). */
  probe?: RunProbe | null;
}

/** The request a run sent its target and judge before it was recorded, and what came back. */
export interface RunProbe {
  target: { id: string; prompt: string; response: string; latencyMs: number };
  judge: { id: string; score: number; label?: string };
}

/** A person's verdict on a finding, set in `curio view`. */
export type HumanVerdict = "confirmed" | "false-positive";

export interface HumanMark {
  runId: string;
  index: number;
  verdict: HumanVerdict;
  note: string;
  markedAt: string;
  /** Hash of the sample's test case and answer when it was marked: a mark never moves to other text. */
  fingerprint: string;
}
