// Engine micro benchmarks: `npm run bench -- engine [batch] [threads] [optimisation level]`.
// 1. one GPT-2-small-shaped block (d 768, 12 heads, batch x 64 tokens): forward + backward for every weight;
// 2. a 512x768x3072 matmul in GFLOP/s.
import { Graph, gradients, Session, type Tensor } from "../src/engine/index.js";

const D = 768;
const HEADS = 12;

function randn(n: number, scale: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 4294967296 - 0.5) * 2 * scale;
  }
  return out;
}

/** Pre-LN GPT-2 block: x + attn(ln1(x)), then + mlp(ln2(.)); every weight a trainable param. */
export function gpt2Block(g: Graph, x: Tensor, b: number, t: number): { y: Tensor; params: Tensor[] } {
  const hd = D / HEADS;
  const p = (name: string, shape: number[]) => g.param(name, shape);
  const [ln1g, ln1b, wqkv, bqkv, wo, bo, ln2g, ln2b, wfc, bfc, wproj, bproj] = [
    p("ln_1.weight", [D]),
    p("ln_1.bias", [D]),
    p("attn.c_attn.weight", [D, 3 * D]),
    p("attn.c_attn.bias", [3 * D]),
    p("attn.c_proj.weight", [D, D]),
    p("attn.c_proj.bias", [D]),
    p("ln_2.weight", [D]),
    p("ln_2.bias", [D]),
    p("mlp.c_fc.weight", [D, 4 * D]),
    p("mlp.c_fc.bias", [4 * D]),
    p("mlp.c_proj.weight", [4 * D, D]),
    p("mlp.c_proj.bias", [D]),
  ] as const;
  const qkv = g.linear(g.layerNorm(x, ln1g, ln1b), wqkv, bqkv); // [B,T,3D]
  const heads = (u: Tensor) => g.transpose(g.reshape(u, [b, t, HEADS, hd]), [0, 2, 1, 3]); // [B,H,T,hd]
  const [q, k, v] = g.split(qkv, [D, D, D], -1).map(heads) as [Tensor, Tensor, Tensor];
  const causal = g.constant(
    Array.from({ length: t * t }, (_, i) => (i % t <= Math.floor(i / t) ? 1 : 0)),
    [t, t],
    "bool",
  );
  const scores = g.mul(g.matmul(q, k, { transB: true }), 1 / Math.sqrt(hd)); // [B,H,T,T]
  const att = g.softmax(g.where(causal, scores, -1e4));
  const merged = g.reshape(g.transpose(g.matmul(att, v), [0, 2, 1, 3]), [b, t, D]); // [B,T,D]
  const h = g.add(x, g.linear(merged, wo, bo));
  const mlp = g.linear(g.gelu(g.linear(g.layerNorm(h, ln2g, ln2b), wfc, bfc)), wproj, bproj);
  return { y: g.add(h, mlp), params: [ln1g, ln1b, wqkv, bqkv, wo, bo, ln2g, ln2b, wfc, bfc, wproj, bproj] };
}

async function median(runs: number, f: () => Promise<unknown>): Promise<number> {
  await f(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

type Level = "disabled" | "basic" | "extended" | "all";

async function block(batch: number, threads: number, optimization: Level): Promise<void> {
  const t = 64;
  const build = (withBackward: boolean) => {
    const g = new Graph();
    const x = g.input("x", "float32", [batch, t, D]);
    const { y, params } = gpt2Block(g, x, batch, t);
    const loss = g.mean(g.mul(y, y), []);
    g.output("loss", loss);
    if (withBackward) {
      gradients(loss, params).forEach((gr, i) => {
        g.output(`grad${i}`, gr);
      });
    }
    return { g, params };
  };
  const train = build(true);
  const feeds: Record<string, Float32Array> = { x: randn(batch * t * D, 1, 1) };
  train.params.forEach((pt, i) => {
    const name = train.g.producer(pt).node.attrs.name!;
    const n = pt.shape.reduce((a, b) => a * b, 1);
    feeds[name] =
      name.startsWith("ln_") && name.endsWith(".weight")
        ? new Float32Array(n).fill(1)
        : randn(n, 0.02, i + 2);
  });
  const spinning = process.env.CURIO_ORT_SPIN === "1"; // A/B the thread pool's spin-waiting
  const session = await Session.create(train.g, { threads, optimization, spinning });
  const ms = await median(3, () => session.run(feeds));
  const fs = await Session.create(build(false).g, { threads, optimization, spinning });
  const fms = await median(3, () => fs.run(feeds));
  console.log(
    `GPT-2 block d ${D}, ${HEADS} heads, ${batch}x${t} tokens, ${threads} threads, optimisation ${optimization}` +
      `${spinning ? ", spinning threads" : ""}: ` +
      `forward ${fms.toFixed(0)} ms, forward+backward (all weights) ${ms.toFixed(0)} ms`,
  );
  await session.release();
  await fs.release();
}

async function matmul(threads: number): Promise<void> {
  const [m, k, n] = [512, 768, 3072];
  const g = new Graph();
  const a = g.input("a", "float32", [m, k]);
  const w = g.input("w", "float32", [k, n]);
  g.output("s", g.sum(g.matmul(a, w), [])); // a scalar out: keep the output copy off the clock
  const s = await Session.create(g, { threads });
  const feeds = { a: randn(m * k, 1, 3), w: randn(k * n, 1, 4) };
  const ms = await median(7, () => s.run(feeds));
  console.log(
    `matmul ${m}x${k}x${n}, ${threads} threads: ${ms.toFixed(1)} ms, ${((2 * m * k * n) / ms / 1e6).toFixed(0)} GFLOP/s`,
  );
  await s.release();
}

export const benchmarks = {
  /** `npm run bench -- engine [batch=64] [threads=2] [optimisation=all]` */
  engine: async (args: string[]) => {
    const batch = Number(args[0] ?? 64);
    const threads = Number(args[1] ?? 2);
    const level = (args[2] ?? "all") as Level;
    await matmul(threads);
    await block(batch, threads, level);
  },
};
