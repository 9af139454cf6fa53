// GFlowNet fine-tuning of the attacker with the trajectory-balance objective (Malkin et al. 2022; Lee et al. 2025):
// sample test cases (half the generation chunks at a random exploration temperature, as the authors' code), score
// them (the caller sends them to the target and the judge), then per epoch one optimiser step on the fresh cases
// and `replaySteps` steps on cases drawn from the replay buffer. Trajectory balance holds for any sampler, so
// tempered and replayed trajectories train the same objective: at its optimum p_theta(x | z) = R(x | z) / Z(z).
import { AdamW, clipGradNorm, SessionCache } from "../../engine/index.js";
import type { GenerateOptions, Generation, Policy } from "../../models/index.js";
import { buildReferenceGraph, type PackedBatch, packBatch, packedFeeds } from "../../rl/index.js";
import { Rng } from "../../util/rng.js";
import { LogZHead } from "./log-z.js";
import { ReplayBuffer, type ReplayBufferState, type ReplaySampling } from "./replay-buffer.js";
import { type GfnRewardConfig, logReward, type RewardTerms } from "./reward.js";
import { buildTbGraph, promptMask } from "./tb-graph.js";

export interface GfnTrainerConfig {
  reward: GfnRewardConfig;
  /** AdamW on the attacker's trainable tensors, and on the log Z head (GFlowNet practice: a larger step). */
  lr: number;
  logZLr: number;
  betas: [number, number];
  weightDecay: number;
  /** Global gradient-norm clip over every trained tensor (the authors: 1). */
  maxGradNorm: number;
  /** Rows per compiled graph run (generation chunk and loss minibatch). */
  batchSize: number;
  /** Optimiser steps on replayed cases per epoch (1: the authors' even mix of fresh and replayed batches). */
  replaySteps: number;
  replay: { capacity: number; tolerance: number; sampling: ReplaySampling; rankBy: "score" | "reward" };
  /** Each generation chunk is sampled, with this probability, at a temperature uniform in [low, high]. */
  exploration: { probability: number; low: number; high: number };
  seed: number;
  threads?: number;
}

/** One sampled test case with what the reward and the loss need. */
export interface Trajectory {
  prompt: string | number[];
  promptIds: number[];
  /** The sampled ids (an EOS or the stop sequence's tokens included). */
  responseIds: number[];
  text: string;
  finishReason: Generation["finishReason"];
  /** log p_theta of each sampled token at temperature 1 (what the loss sees). */
  logprobs: number[];
  /** The temperature the chunk was sampled at. */
  temperature: number;
  /** For a case cut at the length limit, what would have ended it (the first stop sequence's tokens, else
   *  EOS); empty otherwise. The reward charges log p_ref of it: an unfinished case is less likely. */
  terminator: number[];
}

/** One case to train on: its ids and its log reward. */
export interface TbRow {
  promptIds: number[];
  responseIds: number[];
  logReward: number;
}

export interface TbStepStats {
  loss: number;
  logZ: number;
  sumLogpf: number;
  logReward: number;
  gradNorm: number;
  rows: number;
}

export interface GfnUpdateStats {
  online: TbStepStats;
  replay: TbStepStats[];
  bufferSize: number;
}

export interface GfnTrainerState {
  version: 1;
  params: Record<string, Float32Array>;
  optimizer: Record<string, Float32Array | number>;
  logZOptimizer: Record<string, Float32Array | number>;
  logZInitialised: boolean;
  rng: number;
  steps: number;
  buffer: ReplayBufferState;
}

export class GfnTrainer {
  readonly logZ: LogZHead;
  readonly buffer: ReplayBuffer;
  private readonly optimizer: AdamW;
  private readonly logZOptimizer: AdamW;
  private readonly rng: Rng;
  private readonly sessions: SessionCache;
  private steps = 0;

  constructor(
    readonly policy: Policy,
    readonly config: GfnTrainerConfig,
  ) {
    if (policy.params().length === 0) throw new Error("GfnTrainer: the policy has no trainable parameters");
    const c = config;
    this.logZ = new LogZHead(policy.config.width);
    this.optimizer = new AdamW({ lr: c.lr, betas: c.betas, weightDecay: c.weightDecay });
    this.logZOptimizer = new AdamW({ lr: c.logZLr, betas: c.betas, weightDecay: 0 });
    this.rng = new Rng(c.seed);
    this.sessions = new SessionCache({ threads: c.threads, maxEntries: 8 });
    this.buffer = new ReplayBuffer({
      capacity: c.replay.capacity,
      tolerance: c.replay.tolerance,
      ignoreIds: policy.config.eosTokenIds,
    });
  }

  get optimizerSteps(): number {
    return this.steps;
  }

  // ---------------------------------------------------------------- sampling
  /** One test case per prompt, in chunks of batchSize; a chunk explores at a random temperature with the
   *  configured probability (the trainer's RNG drives it all, so a resumed run samples the same). `from` samples
   *  another policy of the same tokenizer (the MLE-smoothed attacker), without exploration. */
  async sample(
    prompts: readonly (string | number[])[],
    genOpts: GenerateOptions,
    from?: Pick<Policy, "generate" | "tokenizer" | "config">,
  ): Promise<Trajectory[]> {
    const { batchSize } = this.config;
    const x = from ? { probability: 0, low: 1, high: 1 } : this.config.exploration;
    const policy = from ?? this.policy;
    const tok = policy.tokenizer;
    const stop = genOpts.stop?.find((st) => st.length > 0);
    const terminator = stop ? tok.encode(stop) : [tok.eosId];
    const out: Trajectory[] = [];
    for (let i = 0; i < prompts.length; i += batchSize) {
      const chunk = prompts.slice(i, i + batchSize) as (string | number[])[];
      const explore = this.rng.next() < x.probability;
      const temperature = explore ? x.low + (x.high - x.low) * this.rng.next() : (genOpts.temperature ?? 1);
      const gens = await policy.generate(chunk, { ...genOpts, temperature, seed: this.rng.seed() });
      gens.forEach((g, j) => {
        out.push({
          prompt: chunk[j]!,
          promptIds: g.promptIds.length > 0 ? g.promptIds : [policy.config.bosTokenId],
          responseIds: g.ids,
          text: g.text,
          finishReason: g.finishReason,
          logprobs: g.logprobs,
          temperature,
          terminator: g.finishReason === "length" ? terminator : [],
        });
      });
    }
    return out;
  }

  /** log p_ref of each trajectory's tokens and terminator: a case cut at the length limit also pays the
   *  reference's log-probability of ending there, so an unfinished sentence is less likely (as the authors' code
   *  charges log p_ref(EOS | x)). */
  async referenceLogprobs(
    trajs: readonly Pick<Trajectory, "promptIds" | "responseIds" | "terminator">[],
  ): Promise<Float64Array[]> {
    const scored = trajs.map((t) => ({
      promptIds: t.promptIds,
      responseIds: [...t.responseIds, ...t.terminator],
    }));
    const out: Float64Array[] = [];
    for (let i = 0; i < scored.length; i += this.config.batchSize) {
      const part = scored.slice(i, i + this.config.batchSize);
      const b = this.pack(part);
      const session = await this.sessions.get(`gfn-ref:b${b.B}:p${b.P}:r${b.R}`, () =>
        buildReferenceGraph(this.policy, b),
      );
      const r = await session.run(this.feeds(session.inputNames, b, {}));
      const lp = r.ref_logprobs!.data as Float32Array;
      part.forEach((s, j) => {
        out.push(Float64Array.from(lp.subarray(j * b.R, j * b.R + s.responseIds.length)));
      });
    }
    return out;
  }

  // ---------------------------------------------------------------- training
  /** The epoch's update: one step on the fresh cases, which then enter the replay buffer, and replaySteps steps
   *  on replayed ones. `progress` in [0, 1] (epochs done / total) sets the reward's schedules. */
  async update(
    online: readonly { traj: Trajectory; terms: RewardTerms; judgeScore: number; text: string }[],
    progress: number,
  ): Promise<GfnUpdateStats> {
    if (online.length === 0) throw new Error("GfnTrainer.update: no scored test cases");
    const reward = this.config.reward;
    const rows = online.map((o) => ({
      promptIds: o.traj.promptIds,
      responseIds: o.traj.responseIds,
      logReward: logReward(o.terms, reward, progress),
    }));
    const first = await this.step(rows);
    for (const o of online) {
      this.buffer.add(
        {
          promptIds: o.traj.promptIds,
          responseIds: o.traj.responseIds,
          text: o.text,
          terms: o.terms,
          judgeScore: o.judgeScore,
        },
        this.rankKey(o.terms),
      );
    }
    const replay: TbStepStats[] = [];
    for (let s = 0; s < this.config.replaySteps && this.buffer.size > 0; s++) {
      const items = this.buffer.sample(online.length, this.rng, this.config.replay.sampling);
      replay.push(
        await this.step(items.map((it) => ({ ...it, logReward: logReward(it.terms, reward, progress) }))),
      );
    }
    return { online: first, replay, bufferSize: this.buffer.size };
  }

  private rankKey(t: RewardTerms): number {
    const r = this.config.reward;
    return this.config.replay.rankBy === "score"
      ? t.logScore
      : t.logScore / r.beta + t.refLogLik / r.gamma.end;
  }

  /** One optimiser step on the mean TB loss over `rows` (gradients accumulated over minibatches). */
  async step(rows: readonly TbRow[]): Promise<TbStepStats> {
    const n = rows.length;
    const minP = Math.max(...rows.map((r) => r.promptIds.length));
    const minR = Math.max(...rows.map((r) => r.responseIds.length));
    const params = [...this.policy.params(), ...this.logZ.params()];
    let grads: Float32Array[] | null = null;
    const acc = { loss: 0, logZ: 0, sumLogpf: 0, logReward: 0 };
    for (let i = 0; i < n; i += this.config.batchSize) {
      const part = rows.slice(i, i + this.config.batchSize);
      const r = await this.minibatch(part, n, { minP, minR });
      if (!this.logZ.initialised) {
        // the first batch sets log Z's bias (see LogZHead.initFrom), then the step runs against it
        this.logZ.initFrom(part.map((row, j) => row.logReward - r.sumLogpf[j]!));
        return this.step(rows);
      }
      acc.loss += r.loss;
      part.forEach((row, j) => {
        acc.logZ += r.logZ[j]! / n;
        acc.sumLogpf += r.sumLogpf[j]! / n;
        acc.logReward += row.logReward / n;
      });
      if (!grads) grads = r.grads;
      else {
        for (const [k, g] of grads.entries()) {
          const add = r.grads[k]!;
          for (let j = 0; j < g.length; j++) g[j]! += add[j]!;
        }
      }
    }
    const gradNorm = clipGradNorm(grads!, this.config.maxGradNorm);
    const nPolicy = this.policy.params().length;
    this.optimizer.step(
      params.slice(0, nPolicy).map((p) => p.data),
      grads!.slice(0, nPolicy),
    );
    this.logZOptimizer.step(
      params.slice(nPolicy).map((p) => p.data),
      grads!.slice(nPolicy),
    );
    this.steps++;
    if (!Number.isFinite(acc.loss))
      throw new Error(`gfn: the trajectory-balance loss became ${acc.loss}; lower attack.lr`);
    return { ...acc, gradNorm, rows: n };
  }

  /** The loss over `part` weighted 1/n per row, its per-row terms and its gradients, without updating. */
  async minibatch(
    part: readonly TbRow[],
    n: number,
    shape: { minP?: number; minR?: number } = {},
  ): Promise<{ loss: number; logZ: Float32Array; sumLogpf: Float32Array; grads: Float32Array[] }> {
    const b = this.pack(part, shape);
    const session = await this.sessions.get(`gfn-tb:b${b.B}:p${b.P}:r${b.R}`, () =>
      buildTbGraph(this.policy, b, this.logZ),
    );
    const logR = new Float32Array(b.B);
    const weight = new Float32Array(b.B);
    part.forEach((row, j) => {
      if (!Number.isFinite(row.logReward))
        throw new Error(`gfn: log reward ${row.logReward} of row ${j} is not finite`);
      logR[j] = row.logReward;
      weight[j] = 1 / n;
    });
    const r = await session.run(
      this.feeds(session.inputNames, b, {
        mask: b.mask,
        prompt_mask: promptMask(b),
        log_reward: logR,
        row_weight: weight,
      }),
    );
    const names = [...this.policy.params(), ...this.logZ.params()].map((p) => p.name);
    return {
      loss: Number(r.loss!.data[0]),
      logZ: r.log_z!.data as Float32Array,
      sumLogpf: r.sum_logpf!.data as Float32Array,
      grads: names.map((name) => (r[`grad.${name}`]!.data as Float32Array).slice()),
    };
  }

  private pack(
    rows: readonly { promptIds: readonly number[]; responseIds: readonly number[] }[],
    shape: { minP?: number; minR?: number } = {},
  ): PackedBatch {
    return packBatch(rows, {
      padId: this.policy.tokenizer.padId,
      minP: shape.minP,
      minR: shape.minR,
      minB: Math.min(this.config.batchSize, 16),
    });
  }

  private feeds(
    names: readonly string[],
    b: PackedBatch,
    extra: Record<string, Float32Array>,
  ): Record<string, Float32Array | BigInt64Array> {
    return packedFeeds(names, b, extra, [...this.policy.params(), ...this.logZ.params()], "GfnTrainer");
  }

  // ---------------------------------------------------------------- resume
  state(): GfnTrainerState {
    return {
      version: 1,
      params: Object.fromEntries(
        [...this.policy.params(), ...this.logZ.params()].map((p) => [p.name, p.data.slice()]),
      ),
      optimizer: this.optimizer.state(),
      logZOptimizer: this.logZOptimizer.state(),
      logZInitialised: this.logZ.initialised,
      rng: this.rng.state(),
      steps: this.steps,
      buffer: this.buffer.state(),
    };
  }

  loadState(s: GfnTrainerState): void {
    if (s.version !== 1) throw new Error(`GfnTrainer.loadState: unsupported state version ${s.version}`);
    for (const p of [...this.policy.params(), ...this.logZ.params()]) {
      const v = s.params[p.name];
      if (!v || v.length !== p.data.length) {
        throw new Error(
          `GfnTrainer.loadState: parameter "${p.name}" is missing or has another size; was the run saved with the same trainable setting?`,
        );
      }
      p.data.set(v);
    }
    this.optimizer.loadState(s.optimizer);
    this.logZOptimizer.loadState(s.logZOptimizer);
    this.logZ.initialised = s.logZInitialised;
    this.rng.loadState(s.rng);
    this.steps = s.steps;
    this.buffer.loadState(s.buffer);
  }

  async release(): Promise<void> {
    await this.sessions.clear();
  }
}
