// Benchmarks of the production training and sampling code on random models loaded from disk (bench/models.ts),
// shapes matching ../shared/bench/bench_ppo_torch.py (GPT-2) and scripts/fixtures/bench_ppo_families_torch.py
// (PyTorch + peft, any --model it lists: run it back to back with the same --model, --batch and --threads):
//   ppo-step   PpoTrainer.step on 64 rollouts of 44 prompt + 20 response tokens, one optimiser step (ppoEpochs 1,
//              batch 64): LoRA r 32 (alpha 16) on the family's default targets + value head, trlx's loss, AdamW.
//              The rollouts' log-probs and values come from PpoTrainer.experience (policy + reference forward +
//              value head over the same batch), timed as experience_s.
//   generate   DecoderPolicy.generate: 20 new tokens for 64 prompts of 44 tokens (temperature 0.7 + top-p 0.92,
//              and greedy).
// Each prints one JSON line: medians over --runs (default 3; the first run, which compiles, is reported apart),
// the process's peak RSS and start-up: process start to the first timed step.
//   npm run bench -- ppo-step [--model gpt2-small|small|qwen2.5-0.5b|qwen3-0.6b] [--layers N] [--batch 64]
//                   [--micro-batch auto|N]
//                   [--threads 2] [--runs 3] [--weights inputs|initializers] [--cache DIR] [--arena on|off] [--mem-pattern on|off]
//                   [--decode-weights initializers|inputs] (generate only: the one-token decoding graph's weights)
import {
  type DecoderConfig,
  microBatchRows,
  PpoTrainer,
  type Rollout,
  type SessionOptions,
  type WeightMode,
} from "../src/index.js";
import { Rng } from "../src/util/rng.js";
import {
  arg,
  loadBenchPolicy,
  median,
  modelConfig,
  modelName,
  peakRssMb,
  sinceStart,
  threadsArg,
  timeit,
} from "./models.js";

const LORA = { kind: "lora", r: 32, alpha: 16 } as const;

function sessionArgs(args: string[]): SessionOptions {
  const onOff = (name: string) => (arg(args, name) === undefined ? undefined : arg(args, name) !== "off");
  return {
    weights: (arg(args, "--weights") as WeightMode | undefined) ?? "inputs",
    cacheDir: arg(args, "--cache"),
    memArena: onOff("--arena"),
    memPattern: onOff("--mem-pattern"),
  };
}

/** The decoding graph's weight mode (DecoderPolicy's decodeWeights; default: its own default). */
const decodeWeightsArg = (args: string[]) => arg(args, "--decode-weights") as WeightMode | undefined;

const shapeOf = (cfg: DecoderConfig) => ({
  model_type: cfg.modelType,
  layers: cfg.layers,
  d: cfg.width,
  heads: cfg.heads,
  kv_heads: cfg.kvHeads,
  vocab: cfg.vocabSize,
});

/** Random prompt and response ids (no EOS, so every response has its full length). */
function randomPairs(vocab: number, eos: number, B: number, P: number, R: number, seed: number) {
  const rng = new Rng(seed);
  const id = () => {
    const t = rng.int(vocab - 1);
    return t >= eos ? t + 1 : t;
  };
  return Array.from({ length: B }, () => ({
    promptIds: Array.from({ length: P }, id),
    responseIds: Array.from({ length: R }, id),
  }));
}

async function ppoStep(args: string[]): Promise<void> {
  const name = modelName(args);
  const cfg = modelConfig(name);
  const B = Number(arg(args, "--batch") ?? 64);
  const runs = Number(arg(args, "--runs") ?? 3);
  const [P, R] = [44, 20];
  const policy = await loadBenchPolicy(name, {
    trainable: LORA,
    valueHead: true,
    threads: threadsArg(args),
    session: sessionArgs(args),
  });
  const loadedS = sinceStart();
  const micro = arg(args, "--micro-batch");
  const microBatchSize = micro === undefined || micro === "auto" ? null : Number(micro);
  const trainer = new PpoTrainer(policy, {
    config: { batchSize: B, chunkSize: B, ppoEpochs: 1, microBatchSize },
  });
  const pairs = randomPairs(cfg.vocabSize, policy.tokenizer.eosId, B, P, R, 1);
  const experience = () => trainer.experience(pairs);
  const t0 = performance.now();
  let exp = await experience();
  const firstExperienceS = (performance.now() - t0) / 1000;
  const rng = new Rng(2);
  const rollouts: Rollout[] = pairs.map((p, b) => {
    const row = (x: Float32Array) => Float64Array.from(x.subarray(b * exp.R, b * exp.R + R));
    const [logprobs, refLogprobs] = [row(exp.logprobs), row(exp.refLogprobs)];
    return {
      prompt: p.promptIds,
      ...p,
      text: "",
      finishReason: "length",
      logprobs,
      refLogprobs,
      values: row(exp.values),
      kl: logprobs.reduce((a, x, t) => a + x - refLogprobs[t]!, 0),
      entropy: -logprobs.reduce((a, x) => a + x, 0),
    };
  });
  const scores = rollouts.map(() => rng.next());
  const startupS = sinceStart();
  const steps = await timeit(() => trainer.step(rollouts, scores), runs + 1);
  const expT = await timeit(async () => {
    exp = await experience();
  }, runs);
  await Promise.all([trainer.release(), policy.release()]);
  console.log(
    JSON.stringify({
      bench: "ppo-step",
      model: name,
      shape: shapeOf(cfg),
      batch: B,
      micro_batch: microBatchRows(microBatchSize, B, P + R, cfg),
      prompt: P,
      response: R,
      lora_r: LORA.r,
      threads: threadsArg(args),
      session: sessionArgs(args),
      ppo_step_s: median(steps.runs.slice(1)),
      ppo_step_runs_s: steps.runs.slice(1),
      first_step_s: steps.runs[0],
      experience_s: expT.median,
      experience_runs_s: expT.runs,
      first_experience_s: firstExperienceS,
      load_s: loadedS,
      startup_s: startupS,
      peak_rss_mb: peakRssMb(),
    }),
  );
}

async function generate(args: string[]): Promise<void> {
  const name = modelName(args);
  const cfg = modelConfig(name);
  const B = Number(arg(args, "--batch") ?? 64);
  const runs = Number(arg(args, "--runs") ?? 3);
  const [P, N] = [44, 20];
  const policy = await loadBenchPolicy(name, {
    trainable: LORA,
    threads: threadsArg(args),
    session: sessionArgs(args),
    decodeWeights: decodeWeightsArg(args),
  });
  const loadedS = sinceStart();
  const prompts = randomPairs(cfg.vocabSize, policy.tokenizer.eosId, B, P, 0, 2).map((p) => p.promptIds);
  const sample = () =>
    policy.generate(prompts, { maxNewTokens: N, temperature: 0.7, topP: 0.92, topK: 0, seed: 0 });
  const greedy = () => policy.generate(prompts, { maxNewTokens: N, greedy: true });
  const startupS = sinceStart();
  const topP = await timeit(sample, runs + 1);
  const gr = await timeit(greedy, runs);
  await policy.release();
  console.log(
    JSON.stringify({
      bench: "generate",
      model: name,
      shape: shapeOf(cfg),
      batch: B,
      prompt: P,
      new_tokens: N,
      threads: threadsArg(args),
      session: sessionArgs(args),
      decode_weights: policy.decodeWeights,
      generate_top_p_s: median(topP.runs.slice(1)),
      generate_top_p_runs_s: topP.runs.slice(1),
      first_generate_s: topP.runs[0],
      generate_greedy_s: gr.median,
      generate_greedy_runs_s: gr.runs,
      load_s: loadedS,
      startup_s: startupS,
      peak_rss_mb: peakRssMb(),
    }),
  );
}

export const benchmarks = { "ppo-step": ppoStep, generate };
