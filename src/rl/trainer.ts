import { AdamW, clipGradNorm, type Graph, SessionCache } from "../engine/index.js";
import type { GenerateOptions, Generation, Policy } from "../models/index.js";
import { Rng } from "../util/rng.js";
import {
  type PackedBatch,
  type PackOptions,
  packBatch,
  packedFeeds,
  packedShape,
  padRows,
  rowSlice,
} from "./batch.js";
import { type PpoConfig, resolvePpoConfig } from "./config.js";
import { gae, whiten } from "./gae.js";
import {
  type KlController,
  type KlControllerState,
  klControllerFromState,
  makeKlController,
} from "./kl-controller.js";
import { accumulate, microBatchRows, type PpoChunkStats } from "./micro-batch.js";
import { buildExperienceGraph, buildReferenceGraph, buildTrainGraph } from "./ppo-graphs.js";
import { type PpoStatName, ppoStatNames } from "./ppo-loss.js";
import { klAndEntropySums, tokenRewards } from "./rewards.js";

/** One sampled response with what PPO needs from the rollout-time policy. */
export interface Rollout {
  prompt: string | number[]; // the seed prompt as given
  promptIds: number[];
  responseIds: number[]; // sampled ids, EOS / stop-sequence tokens included
  text: string;
  finishReason: Generation["finishReason"];
  logprobs: Float64Array; // [L] log pi(a_t), from the experience graph
  refLogprobs: Float64Array; // [L] log pi_ref(a_t)
  values: Float64Array; // [L] V(s_t), the value of the state before token t
  /** Summed over the response: log pi - log pi_ref (the KL term's estimator) and -log pi (sampled-token entropy). */
  kl: number;
  entropy: number;
}

export interface RolloutTimings {
  generateMs: number;
  experienceMs: number;
}

/** Means over the optimiser steps of one pass over the rollouts. */
export type PpoEpochStats = Record<PpoStatName, number> & { gradNorm: number };

export interface PpoStepResult {
  /** Per PPO pass (ppoEpochs of them). */
  passes: PpoEpochStats[];
  /** Per optimiser step, in order. */
  minibatches: PpoEpochStats[];
  /** Means over the passes. */
  loss: PpoEpochStats;
  meanScore: number;
  /** Mean over samples of the summed per-token reward (score + KL + entropy terms). */
  meanReward: number;
  /** Mean over samples of sum_t (log pi - log pi_ref), and of the k3 estimator sum_t (e^x - 1 - x) used by the controller. */
  meanKl: number;
  meanKlK3: number;
  /** Mean over samples of sum_t -log pi(a_t). */
  meanEntropy: number;
  meanResponseLength: number;
  /** KL coefficient used for this step's rewards, and after the controller's update. */
  klCoef: number;
  klCoefNext: number;
  perSample: { kl: number; entropy: number; reward: number; score: number }[];
  optimizerSteps: number;
  timings: { trainMs: number; totalMs: number };
}

export interface PpoTrainerState {
  version: 1;
  params: Record<string, Float32Array>;
  optimizer: Record<string, Float32Array | number>;
  kl: KlControllerState;
  rng: number;
  optimizerSteps: number;
  epochs: number;
}

export interface PpoTrainerOptions {
  config?: Partial<PpoConfig>;
}

interface ParamRef {
  name: string;
  data: Float32Array;
  shape: number[];
}

/** PPO with trlx 0.7 semantics over a policy (any model family) with a value head (see docs/ppo.md). */
export class PpoTrainer {
  readonly config: PpoConfig;
  private readonly params: ParamRef[];
  private readonly optimizer: AdamW;
  private kl: KlController;
  private readonly rng: Rng;
  private readonly sessions: SessionCache;
  private optimizerSteps = 0;
  private epochs = 0;

  constructor(
    readonly policy: Policy,
    opts: PpoTrainerOptions = {},
  ) {
    this.config = resolvePpoConfig(opts.config);
    this.params = policy.params();
    if (this.params.length === 0) throw new Error("PpoTrainer: the policy has no trainable parameters");
    if (!this.params.some((p) => p.name.startsWith("v_head."))) {
      throw new Error("PpoTrainer: the policy has no value head; load it with { valueHead: true }");
    }
    const c = this.config;
    this.optimizer = new AdamW({ lr: c.lr, betas: c.betas, eps: c.eps, weightDecay: c.weightDecay });
    this.kl = makeKlController({ initKlCoef: c.initKlCoef, target: c.klTarget, horizon: c.klHorizon });
    this.rng = new Rng(c.seed);
    this.sessions = new SessionCache({
      ...policy.sessionOptions,
      threads: c.threads ?? policy.sessionOptions.threads,
      maxEntries: c.maxSessions,
    });
  }

  get klCoef(): number {
    return this.kl.value;
  }

  // ---------------------------------------------------------------- rollouts
  /** Samples one response per seed prompt (in chunks of chunkSize); generation returns the policy log-probs and
   *  values of the sampled tokens, so only the reference forward runs, once per minibatch. */
  async rollout(
    seedPrompts: readonly (string | number[])[],
    genOpts: GenerateOptions,
  ): Promise<{ rollouts: Rollout[]; timings: RolloutTimings }> {
    if (seedPrompts.length === 0) throw new Error("PpoTrainer.rollout: no seed prompts given");
    const c = this.config;
    const t0 = performance.now();
    const gens: Generation[] = [];
    for (let i = 0; i < seedPrompts.length; i += c.chunkSize) {
      const chunk = seedPrompts.slice(i, i + c.chunkSize) as (string | number[])[];
      // the trainer's RNG drives sampling so that a run (and a resumed run) is reproducible
      gens.push(...(await this.policy.generate(chunk, { ...genOpts, seed: this.rng.seed() })));
    }
    gens.forEach((g, i) => {
      if (g.ids.length === 0) {
        throw new Error(`PpoTrainer.rollout: prompt ${i} produced no tokens; maxNewTokens must be >= 1`);
      }
    });
    const t1 = performance.now();
    const rollouts: Rollout[] = [];
    for (let i = 0; i < gens.length; i += c.batchSize) {
      const part = gens.slice(i, i + c.batchSize);
      // an empty prompt was fed as the start token (as generate() does)
      const start = this.policy.config.bosTokenId;
      const pairs = part.map((g) => ({
        promptIds: g.promptIds.length > 0 ? g.promptIds : [start],
        responseIds: g.ids,
      }));
      // the decoding graphs that sampled the tokens returned the policy's log-probs and values: only the
      // reference needs a forward
      const ref = await this.referenceLogprobs(pairs);
      part.forEach((g, j) => {
        const L = g.ids.length;
        if (g.values?.length !== L)
          throw new Error("PpoTrainer.rollout: generate() returned no values (the policy has no value head)");
        const logprobs = Float64Array.from(g.logprobs);
        const refLogprobs = rowSlice(ref.refLogprobs, ref.R, j, L);
        const { kl, entropy } = klAndEntropySums(logprobs, refLogprobs);
        rollouts.push({
          prompt: seedPrompts[i + j]!,
          promptIds: pairs[j]!.promptIds,
          responseIds: g.ids,
          text: g.text,
          finishReason: g.finishReason,
          logprobs,
          refLogprobs,
          values: Float64Array.from(g.values),
          kl,
          entropy,
        });
      });
    }
    return { rollouts, timings: { generateMs: t1 - t0, experienceMs: performance.now() - t1 } };
  }

  /** Policy log-probs, reference log-probs and values [B,R] for packed prompt+response pairs. */
  async experience(
    pairs: { promptIds: number[]; responseIds: number[] }[],
  ): Promise<{ logprobs: Float32Array; refLogprobs: Float32Array; values: Float32Array; R: number }> {
    const { r, R } = await this.runPacked("ppo-exp", buildExperienceGraph, pairs);
    return {
      logprobs: r.logprobs!.data as Float32Array,
      refLogprobs: r.ref_logprobs!.data as Float32Array,
      values: r.values!.data as Float32Array,
      R,
    };
  }

  /** Reference log-probs [B,R] alone (the experience graph's reference half). */
  async referenceLogprobs(
    pairs: { promptIds: number[]; responseIds: number[] }[],
  ): Promise<{ refLogprobs: Float32Array; R: number }> {
    const { r, R } = await this.runPacked("ppo-ref", buildReferenceGraph, pairs);
    return { refLogprobs: r.ref_logprobs!.data as Float32Array, R };
  }

  private async runPacked(
    kind: string,
    build: (policy: Policy, b: PackedBatch) => Graph,
    pairs: { promptIds: number[]; responseIds: number[] }[],
  ) {
    const c = this.config;
    const b = packBatch(pairs, {
      padId: this.policy.tokenizer.padId,
      bucket: c.bucket,
      responseBucket: c.responseBucket,
    });
    const session = await this.sessions.get(`${kind}:b${b.B}:p${b.P}:r${b.R}`, () => build(this.policy, b));
    return { r: await session.run(this.feeds(session.inputNames, b, {})), R: b.R };
  }

  // ---------------------------------------------------------------- PPO update
  /** Rewards (KL + entropy per token, score on the last token), GAE, whitening, then ppoEpochs passes of
   *  shuffled minibatches, each one optimiser step. `scores[i]` is the sequence-level score of rollouts[i]. */
  async step(rollouts: readonly Rollout[], scores: readonly number[]): Promise<PpoStepResult> {
    const c = this.config;
    const t0 = performance.now();
    if (rollouts.length === 0) throw new Error("PpoTrainer.step: no rollouts");
    if (scores.length !== rollouts.length) {
      throw new Error(
        `PpoTrainer.step: ${scores.length} scores for ${rollouts.length} rollouts; give one score per rollout`,
      );
    }
    scores.forEach((s, i) => {
      if (!Number.isFinite(s))
        throw new Error(`PpoTrainer.step: score ${i} is ${s}; scores must be finite numbers`);
    });

    const klCoef = this.kl.value;
    const n = rollouts.length;
    const adv: Float64Array[] = [];
    const ret: Float64Array[] = [];
    const perSample: PpoStepResult["perSample"] = [];
    let klK3 = 0;
    rollouts.forEach((ro, i) => {
      const r = tokenRewards(ro.logprobs, ro.refLogprobs, scores[i]!, {
        beta: klCoef,
        lambdaE: c.lambdaE,
        zeroShortResponses: c.zeroShortResponses,
      });
      const a = gae(r, ro.values, { gamma: c.gamma, lam: c.lam });
      adv.push(a.advantages);
      ret.push(a.returns);
      perSample.push({
        kl: ro.kl,
        entropy: ro.entropy,
        reward: r.reduce((x, y) => x + y, 0),
        score: scores[i]!,
      });
      for (let t = 0; t < ro.logprobs.length; t++) {
        const x = ro.logprobs[t]! - ro.refLogprobs[t]!;
        klK3 += Math.exp(x) - 1 - x;
      }
    });
    const meanKlK3 = klK3 / n;
    const whitenedAll = c.whitenScope === "rollouts" ? this.whitenMinibatch(adv) : undefined;

    // one shape for every minibatch of this step
    const minP = Math.max(...rollouts.map((r) => r.promptIds.length));
    const minR = Math.max(...rollouts.map((r) => r.responseIds.length));
    const tTrain = performance.now();
    const passes: PpoEpochStats[] = [];
    const minibatches: PpoEpochStats[] = [];
    for (let e = 0; e < c.ppoEpochs; e++) {
      const order = this.rng.permutation(n);
      const acc: PpoEpochStats[] = [];
      for (let s = 0; s < n; s += c.batchSize) {
        const idx = order.slice(s, s + c.batchSize);
        const mbAdv = whitenedAll
          ? idx.map((i) => whitenedAll[i]!)
          : this.whitenMinibatch(idx.map((i) => adv[i]!));
        acc.push(
          await this.optimizerStep(
            idx.map((i) => rollouts[i]!),
            mbAdv,
            idx.map((i) => ret[i]!),
            { minP, minR },
          ),
        );
      }
      passes.push(meanStats(acc));
      minibatches.push(...acc);
      // trlx: post_backward_callback after each pass, n_steps = batch size
      this.kl.update(meanKlK3, c.batchSize);
    }
    const trainMs = performance.now() - tTrain;
    this.epochs++;
    const mean = (f: (x: (typeof perSample)[number]) => number) =>
      perSample.reduce((a, x) => a + f(x), 0) / n;
    return {
      passes,
      minibatches,
      loss: meanStats(passes),
      meanScore: mean((x) => x.score),
      meanReward: mean((x) => x.reward),
      meanKl: mean((x) => x.kl),
      meanKlK3,
      meanEntropy: mean((x) => x.entropy),
      meanResponseLength: rollouts.reduce((a, r) => a + r.responseIds.length, 0) / n,
      klCoef,
      klCoefNext: this.kl.value,
      perSample,
      optimizerSteps: this.optimizerSteps,
      timings: { trainMs, totalMs: performance.now() - t0 },
    };
  }

  /** trlx whitening; a minibatch of a single token cannot be whitened (torch gives NaN): it is only centred. */
  private whitenMinibatch(rows: Float64Array[]): Float64Array[] {
    const width = Math.max(...rows.map((r) => r.length));
    const count = this.config.whitenPadding ? rows.length * width : rows.reduce((a, r) => a + r.length, 0);
    if (count < 2) return rows.map((r) => r.map(() => 0));
    return whiten(rows, this.config.whitenPadding ? { padTo: width } : {});
  }

  private async optimizerStep(
    rows: Rollout[],
    advantages: Float64Array[],
    returns: Float64Array[],
    shape: { minP: number; minR: number },
  ): Promise<PpoEpochStats> {
    const { stats, grads } = await this.minibatchGradients(rows, advantages, returns, shape);
    stats.gradNorm = clipGradNorm(grads, this.config.maxGradNorm ?? Number.POSITIVE_INFINITY);
    this.optimizer.step(
      this.params.map((p) => p.data),
      grads,
    );
    this.optimizerSteps++;
    return stats;
  }

  /** The PPO loss, its stats and d loss / d policy.params() (in params() order) for one minibatch, without
   *  updating anything. `advantages` are used as given (already whitened). The minibatch runs through the train
   *  graph in micro-batches of microBatchSize rows (see micro-batch.ts); the result is the whole minibatch's. */
  async minibatchGradients(
    rows: readonly Pick<Rollout, "promptIds" | "responseIds" | "logprobs" | "values">[],
    advantages: readonly ArrayLike<number>[],
    returns: readonly ArrayLike<number>[],
    shape: { minP?: number; minR?: number } = {},
  ): Promise<{ stats: PpoEpochStats; grads: Float32Array[] }> {
    const c = this.config;
    const pack = {
      padId: this.policy.tokenizer.padId,
      bucket: c.bucket,
      responseBucket: c.responseBucket,
      minP: shape.minP,
      minR: shape.minR,
      minB: c.batchSize,
    };
    const whole = packedShape(rows, pack);
    const u = microBatchRows(c.microBatchSize, c.batchSize, whole.T, this.policy.config);
    // the loss's denominators are the whole minibatch's: its valid tokens, and approxKl's B*R entries
    const counts = {
      token_count: Float32Array.of(rows.reduce((a, r) => a + r.responseIds.length, 0)),
      entry_count: Float32Array.of(whole.B * whole.R),
    };
    // every chunk packed exactly u rows wide (the last one padded) to the whole minibatch's P and R: one shape
    const opts = { ...pack, minP: whole.P, minR: whole.R, minB: u, batchBucket: 1 };
    const chunk = (from: number) =>
      this.chunkGradients(
        rows.slice(from, from + u),
        advantages.slice(from, from + u),
        returns.slice(from, from + u),
        opts,
        counts,
      );
    const sum = await chunk(0);
    for (let s = u; s < rows.length; s += u) accumulate(sum, await chunk(s));
    return { stats: { ...sum.stats, gradNorm: 0 }, grads: sum.grads };
  }

  /** One train-graph run: this chunk's share of the minibatch's loss stats and gradients. */
  private async chunkGradients(
    rows: readonly Pick<Rollout, "promptIds" | "responseIds" | "logprobs" | "values">[],
    advantages: readonly ArrayLike<number>[],
    returns: readonly ArrayLike<number>[],
    pack: PackOptions,
    counts: Record<"token_count" | "entry_count", Float32Array>,
  ): Promise<{ stats: PpoChunkStats; grads: Float32Array[] }> {
    const b = packBatch(rows, pack);
    const session = await this.sessions.get(`ppo-train:b${b.B}:p${b.P}:r${b.R}`, () =>
      buildTrainGraph(this.policy, b, this.params, this.config),
    );
    const extra: Record<string, Float32Array> = {
      old_logprobs: padRows(
        rows.map((r) => r.logprobs),
        b.B,
        b.R,
      ),
      old_values: padRows(
        rows.map((r) => r.values),
        b.B,
        b.R,
      ),
      advantages: padRows(advantages, b.B, b.R),
      returns: padRows(returns, b.B, b.R),
      mask: b.mask,
      ...counts,
    };
    const out = await session.run(this.feeds(session.inputNames, b, extra));
    const grads = this.params.map((_, i) => out[`grad_${i}`]!.data as Float32Array);
    const stats = {} as PpoChunkStats;
    for (const k of ppoStatNames) stats[k] = Number(out[k]!.data[0]);
    return { stats, grads };
  }

  private feeds(
    names: readonly string[],
    b: PackedBatch,
    extra: Record<string, Float32Array>,
  ): Record<string, Float32Array | BigInt64Array> {
    return packedFeeds(names, b, extra, this.params, "PpoTrainer");
  }

  // ---------------------------------------------------------------- resume
  /** Everything needed to continue exactly: params, AdamW moments and step, KL controller, RNG, counters. */
  state(): PpoTrainerState {
    return {
      version: 1,
      params: Object.fromEntries(this.params.map((p) => [p.name, p.data.slice()])),
      optimizer: this.optimizer.state(),
      kl: this.kl.state(),
      rng: this.rng.state(),
      optimizerSteps: this.optimizerSteps,
      epochs: this.epochs,
    };
  }

  loadState(s: PpoTrainerState): void {
    if (s.version !== 1)
      throw new Error(`PpoTrainer.loadState: unsupported state version ${s.version}; expected 1`);
    for (const p of this.params) {
      const v = s.params[p.name];
      if (!v)
        throw new Error(
          `PpoTrainer.loadState: the state has no parameter "${p.name}"; was it saved with the same trainable mode?`,
        );
      if (v.length !== p.data.length) {
        throw new Error(
          `PpoTrainer.loadState: parameter "${p.name}" has ${v.length} values, the policy needs ${p.data.length}`,
        );
      }
      p.data.set(v);
    }
    this.optimizer.loadState(s.optimizer);
    this.kl = klControllerFromState(s.kl);
    this.rng.loadState(s.rng);
    this.optimizerSteps = s.optimizerSteps;
    this.epochs = s.epochs;
  }

  async release(): Promise<void> {
    await this.sessions.clear();
  }
}

function meanStats(xs: PpoEpochStats[]): PpoEpochStats {
  const out = {} as PpoEpochStats;
  for (const k of [...ppoStatNames, "gradNorm"] as const)
    out[k] = xs.reduce((a, x) => a + x[k], 0) / xs.length;
  return out;
}
