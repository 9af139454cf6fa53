// Engine benchmarks on the real model graphs: two session settings A/B per graph kind. `--compare weights` (the
// default): frozen weights as per-session initializers (which onnxruntime prepacks) vs graph inputs shared by
// every session (curio's default); `--compare memory`: onnxruntime's memory arena and memory patterns on vs off
// (curio's default). Graph kinds:
//   prefill     the generation prompt pass (64 prompts of 44 tokens; LM head at the last position)
//   decode      one KV-cache decoding step (64 rows), from generate() with 20 and with 1 new tokens
//   experience  PpoTrainer.experience: policy + reference forward + value head, 64 x 64 tokens
//   train       the PPO forward + backward (PpoTrainer.minibatchGradients), 64 x 64 tokens, LoRA r 32
// Both settings run interleaved in one process; the figure is the median of --runs (default 5) after a warm-up.
// Also a 512x768x3072 matmul in GFLOP/s.
//   npm run bench -- engine [--compare weights|memory] [--model gpt2-small] [--kinds prefill,decode,experience,train]
//                           [--runs 5] [--threads 2]
import {
  type DecoderPolicy,
  Graph,
  PpoTrainer,
  Session,
  type SessionOptions,
  type WeightMode,
} from "../src/index.js";
import { Rng } from "../src/util/rng.js";
import { arg, loadBenchPolicy, median, modelName, peakRssMb, threadsArg } from "./models.js";

type Setting = { session: SessionOptions; decodeWeights?: WeightMode };
const COMPARE: Record<string, Record<string, Setting>> = {
  // every graph, the decoding one included, with the one weight mode
  weights: {
    initializers: { session: { weights: "initializers" }, decodeWeights: "initializers" },
    inputs: { session: { weights: "inputs" }, decodeWeights: "inputs" },
  },
  memory: {
    arena_and_patterns: { session: { memArena: true, memPattern: true } },
    neither: { session: { memArena: false, memPattern: false } },
  },
};
const [B, P, R] = [64, 44, 20];

interface Setup {
  label: string;
  policy: DecoderPolicy;
  trainer: PpoTrainer;
}

function workloads(vocab: number) {
  const rng = new Rng(3);
  const ids = (n: number) => Array.from({ length: n }, () => 1 + rng.int(vocab - 2));
  const prompts = Array.from({ length: B }, () => ids(P));
  const pairs = prompts.map((p) => ({ promptIds: p, responseIds: ids(R) }));
  const rows = pairs.map((p) => ({
    ...p,
    logprobs: new Float64Array(R).fill(-5),
    values: new Float64Array(R),
  }));
  const adv = rows.map(() => Float64Array.from({ length: R }, () => rng.next() - 0.5));
  const gen = (s: Setup, n: number) => s.policy.generate(prompts, { maxNewTokens: n, greedy: true });
  return {
    prefill: (s: Setup) => gen(s, 1),
    decode: (s: Setup) => gen(s, R),
    experience: (s: Setup) => s.trainer.experience(pairs),
    train: (s: Setup) => s.trainer.minibatchGradients(rows, adv, adv),
  };
}
type Kind = keyof ReturnType<typeof workloads>;

/** Median seconds per setting of `runs` interleaved runs, after one warm-up (which compiles) each. */
async function interleaved(setups: Setup[], f: (s: Setup) => Promise<unknown>, runs: number) {
  const times = setups.map(() => [] as number[]);
  for (const s of setups) await f(s);
  for (let r = 0; r < runs; r++) {
    for (const [i, s] of setups.entries()) {
      const t0 = performance.now();
      await f(s);
      times[i]!.push((performance.now() - t0) / 1000);
    }
  }
  return times.map(median);
}

async function graphKinds(args: string[]): Promise<void> {
  const name = modelName(args);
  const runs = Number(arg(args, "--runs") ?? 5);
  const kinds = (arg(args, "--kinds") ?? "prefill,decode,experience,train").split(",") as Kind[];
  const compare = arg(args, "--compare") ?? "weights";
  if (!Object.hasOwn(COMPARE, compare))
    throw new Error(`--compare ${compare}: unknown; use ${Object.keys(COMPARE).join(" or ")}`);
  const setups: Setup[] = [];
  for (const [label, setting] of Object.entries(COMPARE[compare]!)) {
    const policy = await loadBenchPolicy(name, {
      trainable: { kind: "lora", r: 32, alpha: 16 },
      valueHead: true,
      threads: threadsArg(args),
      ...setting,
    });
    setups.push({
      label,
      policy,
      trainer: new PpoTrainer(policy, { config: { batchSize: B, chunkSize: B } }),
    });
  }
  const work = workloads(setups[0]!.policy.config.vocabSize);
  const seconds: Partial<Record<Kind, number[]>> = {};
  for (const kind of kinds) {
    if (!(kind in work))
      throw new Error(`--kinds: unknown kind "${kind}"; use ${Object.keys(work).join(",")}`);
    seconds[kind] = await interleaved(setups, work[kind], runs);
    if (kind === "decode") {
      // one decoding step: (20 new tokens - 1 new token) / 19
      const prefill = seconds.prefill ?? (await interleaved(setups, work.prefill, runs));
      seconds.decode = seconds.decode!.map((t, i) => (t - prefill[i]!) / (R - 1));
    }
    for (const s of setups) await Promise.all([s.policy.release(), s.trainer.release()]); // free this kind's memory
    const [a, b] = seconds[kind]!;
    const [la, lb] = setups.map((s) => s.label) as [string, string];
    console.log(
      JSON.stringify({
        bench: "engine",
        model: name,
        kind,
        [`${la}_s`]: a,
        [`${lb}_s`]: b,
        [`${lb}_over_${la}`]: b! / a!,
      }),
    );
  }
  console.log(JSON.stringify({ bench: "engine", model: name, compare, runs, peak_rss_mb: peakRssMb() }));
}

async function matmul(threads: number): Promise<void> {
  const [m, k, n] = [512, 768, 3072];
  const g = new Graph();
  const a = g.input("a", "float32", [m, k]);
  const w = g.input("w", "float32", [k, n]);
  g.output("s", g.sum(g.matmul(a, w), [])); // a scalar out: keep the output copy off the clock
  const s = await Session.create(g, { threads });
  const rng = new Rng(4);
  const rand = (len: number) => Float32Array.from({ length: len }, () => rng.next() - 0.5);
  const feeds = { a: rand(m * k), w: rand(k * n) };
  const times: number[] = [];
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now();
    await s.run(feeds);
    if (i > 0) times.push(performance.now() - t0);
  }
  const ms = median(times);
  console.log(
    JSON.stringify({ bench: "matmul", shape: [m, k, n], threads, ms, gflops: (2 * m * k * n) / ms / 1e6 }),
  );
  await s.release();
}

export const benchmarks = {
  engine: async (args: string[]) => {
    await matmul(threadsArg(args));
    await graphKinds(args);
  },
};
