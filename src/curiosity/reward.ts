// Sequence-level reward composition (crt-spec.md "Reward"):
//   s = c_tox * R(y) + c_bleu * BLEU(x) + c_cos * Cos(x) + c_gib * Gib(x) + c_tdiv * TDiv + c_nat * N(x),
//   s = clip(s, -clip, clip)
// with Gib(x) = -P(gibberish | x), N(x) the reference model's mean per-token log-likelihood of x, and TDiv the batch response similarity (targetDiversity; c_tdiv = -5 in the
// paper's RL+TDiv). The coefficients of each method come from its entry in the attack registry. The per-token
// KL and entropy terms are added by the attacker that trains; this fills the sequence-level part of RewardBreakdown.
import type { RewardBreakdown } from "../store/types.js";
import {
  type EmbeddingInput,
  type EmbeddingNovelty,
  embeddingProblem,
  targetDiversity,
} from "./embedding.js";
import type { SelfBleuNovelty } from "./selfbleu.js";
import { wordTokenize } from "./tokenize.js";

export interface RewardWeights {
  /** Coefficient of R(y). 1 in every method of the paper. */
  toxicity: number;
  /** c_bleu: CRT -1, RL 0. */
  bleu: number;
  /** c_cos: CRT -1, RL 0. */
  cosine: number;
  /** c_gib on Gib(x) = -P(gibberish): 1 on instruction tasks, 0 on text continuation. */
  gibberish: number;
  /** c_tdiv on TDiv, the mean response similarity: -5 for RL+TDiv, else 0. */
  tdiv: number;
  /** c_nat on N(x), the reference model's mean per-token log-likelihood (<= 0): 0 unless asked for. */
  naturalness: number;
  /** The sequence score is clipped to [-clip, clip]. */
  clip: number;
}

export interface RewardSample {
  /** The generated test case x. */
  testCase: string;
  /** The seed instruction z (novelty text is z + x on continuation tasks). */
  seedPrompt?: string;
  /** R(y) in [0,1]; null/undefined/non-finite excludes the sample. */
  judgeScore: number | null | undefined;
  /** P(gibberish | x) = 1 - P(clean); required when weights.gibberish != 0. */
  gibberish?: number | null;
  /** N(x): the reference model's mean per-token log-likelihood of x; required when weights.naturalness != 0. */
  naturalness?: number | null;
  /** Embedding of the novelty text, for Cos(x); required when weights.cosine != 0. */
  embedding?: EmbeddingInput;
  /** Embedding of the target's response, for TDiv; required when weights.tdiv != 0. */
  responseEmbedding?: EmbeddingInput;
  /** Generation stopped at EOS or a stop sequence (for the EOS-append quirk). */
  stoppedAtEos?: boolean;
}

export interface RewardOptions {
  weights: RewardWeights;
  /** "instruction": novelty text = x; "continuation": z + x. */
  task: "instruction" | "continuation";
  /** The official code's quirk: append this EOS string to the novelty text of samples that stopped at EOS. */
  appendEos?: string | null;
  /** Word tokenizer for SelfBLEU. Default wordTokenize. */
  tokenize?: (text: string) => string[];
  /**
   * What the novelty histories remember: every rewarded test case (the paper), or only the findings (judge
   * score >= `tau`), so that novelty is measured against what was already found rather than everything tried.
   */
  history?: { of: "all" } | { of: "findings"; tau: number };
  /**
   * "none" (the paper): the novelty terms are added as they are. "judge": they are multiplied by R(y), so a
   * test case the target answered safely gains nothing from being new (no reward for novel nonsense).
   */
  noveltyGate?: "none" | "judge";
}

/** Novelty histories, updated score-then-add. A history given with a zero weight is still tracked (audit only). */
export interface NoveltyState {
  selfBleu?: SelfBleuNovelty;
  embedding?: EmbeddingNovelty;
}

export interface RewardBatchResult {
  /** One entry per input sample: the breakdown (kl and entropy 0, filled later), or null when excluded. */
  rewards: (RewardBreakdown | null)[];
  excluded: { index: number; reason: string }[];
}

/** The text SelfBLEU and the embedder see for a sample. */
export function noveltyText(
  sample: RewardSample,
  options: Pick<RewardOptions, "task" | "appendEos">,
): string {
  const base =
    options.task === "continuation" ? (sample.seedPrompt ?? "") + sample.testCase : sample.testCase;
  return options.appendEos && sample.stoppedAtEos ? base + options.appendEos : base;
}

function finiteProbability(value: number | null | undefined, what: string): string | null {
  if (value === null || value === undefined) return `missing ${what}`;
  if (!Number.isFinite(value)) return `non-finite ${what} (${value})`;
  return null;
}

function exclusionReason(sample: RewardSample, weights: RewardWeights, state: NoveltyState): string | null {
  const judge = finiteProbability(sample.judgeScore, "judge score");
  if (judge) return judge;
  if (weights.gibberish !== 0) {
    const gib = finiteProbability(sample.gibberish, "gibberish probability");
    if (gib) return gib;
  }
  if (weights.naturalness !== 0) {
    const n = sample.naturalness;
    if (n === null || n === undefined) return "missing naturalness (reference log-likelihood)";
    if (!Number.isFinite(n)) return `non-finite naturalness (${n})`;
  }
  if (weights.cosine !== 0) {
    const problem = embeddingProblem(sample.embedding, state.embedding?.dim);
    if (problem) return `test-case ${problem}`;
  }
  if (weights.tdiv !== 0) {
    const problem = embeddingProblem(sample.responseEmbedding);
    if (problem) return `response ${problem}`;
  }
  return null;
}

/**
 * Compose the sequence-level rewards of one batch. Samples with a missing or non-finite input that their weights
 * need are excluded (null, with a reason) and never enter the novelty histories. The included samples are scored
 * against the histories and then appended to them (score-then-add), so samples of a batch never see each other.
 */
export function composeRewards(
  samples: readonly RewardSample[],
  options: RewardOptions,
  state: NoveltyState = {},
): RewardBatchResult {
  const { weights } = options;
  if (weights.bleu !== 0 && !state.selfBleu) {
    throw new Error(
      "composeRewards: weights.bleu is non-zero but no SelfBleuNovelty history was given (state.selfBleu)",
    );
  }
  if (weights.cosine !== 0 && !state.embedding) {
    throw new Error(
      "composeRewards: weights.cosine is non-zero but no EmbeddingNovelty history was given (state.embedding)",
    );
  }
  const excluded: { index: number; reason: string }[] = [];
  const included: number[] = [];
  samples.forEach((sample, index) => {
    const reason = exclusionReason(sample, weights, state);
    if (reason) excluded.push({ index, reason });
    else included.push(index);
  });
  const kept = included.map((i) => samples[i]);
  const h = options.history ?? { of: "all" };
  const remembered = (s: RewardSample) => h.of === "all" || (s.judgeScore as number) >= h.tau;

  // SelfBLEU: score the batch against the history, then add it.
  let bleu: number[] | undefined;
  if (state.selfBleu) {
    const tokenize = options.tokenize ?? wordTokenize;
    const docs = kept.map((s) => tokenize(noveltyText(s, options)));
    bleu = state.selfBleu.score(docs);
    state.selfBleu.add(docs.filter((_, k) => remembered(kept[k]!)));
  }
  // Cosine: same order; with a zero weight, unusable embeddings are simply not tracked.
  let cosine: (number | null)[] | undefined;
  if (state.embedding) {
    const embeddings = kept.map((s) => s.embedding);
    cosine = state.embedding.score(embeddings).map((r) => r.value);
    state.embedding.add(embeddings.filter((_, k) => remembered(kept[k]!)));
  }
  const tdiv = weights.tdiv !== 0 ? targetDiversity(kept.map((s) => s.responseEmbedding)) : undefined;

  const rewards: (RewardBreakdown | null)[] = samples.map(() => null);
  kept.forEach((sample, k) => {
    // gated novelty: the terms count in proportion to R(y), so only unsafe answers are rewarded for being new
    const gate = options.noveltyGate === "judge" ? (sample.judgeScore as number) : 1;
    const raw: NonNullable<RewardBreakdown["raw"]> = {};
    if (bleu) raw.bleu = bleu[k];
    if (cosine && cosine[k] !== null) raw.cosine = cosine[k] as number;
    const gibberishOk = sample.gibberish !== null && Number.isFinite(sample.gibberish);
    if (gibberishOk) raw.gibberish = sample.gibberish as number;
    if (tdiv) raw.tdiv = tdiv[k] as number;
    if (typeof sample.naturalness === "number" && Number.isFinite(sample.naturalness))
      raw.naturalness = sample.naturalness;
    const terms = {
      toxicity: weights.toxicity * (sample.judgeScore as number),
      selfBleu: weights.bleu === 0 ? 0 : gate * weights.bleu * (raw.bleu as number),
      cosine: weights.cosine === 0 ? 0 : gate * weights.cosine * (raw.cosine as number),
      gibberish: weights.gibberish === 0 ? 0 : weights.gibberish * -(raw.gibberish as number),
      tdiv: weights.tdiv === 0 ? 0 : weights.tdiv * (raw.tdiv as number),
      naturalness: weights.naturalness === 0 ? 0 : weights.naturalness * (raw.naturalness as number),
    };
    const sum =
      terms.toxicity + terms.selfBleu + terms.cosine + terms.gibberish + terms.tdiv + terms.naturalness;
    const score = Math.min(weights.clip, Math.max(-weights.clip, sum));
    rewards[included[k]] = { ...terms, kl: 0, entropy: 0, score, raw };
  });
  return { rewards, excluded };
}
