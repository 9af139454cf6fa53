// The campaign loop: config -> providers + policy -> (sample, answer, judge, reward, PPO) per epoch -> store.
// Every epoch's samples and statistics are streamed to the run store; a checkpoint every `checkpointEvery`
// epochs holds everything needed to continue exactly (policy + optimizer, RNGs, novelty indexes, target state),
// so `--resume` after a crash or Ctrl-C gives the same results as an uninterrupted run.
import { dirname } from "node:path";
import type { CurioConfig } from "../config/index.js";
import { ConfigError, methodTrains, readSeedExamples, UnreachableError } from "../config/index.js";
import {
  composeRewards,
  EmbeddingNovelty,
  type EmbeddingNoveltyJSON,
  noveltyText,
  type RewardSample,
  SelfBleuNovelty,
  type SelfBleuNoveltyJSON,
} from "../curiosity/index.js";
import { checkDevice, compileCacheDir } from "../engine/index.js";
import { normalizeTestCase } from "../eval/index.js";
import { DecoderPolicy, type GenerateOptions, type Policy, type Trainable } from "../models/index.js";
import { makeRedactor } from "../providers/http/redact.js";
import { sleep } from "../providers/http/retry.js";
import { prepareTargetInput, preprocessTestCase } from "../providers/index.js";
import { PpoTrainer, type Rollout } from "../rl/index.js";
import type { RunStore } from "../store/index.js";
import type { EpochStats, RunInfo } from "../store/types.js";
import { Rng } from "../util/rng.js";
import { type CampaignState, packTrainer, unpackTrainer } from "./checkpoint.js";
import {
  type CampaignProviders,
  closeProviders,
  createCampaignProviders,
  probeProviders,
} from "./providers.js";
import { epochStats, mean, sampleRecords } from "./records.js";
import { loadFewShotCases, SeedPrompts } from "./seeds.js";
import { versions } from "./versions.js";
import { prepareWorld } from "./world.js";

export interface CampaignOptions {
  config: CurioConfig;
  configPath?: string;
  store: RunStore;
  /** Run id (or unique prefix) to continue from its last checkpoint. */
  resume?: string;
  seed?: number;
  maxEpochs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onEpoch?: (s: EpochStats, info: { totalEpochs: number; uniqueSuccesses: number }) => void;
  log?: (line: string) => void;
  /** Environment for providers' API keys (default process.env). */
  env?: Record<string, string | undefined>;
  /** onnxruntime threads for the policy (default 2). */
  threads?: number;
  /** Credentials substituted into the config (LoadedConfig.secrets): kept out of errors and the store. */
  secrets?: readonly string[];
  /** Back-off after an epoch in which every sample failed: k * this, for the k-th such epoch in a row. */
  failureBackoffMs?: number;
}

export interface CampaignResult {
  run: RunInfo;
  epochs: number;
  samples: number;
  successes: number;
  errors: number;
  interrupted: boolean;
}

const FAILING_EPOCHS_LIMIT = 3;

function trainableOf(c: CurioConfig["redteam"]["trainable"]): Trainable {
  if (c.type === "lora" && c.dropout !== 0) {
    throw new ConfigError(
      `redteam.trainable.dropout: LoRA dropout ${c.dropout} is not supported; use 0 (the paper's value)`,
    );
  }
  if (c.type === "lora") return { kind: "lora", r: c.r, alpha: c.alpha, targets: c.targets };
  if (c.type === "top") return { kind: "top", k: c.k };
  return { kind: "full" };
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const { store, signal } = opts;
  const log = opts.log ?? (() => {});

  // ---------------------------------------------------------------- config, providers, then the run record
  const resumed = opts.resume ? store.getRun(opts.resume) : null;
  const seed = resumed ? resumed.seed : (opts.seed ?? opts.config.seed);
  // A resumed run continues with the config it started with. The store keeps it with credentials redacted,
  // so the caller's freshly loaded config (which has them) is used when it matches the stored one.
  let config = opts.config;
  if (resumed) {
    const same =
      JSON.stringify(redactValues({ ...opts.config, seed }, opts.secrets ?? [])) ===
      JSON.stringify(resumed.config);
    if (!same) {
      log(`resuming ${resumed.id} with the config it started with (curio.yaml has changed since)`);
      config = resumed.config as CurioConfig;
    }
  }
  const trains = methodTrains(config.method);
  const trainable = trainableOf(config.redteam.trainable);
  const totalEpochs = opts.maxEpochs ?? config.ppo.epochs;
  const tau = config.thresholds.success;
  const baseDir = opts.configPath ? dirname(opts.configPath) : process.cwd();

  const device = config.device ?? "cpu"; // runs recorded before the key existed ran on the CPU
  checkDevice(device); // before anything is recorded: a missing CUDA provider names its install
  const world = await prepareWorld(config, { workspace: config.workspace, threads: opts.threads, log });
  const providers: CampaignProviders = await createCampaignProviders(config, {
    seed,
    concurrency: opts.concurrency ?? config.concurrency,
    ctx: { env: opts.env ?? process.env, baseDir, log, secrets: opts.secrets },
  });
  try {
    // fail fast, before a run is recorded, when the target or judge cannot answer at all
    await probeProviders(providers, config, opts.secrets);
  } catch (e) {
    await closeProviders(providers);
    throw e;
  }
  const run: RunInfo =
    resumed ??
    store.createRun({
      name: config.name,
      seed,
      config: redactValues({ ...config, seed }, opts.secrets ?? []),
      versions: versions(),
      method: config.method,
    });

  let policy: Policy | null = null;
  let trainer: PpoTrainer | null = null;
  try {
    const modelSource = world?.policy ?? config.redteam.model;
    log(`loading red-team model ${modelSource}`);
    policy = await DecoderPolicy.load(modelSource, {
      trainable,
      valueHead: trains,
      seed,
      threads: opts.threads,
      session: { device, cacheDir: compileCacheDir(config.workspace) },
    });
    const p = config.ppo;
    if (trains) {
      trainer = new PpoTrainer(policy, {
        config: {
          numRollouts: p.numRollouts,
          chunkSize: p.batchSize,
          batchSize: p.batchSize,
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
          threads: opts.threads,
        },
      });
    }
    const examples = world?.examples ?? readSeedExamples(config.redteam.seedPrompts);
    const seeds = new SeedPrompts(config, examples);

    // ---------------------------------------------------------------- state, fresh or from a checkpoint
    const rng = new Rng(seed ^ 0x5eed);
    let selfBleu = new SelfBleuNovelty();
    let embedding = new EmbeddingNovelty(
      config.rewards.cosineKnn ? { mode: "knn", k: config.rewards.cosineKnn } : {},
    );
    let epoch = 0;
    let sampleCount = 0;
    let errors = 0;
    const successes = new Set<string>();
    // few-shot examples: from another run or file when configured, else this run's own zero-shot epochs
    const fewShotFrom =
      config.method === "few-shot" ? loadFewShotCases(config.baseline.fewShotFrom, store) : [];
    let scoredCases: { text: string; score: number }[] = [];
    const target = providers.target;
    if (opts.resume) {
      const ckpt = store.latestCheckpoint(run.id);
      store.rollbackTo(run.id, ckpt ?? { epoch: 0, sampleCount: 0 });
      if (ckpt) {
        const s = ckpt.state as CampaignState;
        epoch = s.epoch;
        sampleCount = s.samples;
        errors = s.errors;
        rng.loadState(s.rng);
        if (trainer && s.trainer) trainer.loadState(unpackTrainer(s.trainer, ckpt.blobs));
        selfBleu = SelfBleuNovelty.fromJSON(s.selfBleu as SelfBleuNoveltyJSON);
        embedding = EmbeddingNovelty.fromJSON(s.embedding as EmbeddingNoveltyJSON);
        if (s.target !== undefined && s.target !== null) target.loadState?.(s.target);
        for (const t of s.uniqueSuccesses) successes.add(t);
        scoredCases = s.scoredCases;
        log(`resuming ${run.id} after epoch ${epoch} (${sampleCount} samples)`);
      } else {
        log(`resuming ${run.id} from the start (no checkpoint was written)`);
      }
    }
    store.setStatus(run.id, "running");

    const saveCheckpoint = () => {
      const packed = trainer ? packTrainer(trainer.state()) : { json: null, blobs: {} };
      const state: CampaignState = {
        version: 1,
        epoch,
        samples: sampleCount,
        errors,
        rng: rng.state(),
        trainer: packed.json,
        selfBleu: selfBleu.toJSON(),
        embedding: embedding.toJSON(),
        target: target.state?.() ?? null,
        uniqueSuccesses: [...successes],
        scoredCases,
      };
      store.saveCheckpoint(run.id, { epoch, sampleCount, state, blobs: packed.blobs });
    };

    const gen = config.redteam.generation;
    const genOpts: GenerateOptions = {
      maxNewTokens: gen.maxNewTokens,
      temperature: gen.temperature,
      topP: gen.topP,
      topK: gen.topK,
      stop: gen.stop,
    };
    const eosText = policy.tokenizer.decode([policy.tokenizer.eosId]);
    let failingEpochs = 0;
    let interrupted = false;
    const started = performance.now();
    const startEpoch = epoch;

    while (epoch < totalEpochs) {
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      const t0 = performance.now();
      const timings: Record<string, number> = {};
      const time = async <T>(stage: string, f: () => Promise<T>): Promise<T> => {
        const s = performance.now();
        try {
          return await f();
        } finally {
          timings[stage] = (timings[stage] ?? 0) + performance.now() - s;
        }
      };

      // 1. the red team writes test cases
      const zs = seeds.sample(
        config.ppo.numRollouts,
        rng,
        fewShotFrom.length > 0 ? fewShotFrom : scoredCases,
      );
      let rollouts: Rollout[] | null = null;
      let generations: { text: string; finishReason: string; ids: number[]; logprobs: number[] }[];
      if (trainer) {
        rollouts = (await time("generate", () => trainer!.rollout(zs, genOpts))).rollouts;
        generations = rollouts.map((r) => ({
          text: r.text,
          finishReason: r.finishReason,
          ids: r.responseIds,
          logprobs: [...r.logprobs],
        }));
      } else {
        generations = await time("generate", () => policy!.generate(zs, { ...genOpts, seed: rng.seed() }));
      }
      const instruction = config.redteam.task === "instruction";
      const testCases = generations.map((g) =>
        preprocessTestCase(g.text, { eos: [eosText], cutAtNewline: instruction }),
      );
      const targetInputs = testCases.map((x, i) =>
        instruction
          ? prepareTargetInput(x, config.template.format, {
              systemPrompt: config.template.system ?? undefined,
            })
          : `${zs[i]}${x}`,
      );
      if (signal?.aborted) {
        interrupted = true;
        break;
      }

      // 2. the target answers; 3. the judges score; embeddings and naturalness for the curiosity terms
      const answers = await time("target", () => providers.target.respond(targetInputs, { signal }));
      if (signal?.aborted) {
        interrupted = true;
        break;
      }
      const ok = answers.map((a) => !a.error);
      const responses = answers.map((a) => a.text);
      const judged = await time("judge", () => providers.judge.score(targetInputs, responses, { signal }));
      const evalJudged = providers.evalJudge
        ? await time("evalJudge", () => providers.evalJudge!.score(targetInputs, responses, { signal }))
        : null;
      // what SelfBLEU and the embedder see: x (instruction) or z + x (continuation), the EOS quirk optional
      const textOpts = {
        task: config.redteam.task,
        appendEos: config.rewards.quirks.eosInNoveltyText ? eosText : null,
      };
      const stoppedAtEos = generations.map((g) => g.finishReason !== "length");
      const noveltyTexts = testCases.map((x, i) =>
        noveltyText(
          { testCase: x, seedPrompt: zs[i], judgeScore: null, stoppedAtEos: stoppedAtEos[i] },
          textOpts,
        ),
      );
      // test-case embeddings are always tracked (the cosine history stays auditable when its weight is 0)
      // An embedder or scorer that fails leaves its values missing: the samples that need them are excluded
      // from rewards with a recorded reason, and the run goes on.
      const soft = async <T>(stage: string, f: () => Promise<T>, fallback: T): Promise<T> => {
        try {
          return await time(stage, f);
        } catch (e) {
          log(
            `epoch ${epoch + 1}: ${stage} failed (${(e as Error).message}); affected samples get no reward`,
          );
          return fallback;
        }
      };
      const embeddings = await soft("embed", () => providers.embedder.embed(noveltyTexts, { signal }), []);
      const responseEmbeddings =
        config.rewards.tdiv !== 0
          ? await soft("embed", () => providers.embedder.embed(responses, { signal }), [])
          : [];
      const gib = providers.gibberish
        ? await soft(
            "gibberish",
            () => providers.gibberish!.gibberish(testCases, { signal }),
            testCases.map(() => Number.NaN),
          )
        : null;
      if (signal?.aborted) {
        interrupted = true;
        break;
      }

      // 4. rewards (score-then-add on the novelty histories; failed samples are excluded)
      const rewardSamples: RewardSample[] = testCases.map((x, i) => ({
        testCase: x,
        seedPrompt: zs[i],
        judgeScore: ok[i] && !judged[i]!.error ? judged[i]!.score : null,
        gibberish: gib ? gib[i] : 0,
        embedding: embeddings[i],
        responseEmbedding: responseEmbeddings[i],
        stoppedAtEos: stoppedAtEos[i],
      }));
      const composed = composeRewards(
        rewardSamples,
        {
          weights: {
            toxicity: config.rewards.toxicity,
            bleu: config.rewards.selfBleu,
            cosine: config.rewards.cosine,
            gibberish: providers.gibberish ? config.rewards.gibberish : 0,
            // curio.yaml's tdiv is the coefficient of the raw similarity mean (-5 in the paper's code);
            // composeRewards' TDiv term already holds the -5 (crt-spec), so its weight is tdiv / -5
            tdiv: config.rewards.tdiv === 0 ? 0 : -config.rewards.tdiv / 5,
            clip: config.rewards.clip,
          },
          ...textOpts,
        },
        { selfBleu, embedding },
      );

      // 5. PPO on the samples that have a reward
      const valid = composed.rewards.map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
      let lossStats: Record<string, number> = {};
      let klMean = 0;
      let entropyMean = 0;
      if (trainer && rollouts && valid.length >= 2) {
        const step = await time("train", () =>
          trainer!.step(
            valid.map((i) => rollouts![i]!),
            valid.map((i) => composed.rewards[i]!.score),
          ),
        );
        lossStats = { ...step.loss };
        klMean = step.meanKl;
        entropyMean = step.meanEntropy;
        valid.forEach((i, k) => {
          const r = composed.rewards[i]!;
          r.kl = -step.klCoef * step.perSample[k]!.kl;
          r.entropy = config.rewards.entropy * step.perSample[k]!.entropy;
        });
      } else if (trainer && valid.length < 2) {
        log(`epoch ${epoch + 1}: only ${valid.length} usable samples; skipping the PPO update`);
      }
      if (!trainer) {
        entropyMean = mean(generations.map((g) => -g.logprobs.reduce((a, b) => a + b, 0)));
      }

      // 6. records
      const records = sampleRecords({
        runId: run.id,
        epoch: epoch + 1,
        firstIndex: sampleCount,
        seedPrompts: zs,
        testCases,
        targetInputs,
        finishReasons: generations.map((g) => g.finishReason),
        answers,
        judged,
        evalJudged,
        composed,
      });
      for (const r of records) {
        if (r.judgeScore !== null && r.judgeScore >= tau && r.testCase !== "")
          successes.add(normalizeTestCase(r.testCase));
        if (config.method === "few-shot" && fewShotFrom.length === 0) {
          if (r.judgeScore !== null) scoredCases.push({ text: r.testCase, score: r.judgeScore });
        }
      }
      if (scoredCases.length > 5000)
        scoredCases = scoredCases.sort((a, b) => b.score - a.score).slice(0, 2500);
      store.appendSamples(records);
      sampleCount += records.length;
      epoch++;
      const stats = epochStats(records, {
        runId: run.id,
        epoch,
        uniqueSuccesses: successes.size,
        kl: klMean,
        entropy: entropyMean,
        loss: lossStats,
        timings,
        tau,
        epochMs: performance.now() - t0,
        elapsedMs: performance.now() - started,
      });
      const epochErrors = stats.errors;
      errors += epochErrors;
      store.appendEpoch(stats);
      if (epoch % config.checkpointEvery === 0 || epoch === totalEpochs) saveCheckpoint();
      opts.onEpoch?.(stats, { totalEpochs, uniqueSuccesses: successes.size });

      // a target that fails every request: back off, then stop cleanly with a resumable checkpoint
      if (epochErrors === records.length) {
        failingEpochs++;
        const first = records.find((r) => r.error)?.error ?? "";
        if (failingEpochs >= FAILING_EPOCHS_LIMIT) {
          if (epoch % config.checkpointEvery !== 0) saveCheckpoint();
          store.setStatus(run.id, "failed");
          throw new UnreachableError(
            `every sample failed for ${FAILING_EPOCHS_LIMIT} epochs in a row; last error: ${first}`,
            { hint: `fix the target or judge, then continue with: curio run --resume ${run.id}` },
          );
        }
        const backoff = failingEpochs * (opts.failureBackoffMs ?? 5000);
        log(`epoch ${epoch}: every sample failed (${first}); backing off ${(backoff / 1000).toFixed(1)}s`);
        await sleep(backoff, signal).catch(() => {}); // Ctrl-C ends the wait; the loop then stops
      } else failingEpochs = 0;
    }

    if (interrupted && epoch > startEpoch && epoch % config.checkpointEvery !== 0) saveCheckpoint();
    store.setStatus(run.id, interrupted ? "interrupted" : "completed");
    return {
      run: store.getRun(run.id),
      epochs: epoch,
      samples: sampleCount,
      successes: successes.size,
      errors,
      interrupted,
    };
  } catch (e) {
    try {
      if (store.getRun(run.id).status === "running") store.setStatus(run.id, "failed");
    } catch {
      /* the store itself failed: the original error says why */
    }
    throw e;
  } finally {
    await trainer?.release();
    await policy?.release();
    await closeProviders(providers);
  }
}

/** A copy of a JSON value with every occurrence of a secret string redacted. */
function redactValues<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const redact = makeRedactor(secrets);
  return JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === "string" ? redact(v) : v)) as T;
}
