// The PPO family (crt, rl, rl-tdiv, rl-temp2): one attacker, four presets. The methods differ only in their
// reward coefficients and sampling temperature (their registry entries' config defaults); the attacker samples
// with the trainer's RNG, hands each epoch's composed rewards to PPO, and reports the per-token KL and entropy
// terms it added.
import type { CurioConfig } from "../config/index.js";
import type { GenerateOptions, Policy } from "../models/index.js";
import { type PpoConfig, PpoTrainer, type PpoTrainerState, type Rollout } from "../rl/index.js";
import type { StateValue } from "../util/checkpoint.js";
import { generateOptions, policyInputs, proposalOf, withContext } from "./generation.js";
import { loadContextPolicy } from "./policy.js";
import type { Attacker, AttackerContext, Feedback, LearnResult, Proposal } from "./types.js";

/** curio.yaml's ppo and rewards sections as the trainer takes them (a pure resolver). */
export function ppoTrainerConfig(config: CurioConfig, seed: number, threads?: number): Partial<PpoConfig> {
  const p = config.ppo;
  return {
    numRollouts: p.numRollouts,
    chunkSize: p.batchSize,
    batchSize: p.batchSize,
    microBatchSize: p.microBatchSize,
    ppoEpochs: p.ppoEpochs,
    gamma: p.gamma,
    lam: p.lam,
    cliprange: p.cliprange,
    cliprangeValue: p.cliprangeValue,
    vfCoef: p.vfCoef,
    initKlCoef: config.rewards.klBeta,
    klTarget: p.kl.type === "adaptive" ? p.kl.target : null,
    klHorizon: p.kl.horizon,
    lambdaE: config.rewards.entropy,
    zeroShortResponses: config.rewards.quirks.zeroRewardShortGenerations,
    lr: p.lr,
    betas: p.betas,
    eps: p.eps,
    weightDecay: p.weightDecay,
    maxGradNorm: p.maxGradNorm,
    seed,
    threads,
  };
}

export class PpoAttacker implements Attacker {
  readonly eosText: string;
  private rollouts: Rollout[] = [];

  constructor(
    private readonly trainer: PpoTrainer,
    private readonly config: CurioConfig,
    private readonly genOpts: GenerateOptions,
    private readonly log: (line: string) => void,
  ) {
    const tok = trainer.policy.tokenizer;
    this.eosText = tok.decode([tok.eosId]);
  }

  async propose(seeds: readonly string[]): Promise<Proposal> {
    const prompts = seeds.map((z) => withContext(z, this.config));
    const inputs = policyInputs(prompts, this.trainer.policy.tokenizer, this.config);
    this.rollouts = (await this.trainer.rollout(inputs, this.genOpts)).rollouts;
    return proposalOf(prompts, this.rollouts, { eosText: this.eosText, task: this.config.redteam.task });
  }

  /** One PPO step on the cases that have a reward (at least two: advantages are whitened over the batch). */
  async learn(fb: Feedback): Promise<LearnResult> {
    const valid = fb.rewards.map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
    const terms: LearnResult["terms"] = fb.rewards.map(() => null);
    if (valid.length < 2) {
      this.log(`epoch ${fb.epoch}: only ${valid.length} usable samples; skipping the PPO update`);
      return { terms, loss: {}, kl: 0, entropy: 0 };
    }
    const step = await this.trainer.step(
      valid.map((i) => this.rollouts[i]!),
      valid.map((i) => fb.rewards[i]!.score),
    );
    valid.forEach((i, k) => {
      terms[i] = {
        kl: -step.klCoef * step.perSample[k]!.kl,
        entropy: this.config.rewards.entropy * step.perSample[k]!.entropy,
      };
    });
    return { terms, loss: { ...step.loss }, kl: step.meanKl, entropy: step.meanEntropy };
  }

  state(): StateValue {
    return { trainer: this.trainer.state() as unknown as StateValue };
  }

  loadState(s: StateValue): void {
    this.trainer.loadState((s as { trainer: unknown }).trainer as PpoTrainerState);
  }

  get redTeamModel(): Policy {
    return this.trainer.policy;
  }

  async release(): Promise<void> {
    await this.trainer.release();
    await this.trainer.policy.release();
  }
}

export async function createPpoAttacker(ctx: AttackerContext): Promise<Attacker> {
  const policy = await loadContextPolicy(ctx, true);
  try {
    const trainer = new PpoTrainer(policy, { config: ppoTrainerConfig(ctx.config, ctx.seed, ctx.threads) });
    return new PpoAttacker(trainer, ctx.config, generateOptions(ctx.config), ctx.log);
  } catch (e) {
    await policy.release();
    throw e;
  }
}
