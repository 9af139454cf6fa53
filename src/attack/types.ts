// The Attacker contract: what the campaign loop needs from a red-team method, and nothing more. Each epoch the
// campaign hands an attacker a batch of seed instructions, sends its test cases to the target, has them judged
// and rewarded, and hands the scored results back. Everything a method keeps between epochs (weights, optimiser
// moments, replay buffers, RNGs, examples) is its own state, saved and restored through `state()`/`loadState()`.
// docs/curiosity.md ("Attackers") states the contract for method authors.
import type { CurioConfig } from "../config/index.js";
import type { Policy } from "../models/index.js";
import type { Judge, Target } from "../providers/index.js";
import type { RunStore } from "../store/index.js";
import type { RewardBreakdown } from "../store/types.js";
import type { Resumable, StateValue } from "../util/checkpoint.js";

/** The test cases an attacker wrote for one batch of seed instructions (arrays of the batch's length). */
export interface Proposal {
  /** What each test case was written from (the seed instruction as the attacker wrapped it): the record's seedPrompt. */
  prompts: string[];
  /** The test cases x, cleaned (cut at the stop sequence, trimmed). */
  testCases: string[];
  /** Why each generation ended: "eos" | "stop" | "length" (a corpus line: "stop"). */
  finishReasons: string[];
}

/** The scored results of the last proposal, aligned with it. */
export interface Feedback {
  /** 1-based number of the epoch. */
  epoch: number;
  proposal: Proposal;
  /** What the target received for each test case (x in the target's template, or z + x). */
  targetInputs: string[];
  /** The training judge's score R(y) of each answer; null where the target or the judge failed. */
  judgeScores: (number | null)[];
  /** The composed sequence-level reward of each case; null where the case was excluded (reason recorded). */
  rewards: (RewardBreakdown | null)[];
  /** N(x): the reference model's mean per-token log-likelihood of each case; null when off or not computable. */
  naturalness: (number | null)[];
}

export interface LearnResult {
  /** Per case: the per-token terms the attacker added on top of the sequence reward (PPO: KL and entropy). */
  terms: ({ kl: number; entropy: number } | null)[];
  /** Loss statistics of the update (empty when nothing was learnt), stored with the epoch's statistics. */
  loss: Record<string, number>;
  /** Mean KL to the reference model and mean sampled-token entropy of the epoch's test cases. */
  kl: number;
  entropy: number;
}

export interface Attacker extends Resumable<StateValue> {
  /** Proposes one test case per seed instruction. */
  propose(seeds: readonly string[], opts?: { signal?: AbortSignal }): Promise<Proposal>;
  /** Learns from the scored results of the proposal it made last (prompted methods may only remember them). */
  learn(feedback: Feedback): Promise<LearnResult>;
  /**
   * The end-of-text string its test cases stopped at, for the novelty-text quirk (rewards.quirks.eosInNoveltyText);
   * null for attackers that do not generate (the corpus).
   */
  readonly eosText: string | null;
  /**
   * The red-team model the method loaded, unchanged in its reference mode (`reference: true`: the weights as
   * loaded), so that naturalness can score with it instead of a second copy; absent without a model (the corpus).
   */
  readonly redTeamModel?: Policy;
  /** Frees sessions and models. */
  release(): Promise<void>;
}

/** Where the red team's model and seed data come from (the sandbox world supplies its own). */
export interface RedTeamSource {
  /** Model folder or hub id of the red-team policy (and of the reference model). */
  model: string;
  /** Seed examples that fill the seed-instruction template. */
  examples: string[];
  /** The corpus the red-team model was pretrained on, when curio knows it (the sandbox world's). */
  corpus?: string[];
}

/** What an attacker factory receives. `options` are the method's own options, validated by its schema. */
export interface AttackerContext<O = unknown> {
  config: CurioConfig;
  options: O;
  source: RedTeamSource;
  /** The run's seed. */
  seed: number;
  /** onnxruntime threads for the attacker's models. */
  threads?: number;
  log: (line: string) => void;
  /** Relative paths in the method's options resolve against this (curio.yaml's folder). */
  baseDir: string;
  /** The run store, for methods that read earlier runs (few-shot examples). */
  store: RunStore;
  /** The model under test: methods that harden it between rounds (Active Attacks) train it through its own API. */
  target: Target;
  /** The training judge (Active Attacks measures the hardened target with it). */
  judge: Judge;
  /** Epochs the run goes for (ppo.epochs or --max-epochs): schedules and final stages are fractions of it. */
  totalEpochs: number;
}
