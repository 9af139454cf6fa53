// method: gfn. GFlowNet fine-tuning of the attacker (Lee et al., ICLR 2025): each epoch the attacker samples test
// cases, the campaign has them answered and judged, and trajectory balance pulls p_theta(x | z) towards
// R(x | z) / Z(z) with R the judge's score and the reference model's likelihood (reward.ts); the epoch's cases
// and replayed high-reward ones train it. With `mle.epochs`, the initial attacker is then fine-tuned by maximum
// likelihood on the successful cases found (mle.ts), and the run's last epochs sample from that smoothed model;
// it is saved as a model folder.
import { join, resolve } from "node:path";
import type { GenerateOptions, Policy } from "../../models/index.js";
import type { StateValue } from "../../util/checkpoint.js";
import { ConfigError } from "../../util/errors.js";
import { generateOptions, policyInputs, proposalOf, withContext } from "../generation.js";
import { loadContextPolicy } from "../policy.js";
import type { Attacker, AttackerContext, Feedback, LearnResult, Proposal } from "../types.js";
import { type CollectedCase, HighRewardSet, mleSmooth } from "./mle.js";
import type { GfnOptions } from "./options.js";
import { type GfnRewardConfig, rewardTerms } from "./reward.js";
import { GfnTrainer, type GfnTrainerConfig, type GfnTrainerState, type Trajectory } from "./trainer.js";

interface GfnAttackerState {
  trainer: GfnTrainerState;
  high: ReturnType<HighRewardSet["state"]>;
  /** The MLE-smoothed attacker's trained tensors, once the stage ran. */
  smoothed: Record<string, Float32Array> | null;
}

export class GfnAttacker implements Attacker {
  readonly eosText: string;
  private last: Trajectory[] = [];
  private smoothed: Policy | null = null;
  private restoreSmoothed: Record<string, Float32Array> | null = null;
  private readonly high: HighRewardSet;
  /** Epochs of GFlowNet training; the rest sample from the smoothed attacker. */
  private readonly gfnEpochs: number;

  constructor(
    private readonly trainer: GfnTrainer,
    private readonly ctx: AttackerContext<GfnOptions>,
    private readonly genOpts: GenerateOptions,
  ) {
    const tok = trainer.policy.tokenizer;
    this.eosText = tok.decode([tok.eosId]);
    this.high = new HighRewardSet(ctx.options.mle.capacity);
    this.gfnEpochs = Math.max(1, ctx.totalEpochs - ctx.options.mle.epochs);
  }

  async propose(seeds: readonly string[]): Promise<Proposal> {
    const prompts = seeds.map((z) => withContext(z, this.ctx.config));
    const smoothed = await this.smoothedPolicy();
    const inputs = policyInputs(prompts, this.trainer.policy.tokenizer, this.ctx.config);
    this.last = await this.trainer.sample(inputs, this.genOpts, smoothed ?? undefined);
    return proposalOf(prompts, this.last, { eosText: this.eosText, task: this.ctx.config.redteam.task });
  }

  async learn(fb: Feedback): Promise<LearnResult> {
    const terms: LearnResult["terms"] = fb.judgeScores.map(() => null);
    const valid = fb.judgeScores.flatMap((s, i) => (s === null ? [] : [i]));
    const entropy = mean(this.last.map((t) => -sum(t.logprobs)));
    if (this.smoothed || valid.length === 0) {
      if (!this.smoothed)
        this.ctx.log(`epoch ${fb.epoch}: no scored test cases; skipping the GFlowNet update`);
      return { terms, loss: {}, kl: 0, entropy };
    }
    const ref = await this.trainer.referenceLogprobs(valid.map((i) => this.last[i]!));
    const reward = this.trainer.config.reward;
    const online = valid.map((i, k) => ({
      traj: this.last[i]!,
      terms: rewardTerms(fb.judgeScores[i]!, ref[k]!, reward),
      judgeScore: fb.judgeScores[i]!,
      text: fb.proposal.testCases[i]!,
    }));
    const stats = await this.trainer.update(online, (fb.epoch - 1) / this.gfnEpochs);
    const tau = this.ctx.config.thresholds.success;
    for (const o of online) {
      if (o.judgeScore < tau || o.text === "") continue;
      this.high.add({
        promptIds: o.traj.promptIds,
        responseIds: o.traj.responseIds,
        terminator: o.traj.terminator,
        text: o.text,
        judgeScore: o.judgeScore,
      } satisfies CollectedCase);
    }
    const replay = stats.replay;
    const loss: Record<string, number> = {
      tbLoss: stats.online.loss,
      logZ: stats.online.logZ,
      logReward: stats.online.logReward,
      sumLogpf: stats.online.sumLogpf,
      gradNorm: stats.online.gradNorm,
      replayLoss: replay.length > 0 ? mean(replay.map((r) => r.loss)) : 0,
      replayBuffer: stats.bufferSize,
      highRewardSet: this.high.size,
    };
    const kl = mean(valid.map((i, k) => sum(this.last[i]!.logprobs) - sumOf(ref[k]!, this.last[i]!)));
    if (fb.epoch === this.gfnEpochs && this.ctx.options.mle.epochs > 0) await this.smooth();
    return { terms, loss, kl, entropy };
  }

  /** Empties the replay buffer: its rewards were earned against a target that has since changed. */
  targetChanged(): void {
    this.trainer.buffer.clear();
  }

  /** The MLE stage: the initial attacker fine-tuned on the successful cases, then saved. */
  private async smooth(): Promise<void> {
    const o = this.ctx.options.mle;
    const policy = await this.loadInitial();
    const r = await mleSmooth(policy, this.high.list(), {
      steps: o.steps,
      lr: o.lr ?? this.trainer.config.lr,
      batchSize: o.batchSize,
      seed: this.ctx.seed,
    });
    this.smoothed = policy;
    this.ctx.log(
      r.examples === 0
        ? "MLE smoothing: no successful test cases to smooth on; the last epochs sample the initial attacker"
        : `MLE smoothing on ${r.examples} successful test cases: loss ${r.losses[0]!.toFixed(3)} -> ${r.losses.at(-1)!.toFixed(3)}`,
    );
    await this.saveSmoothed();
  }

  private async saveSmoothed(): Promise<void> {
    const { config, baseDir, seed } = this.ctx;
    const dir = resolve(baseDir, config.workspace, "attackers", `${config.name}-${seed}-mle`);
    await this.smoothed!.save(join(dir, "model"));
    if (this.smoothed!.trainable.kind === "lora") await this.smoothed!.savePeftAdapter(join(dir, "adapter"));
    this.ctx.log(`MLE-smoothed attacker saved to ${dir}`);
  }

  private loadInitial(): Promise<Policy> {
    return loadContextPolicy(this.ctx, false);
  }

  private async smoothedPolicy(): Promise<Policy | null> {
    if (this.restoreSmoothed) {
      const params = this.restoreSmoothed;
      this.restoreSmoothed = null;
      const policy = await this.loadInitial();
      for (const p of policy.params()) p.data.set(params[p.name]!);
      this.smoothed = policy;
    }
    return this.smoothed;
  }

  state(): StateValue {
    const smoothed = this.smoothed
      ? Object.fromEntries(this.smoothed.params().map((p) => [p.name, p.data.slice()]))
      : this.restoreSmoothed;
    const s: GfnAttackerState = { trainer: this.trainer.state(), high: this.high.state(), smoothed };
    return s as unknown as StateValue;
  }

  loadState(state: StateValue): void {
    const s = state as unknown as GfnAttackerState;
    this.trainer.loadState(s.trainer);
    this.high.loadState(s.high);
    this.restoreSmoothed = s.smoothed; // loaded on the next propose (loading a model is asynchronous)
  }

  get redTeamModel(): Policy {
    return this.trainer.policy;
  }

  async release(): Promise<void> {
    await this.trainer.release();
    await this.trainer.policy.release();
    await this.smoothed?.release();
  }
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}
const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);
/** sum log p_ref over the trajectory's own tokens (the reference also scored a cut case's terminator). */
const sumOf = (ref: Float64Array, t: Trajectory) => sum(ref.subarray(0, t.responseIds.length));

/** The trainer's settings from curio.yaml: the method's options, and ppo's for what they share. */
export function gfnTrainerConfig(ctx: AttackerContext<GfnOptions>): GfnTrainerConfig {
  const o = ctx.options;
  const p = ctx.config.ppo;
  const reward: GfnRewardConfig = {
    beta: o.beta,
    gamma: o.gamma,
    temperature: o.temperature,
    scoreFloor: o.scoreFloor,
    minLength: o.minLength,
    shortPenalty: o.shortPenalty,
  };
  return {
    reward,
    lr: o.lr ?? p.lr,
    logZLr: o.logZLr,
    betas: p.betas,
    weightDecay: p.weightDecay,
    maxGradNorm: o.maxGradNorm,
    batchSize: p.batchSize,
    replaySteps: o.replay.steps,
    replay: {
      capacity: o.replay.capacity,
      tolerance: o.replay.tolerance,
      sampling: o.replay.sampling,
      rankBy: o.replay.rankBy,
    },
    exploration: o.exploration,
    seed: ctx.seed,
    threads: ctx.threads,
  };
}

export async function createGfnAttacker(ctx: AttackerContext<GfnOptions>): Promise<Attacker> {
  if (ctx.options.mle.epochs >= ctx.totalEpochs) {
    throw new ConfigError(
      `attack.mle.epochs (${ctx.options.mle.epochs}) must be below the run's ${ctx.totalEpochs} epochs: ` +
        "GFlowNet training needs at least one",
      { hint: "lower attack.mle.epochs or raise ppo.epochs" },
    );
  }
  const policy = await loadContextPolicy(ctx, false);
  try {
    const trainer = new GfnTrainer(policy, gfnTrainerConfig(ctx));
    return new GfnAttacker(trainer, ctx, generateOptions(ctx.config));
  } catch (e) {
    await policy.release();
    throw e;
  }
}
