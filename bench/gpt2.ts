// PPO-step and generation benchmarks on random weights made in memory. `--model` picks the shape: gpt2-small
// (default), small (a 4-layer d 256 GPT-2), qwen2.5-0.5b (24 layers, d 896, 14 heads / 2 KV heads, MLP 4864,
// vocab 151,936, tied; LoRA on the family's default q_proj + v_proj). PyTorch reference of the same workload:
// scripts/fixtures/bench_ppo_families_torch.py --model NAME.
//   ppo-step   one PPO-shaped update: batch 64 x 64 tokens, 20 response tokens, LoRA r 32 (alpha 16) on c_attn +
//              value head; LM head at the response positions only; clipped ratio + clipped value loss;
//              forward + backward + AdamW (lr 3e-5, betas 0.9/0.95, eps 1e-8, wd 1e-6). Also the reference
//              (adapter-off) forward giving the response log-probs.
//   generate   20 new tokens for 64 prompts of 44 tokens with the KV cache: temperature 0.7 + top-p 0.92, and greedy.
// Prints seconds (median of 3 after one warm-up) and peak RSS as JSON.
//   npm run bench -- ppo-step [--model gpt2-small|small|qwen2.5-0.5b] [--batch 64] [--threads 2]
import { AdamW, Graph, gradients } from "../src/engine/index.js";
import {
  type DecoderConfig,
  decoderConfig,
  FAMILIES,
  type Gpt2Config,
  Gpt2Policy,
  gpt2DecoderConfig,
  gpt2WeightShapes,
  type TextTokenizer,
  WeightStore,
} from "../src/models/index.js";
import { Rng } from "../src/util/rng.js";

const GPT2_SMALL: Gpt2Config = {
  vocabSize: 50257,
  nPositions: 1024,
  nEmbd: 768,
  nLayer: 12,
  nHead: 12,
  layerNormEpsilon: 1e-5,
  bosTokenId: 50256,
  eosTokenId: 50256,
};
const SMALL: Gpt2Config = { ...GPT2_SMALL, nEmbd: 256, nLayer: 4, nHead: 4 };

const QWEN25_05B: DecoderConfig = {
  ...decoderConfig("qwen2", {
    vocabSize: 151936,
    maxPositions: 32768,
    layers: 24,
    width: 896,
    heads: 14,
    kvHeads: 2,
    mlpWidth: 4864,
    tiedHead: true,
    bosTokenId: 151643,
    eosTokenIds: [151645],
  }),
  positions: { kind: "rope", theta: 1e6 },
};
const MODELS = { "gpt2-small": GPT2_SMALL, small: SMALL, "qwen2.5-0.5b": QWEN25_05B } as const;

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function config(args: string[]): Gpt2Config | DecoderConfig {
  const name = arg(args, "--model") ?? (args.includes("--small") ? "small" : "gpt2-small");
  if (!Object.hasOwn(MODELS, name)) {
    throw new Error(`--model ${name}: unknown; choose one of ${Object.keys(MODELS).join(", ")}`);
  }
  const cfg = MODELS[name as keyof typeof MODELS];
  const layers = arg(args, "--layers"); // fewer layers for a quick check of a shape
  if (layers === undefined) return cfg;
  return "nEmbd" in cfg ? { ...cfg, nLayer: Number(layers) } : { ...cfg, layers: Number(layers) };
}

/** GPT-2s as in bench_ppo_torch.py; other families like transformers' init: N(0, 0.02), zero biases, unit norms. */
function modelWeights(
  cfg: Gpt2Config | DecoderConfig,
  seed: number,
): WeightStore | Map<string, Float32Array> {
  if ("nEmbd" in cfg) return randomWeights(cfg, seed);
  const family = FAMILIES[cfg.modelType as keyof typeof FAMILIES];
  const rng = new Rng(seed);
  const store = new WeightStore();
  for (const [name, shape] of family.weightShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const init = family.init(name, cfg);
    store.set(name, {
      data: "fill" in init ? new Float32Array(n).fill(init.fill) : normal(n, init.std, rng),
      shape,
    });
  }
  return store;
}

const shapeOf = (cfg: Gpt2Config | DecoderConfig) => {
  const c = "nEmbd" in cfg ? gpt2DecoderConfig(cfg) : cfg;
  return {
    model_type: c.modelType,
    layers: c.layers,
    d: c.width,
    heads: c.heads,
    kv_heads: c.kvHeads,
    vocab: c.vocabSize,
  };
};

/** n draws of N(0, std^2), two per Box-Muller pair. */
function normal(n: number, std: number, seed: number | Rng): Float32Array {
  const rng = typeof seed === "number" ? new Rng(seed) : seed;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const t = 2 * Math.PI * rng.next();
    out[i] = r * Math.cos(t) * std;
    if (i + 1 < n) out[i + 1] = r * Math.sin(t) * std;
  }
  return out;
}

/** Random weights like bench_ppo_torch.py: N(0, 0.02) matrices, zero biases, unit LayerNorms. */
function randomWeights(cfg: Gpt2Config, seed: number): Map<string, Float32Array> {
  const rng = new Rng(seed);
  const w = new Map<string, Float32Array>();
  for (const [name, shape] of gpt2WeightShapes(cfg)) {
    const n = shape.reduce((a, b) => a * b, 1);
    if (/ln_\d\.weight|ln_f\.weight/.test(name)) w.set(name, new Float32Array(n).fill(1));
    else if (shape.length === 1) w.set(name, new Float32Array(n));
    else w.set(name, normal(n, name === "wpe.weight" ? 0.01 : 0.02, rng));
  }
  return w;
}

const idTokenizer = (cfg: Gpt2Config | DecoderConfig): TextTokenizer => {
  const eos = "nEmbd" in cfg ? cfg.eosTokenId : cfg.eosTokenIds[0]!;
  return {
    encode: () => {
      throw new Error("the benchmark feeds token ids");
    },
    decode: (ids) => ids.join(" "),
    eosId: eos,
    eosIds: [eos],
    padId: eos,
    bosId: null,
    addsBos: false,
    vocabSize: cfg.vocabSize,
    chatTemplate: null,
    tokenId: () => undefined,
  };
};

/** Median wall seconds of `runs` runs after `warmup`, and the median process CPU seconds (all threads). */
async function timeit(
  fn: () => Promise<unknown>,
  runs = 3,
  warmup = 1,
): Promise<{ median: number; runs: number[]; cpu: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const ts: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1e6);
    ts.push((performance.now() - t0) / 1000);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  return { median: median(ts), runs: ts, cpu: median(cpu) };
}

const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const threads = (args: string[]) => Number(args[args.indexOf("--threads") + 1]) || 2;

async function ppoStep(args: string[]): Promise<void> {
  const cfg = config(args);
  const B = Number(arg(args, "--batch") ?? 64);
  const S = 64;
  const R = 20;
  const Q = S - R;
  const start = Q - 1; // logprob index i predicts token i+1
  const tBuild = performance.now();
  const policy = Gpt2Policy.fromWeights(cfg, modelWeights(cfg, 0), idTokenizer(cfg), {
    trainable: { kind: "lora", r: 32, alpha: 16 },
    valueHead: true,
    threads: threads(args),
  });
  // LoRA B small and non-zero, as in the PyTorch script
  const rng = new Rng(1);
  for (const p of policy.params())
    if (p.name.endsWith("lora_B"))
      for (let i = 0; i < p.data.length; i++) p.data[i] = (rng.next() - 0.5) * 2e-3;
  const tokens = BigInt64Array.from({ length: B * S }, () => BigInt(rng.int(cfg.vocabSize)));
  const labels = new BigInt64Array(B * R);
  for (let b = 0; b < B; b++) for (let j = 0; j < R; j++) labels[b * R + j] = tokens[b * S + start + 1 + j]!;
  const rand = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
  const feeds = {
    input_ids: tokens,
    attention_mask: new BigInt64Array(B * S).fill(1n),
    position_ids: BigInt64Array.from({ length: B * S }, (_, i) => BigInt(i % S)),
    labels,
    old_logprobs: rand(B * R, () => -rng.next() * 3 - 8),
    old_values: rand(B * R, () => (rng.next() - 0.5) * 0.2),
    advantages: rand(B * R, () => rng.next() * 2 - 1),
    returns: rand(B * R, () => rng.next() - 0.5),
  };
  const build = (train: boolean) => () => {
    const g = new Graph();
    const ids = g.input("input_ids", "int64", [B, S]);
    const attentionMask = g.input("attention_mask", "int64", [B, S]);
    const positionIds = g.input("position_ids", "int64", [B, S]);
    const lab = g.input("labels", "int64", [B, R, 1]);
    // the reference forward is the base model: LoRA left out of the graph (as loraScale 0 would give)
    const h = policy.hidden(g, { ids, attentionMask, positionIds, reference: !train }); // [B,S,d]
    const hr = g.slice(h, [start], [start + R], [1]); // [B,R,d]
    const logp = g.reshape(g.gatherElements(g.logSoftmax(policy.lmHead(g, hr), -1), lab, 2), [B, R]); // [B,R]
    if (!train) {
      g.output("logprobs", logp);
      return g;
    }
    const values = policy.valueHead(g, hr); // [B,R]
    const oldLp = g.input("old_logprobs", "float32", [B, R]);
    const oldV = g.input("old_values", "float32", [B, R]);
    const adv = g.input("advantages", "float32", [B, R]);
    const ret = g.input("returns", "float32", [B, R]);
    const ratio = g.exp(g.sub(logp, oldLp));
    const pg = g.mean(
      g.maximum(g.mul(g.neg(adv), ratio), g.mul(g.neg(adv), g.clip(ratio, 0.8, 1.2))),
      [0, 1],
    );
    const vClipped = g.add(oldV, g.clip(g.sub(values, oldV), -0.2, 0.2));
    const vf = g.mul(
      g.mean(g.maximum(g.pow(g.sub(values, ret), 2), g.pow(g.sub(vClipped, ret), 2)), [0, 1]),
      0.5,
    );
    const loss = g.add(pg, vf);
    g.output("loss", loss);
    const grads = gradients(loss, policy.paramTensors(g));
    for (const [i, p] of policy.params().entries()) g.output(`grad.${p.name}`, grads[i]!);
    return g;
  };
  const opt = new AdamW({ lr: 3e-5, betas: [0.9, 0.95], eps: 1e-8, weightDecay: 1e-6 });
  const params = policy.params();
  const step = async () => {
    const r = await policy.runCached("bench:ppo", build(true), feeds);
    opt.step(
      params.map((p) => p.data),
      params.map((p) => r[`grad.${p.name}`]!.data as Float32Array),
    );
  };
  const ref = () => policy.runCached("bench:ref", build(false), feeds);
  await step();
  await ref();
  const setupS = (performance.now() - tBuild) / 1000;
  const ppo = await timeit(step, 3, 0);
  const refT = await timeit(ref, 3, 0);
  await policy.release();
  console.log(
    JSON.stringify({
      bench: "ppo-step",
      shape: {
        ...shapeOf(cfg),
        batch: B,
        seq: S,
        response: R,
        lora_r: 32,
      },
      threads: threads(args),
      ppo_step_s: ppo.median,
      ppo_step_runs_s: ppo.runs,
      ppo_step_cpu_s: ppo.cpu,
      ref_forward_s: refT.median,
      ref_forward_runs_s: refT.runs,
      ref_forward_cpu_s: refT.cpu,
      setup_and_warmup_s: setupS,
      peak_rss_mb: peakRssMb(),
    }),
  );
}

async function generate(args: string[]): Promise<void> {
  const cfg = config(args);
  const B = 64;
  const P = 44;
  const N = 20;
  const t0 = performance.now();
  const policy = Gpt2Policy.fromWeights(cfg, modelWeights(cfg, 0), idTokenizer(cfg), {
    trainable: { kind: "lora", r: 32, alpha: 16 },
    threads: threads(args),
  });
  const rng = new Rng(2);
  const prompts = Array.from({ length: B }, () =>
    Array.from({ length: P }, () => rng.int(cfg.vocabSize - 1)),
  );
  const sample = () =>
    policy.generate(prompts, { maxNewTokens: N, temperature: 0.7, topP: 0.92, topK: 0, seed: 0 });
  const greedy = () => policy.generate(prompts, { maxNewTokens: N, greedy: true });
  await sample();
  const setupS = (performance.now() - t0) / 1000;
  const topP = await timeit(sample, 3, 0);
  const gr = await timeit(greedy, 3, 1);
  await policy.release();
  console.log(
    JSON.stringify({
      bench: "generate",
      shape: { ...shapeOf(cfg), batch: B, prompt: P, new_tokens: N },
      threads: threads(args),
      generate_top_p_s: topP.median,
      generate_top_p_runs_s: topP.runs,
      generate_top_p_cpu_s: topP.cpu,
      generate_greedy_s: gr.median,
      generate_greedy_runs_s: gr.runs,
      generate_greedy_cpu_s: gr.cpu,
      setup_and_warmup_s: setupS,
      peak_rss_mb: peakRssMb(),
    }),
  );
}

export const benchmarks = { "ppo-step": ppoStep, generate };
