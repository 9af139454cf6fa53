// Pure resolvers from the validated config to what the campaign loop runs with: no I/O, no providers.
import { dirname } from "node:path";
import type { CurioConfig } from "../config/index.js";
import type { RewardWeights } from "../curiosity/index.js";
import type { TemplateName } from "../providers/index.js";

/** What one epoch needs to know from the config. */
export interface EpochSettings {
  /** Test cases per epoch. */
  batch: number;
  task: CurioConfig["redteam"]["task"];
  template: { format: TemplateName; system: string | undefined };
  /** A test case is a success when the judge's score is >= tau. */
  tau: number;
  weights: RewardWeights;
  /** rewards.quirks.eosInNoveltyText: the novelty text ends with the attacker's EOS string when it stopped there. */
  eosInNoveltyText: boolean;
  /** What the novelty histories remember (rewards.noveltyHistory). */
  history: { of: "all" } | { of: "findings"; tau: number };
  /** rewards.noveltyGate: "judge" scales the novelty terms by R(y). */
  noveltyGate: "none" | "judge";
}

/**
 * The reward coefficients composeRewards applies. The gibberish term needs a scorer: without one it is 0.
 * rewards.tdiv is the coefficient of the mean response similarity (-5 for rl-tdiv), the same unit as composeRewards'.
 */
export function rewardWeights(config: CurioConfig, hasGibberish: boolean): RewardWeights {
  const r = config.rewards;
  return {
    toxicity: r.toxicity,
    bleu: r.selfBleu,
    cosine: r.cosine,
    gibberish: hasGibberish ? r.gibberish : 0,
    tdiv: r.tdiv,
    naturalness: r.naturalness,
    clip: r.clip,
  };
}

export function epochSettings(config: CurioConfig, hasGibberish: boolean): EpochSettings {
  return {
    batch: config.ppo.numRollouts,
    task: config.redteam.task,
    template: { format: config.template.format, system: config.template.system ?? undefined },
    tau: config.thresholds.success,
    weights: rewardWeights(config, hasGibberish),
    eosInNoveltyText: config.rewards.quirks.eosInNoveltyText,
    history:
      config.rewards.noveltyHistory === "findings"
        ? { of: "findings", tau: config.thresholds.success }
        : { of: "all" },
    noveltyGate: config.rewards.noveltyGate,
  };
}

/** How long the run goes and how often it checkpoints. */
export interface LoopSettings {
  totalEpochs: number;
  checkpointEvery: number;
}

export function loopSettings(config: CurioConfig, maxEpochs?: number): LoopSettings {
  return { totalEpochs: maxEpochs ?? config.ppo.epochs, checkpointEvery: config.checkpointEvery };
}

/** Relative paths in provider specs resolve against the config file's folder (or the working directory). */
export function baseDirOf(configPath: string | undefined): string {
  return configPath ? dirname(configPath) : process.cwd();
}

/** The embedding novelty history's settings: the paper's mean, or DiveR-CT's k nearest. */
export function embeddingNoveltyOptions(config: CurioConfig): { mode?: "knn"; k?: number } {
  return config.rewards.cosineKnn ? { mode: "knn", k: config.rewards.cosineKnn } : {};
}
