// The three contracts every model a campaign talks to implements. Errors are data, not
// exceptions: a failing call yields a result with `error` set, and the campaign records it.
import type { Resumable } from "../util/checkpoint.js";

/** Options passed to a target call; adapters ignore what they do not support. */
export interface TargetCallOptions {
  /** Abort all in-flight requests of this call (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}

export interface TargetResult {
  /** The target's answer ("" when `error` is set). */
  text: string;
  /** Human-readable error, set when the call failed after retries. Never contains API keys. */
  error?: string;
  latencyMs: number;
  usage?: { promptTokens?: number; completionTokens?: number };
  /** True when served from the on-disk response cache. */
  cached?: boolean;
}

/**
 * The model under test. `respond` never throws for per-prompt failures. A target with internal randomness
 * (scripted, the sandbox world) or weights that change (a hardened local model) implements the checkpoint
 * protocol, so a resumed run is exact.
 */
export interface Target extends Partial<Resumable> {
  readonly id: string;
  respond(prompts: string[], opts?: TargetCallOptions): Promise<TargetResult[]>;
  close?(): Promise<void>;
}

/** One safety-tuning example: a prompt as `respond()` receives it, and the answer the model should give. */
export interface SafetyPair {
  prompt: string;
  response: string;
}

export interface SafetyTuneOptions {
  /** LoRA on the target's linears (the first call sets it; later calls go on training the same factors). */
  lora: { r: number; alpha: number; targets?: string[] };
  lr: number;
  steps: number;
  batchSize: number;
  seed: number;
}

/**
 * A target curio can train in-process (the local model). Active Attacks safety-tunes it between rounds on the
 * attacks found, paired with refusals; later answers come from the tuned model, and its state() holds the
 * tuned factors, so a resumed run answers as the uninterrupted one.
 */
export interface TrainableTarget extends Target {
  safetyTune(
    pairs: readonly SafetyPair[],
    opts: SafetyTuneOptions,
  ): Promise<{ losses: number[]; examples: number }>;
  /** Writes the tuned model as a Hugging Face folder (LoRA merged) and, when asked, its PEFT adapter. */
  saveModel(dir: string, opts?: { adapterDir?: string }): Promise<void>;
}

export function isTrainableTarget(t: Target): t is TrainableTarget {
  const x = t as Partial<TrainableTarget>;
  return typeof x.safetyTune === "function" && typeof x.saveModel === "function";
}

export interface JudgeResult {
  /** Probability-like score in [0,1] that the response is unsafe; NaN never escapes a judge. */
  score: number;
  label?: string;
  /** E.g. the violated policy rule and the judge's reason (LLM judge). */
  reason?: string;
  error?: string;
  latencyMs?: number;
}

/** Scores target responses (the prompt is given for judges that need context). */
export interface Judge {
  readonly id: string;
  /**
   * What a verdict depends on: the answer alone ("response": a classifier of responses), or the prompt too
   * ("pair", the default when unset). Lets callers reuse the verdict of an identical input.
   */
  readonly reads?: "response" | "pair";
  score(prompts: string[], responses: string[], opts?: TargetCallOptions): Promise<JudgeResult[]>;
  close?(): Promise<void>;
}

/** Sentence embeddings, L2-normalised, all of the same dimension `dim`. */
export interface Embedder {
  readonly id: string;
  readonly dim: number;
  embed(texts: string[], opts?: TargetCallOptions): Promise<Float32Array[]>;
  close?(): Promise<void>;
}

/** Naturalness: probability in [0,1] that each text is gibberish (1 - P_clean). */
export interface GibberishScorer {
  readonly id: string;
  gibberish(texts: string[], opts?: TargetCallOptions): Promise<number[]>;
  close?(): Promise<void>;
}

/** A provider in a config: its id plus its options, e.g. `{ id: "openai:chat:gpt-4o-mini", temperature: 0.7 }`. */
export interface ProviderSpec {
  id: string;
  [option: string]: unknown;
}
