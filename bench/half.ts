// Half-precision storage of frozen weights (float16 in memory, cast to float32 in the graph) against float32:
//   speed and peak memory  GPT-2 small's 48 block matrices (85M weights) as a stack of linear layers over 64 rows
//                          (a decoding step) and 4096 rows (a 64 x 64 batch), forward and forward + backward, with
//                          the weights as float32 inputs (curio's default), float32 prepacked initializers, and
//                          float16 inputs + Cast; each in its own process, so peak RSS is its own.
//   accuracy               logits of the --model random model (gpt2-small) with float32 weights against the same
//                          weights rounded to float16 and to bfloat16.
//   npm run bench -- half-storage [--model gpt2-small] [--runs 5]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Graph, gradients, Session, type Tensor } from "../src/index.js";
import { Rng } from "../src/util/rng.js";
import { arg, loadBenchPolicy, median, modelName, peakRssMb } from "./models.js";

const MODES = ["float32-inputs", "float32-initializers", "float16-inputs"] as const;
type Mode = (typeof MODES)[number];
const KINDS = {
  "forward-64": [64, false],
  "forward-4096": [4096, false],
  "train-4096": [4096, true],
} as const;
type Kind = keyof typeof KINDS;

/** float32 -> float16 bits, and the float32 value of those bits, by onnxruntime's Cast (round to nearest even). */
async function castFloat16(x: Float32Array): Promise<{ bits: Uint16Array; value: Float32Array }> {
  const g = new Graph();
  const half = g.cast(g.input("x", "float32", [x.length]), "float16");
  g.output("bits", half);
  g.output("value", g.cast(half, "float32"));
  const s = await Session.create(g, { threads: 1 });
  const r = await s.run({ x });
  await s.release();
  return { bits: r.bits!.data as Uint16Array, value: r.value!.data as Float32Array };
}

/** Round-to-nearest-even float32 -> bfloat16 -> float32. */
function roundBfloat16(x: Float32Array): Float32Array {
  const out = new Float32Array(x.length);
  const u = new Uint32Array(out.buffer);
  out.set(x);
  for (let i = 0; i < u.length; i++) {
    const b = u[i]!;
    u[i] = ((b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return out;
}

/** One mode and kind, in this process: median seconds of `runs` runs after a warm-up, and peak RSS. */
async function child(mode: Mode, kind: Kind, runs: number): Promise<void> {
  const [rows, train] = KINDS[kind];
  const d = 768;
  const rng = new Rng(11);
  const g = new Graph();
  const x = g.param("x", [rows, d]);
  const feeds: Record<string, Float32Array | Uint16Array> = {
    x: Float32Array.from({ length: rows * d }, () => rng.next() - 0.5),
  };
  // the weights first, one matrix at a time, so that float16 mode never holds a float32 copy of them all
  const mats: [string, [number, number]][] = [];
  for (let l = 0; l < 12; l++) {
    mats.push(
      [`${l}.attn`, [d, 3 * d]],
      [`${l}.proj`, [d, d]],
      [`${l}.fc`, [d, 4 * d]],
      [`${l}.mproj`, [4 * d, d]],
    );
  }
  const stored = new Map<string, Float32Array | Uint16Array>();
  for (const [name, [r, c]] of mats) {
    const w = Float32Array.from({ length: r * c }, () => (rng.next() - 0.5) * 0.04);
    stored.set(name, mode === "float16-inputs" ? (await castFloat16(w)).bits : w);
  }
  const weight = (name: string): Tensor => {
    const [, shape] = mats.find(([n]) => n === name)!;
    const w = stored.get(name)!;
    if (w instanceof Float32Array) return g.weight(name, w, shape);
    feeds[name] = w;
    return g.cast(g.input(name, "float16", shape), "float32");
  };
  let h = x; // [rows,d] through GPT-2 small's block matrices: c_attn (first d columns), c_proj, c_fc, c_proj
  for (let l = 0; l < 12; l++) {
    const a = g.slice(g.matmul(h, weight(`${l}.attn`)), [0], [d], [1]);
    h = g.add(h, g.matmul(a, weight(`${l}.proj`)));
    h = g.add(h, g.matmul(g.gelu(g.matmul(h, weight(`${l}.fc`))), weight(`${l}.mproj`)));
  }
  const loss = g.mean(g.mul(h, h), []);
  g.output("loss", loss);
  if (train) g.output("dx", gradients(loss, [x])[0]!);
  const s = await Session.create(g, { weights: mode === "float32-initializers" ? "initializers" : "inputs" });
  const times: number[] = [];
  for (let r = 0; r <= runs; r++) {
    const t0 = performance.now();
    await s.run(feeds as Record<string, Float32Array>);
    if (r > 0) times.push((performance.now() - t0) / 1000);
  }
  console.log(
    JSON.stringify({
      mode,
      kind,
      seconds: median(times),
      weights_mb: Math.round([...stored.values()].reduce((a, w) => a + w.byteLength, 0) / 2 ** 20),
      peak_rss_mb: peakRssMb(),
    }),
  );
}

async function accuracy(name: string): Promise<Record<string, unknown>> {
  const policy = await loadBenchPolicy(name, { trainable: { kind: "top", k: 1 } });
  const rng = new Rng(12);
  const ids = Array.from({ length: 4 }, () =>
    Array.from({ length: 64 }, () => 1 + rng.int(policy.config.vocabSize - 2)),
  );
  const want = (await policy.logits(ids)).data.slice();
  const frozen = policy.weights.names().map((n) => policy.weights.get(n).data);
  const saved = frozen.map((w) => w.slice());
  const result: Record<string, unknown> = {};
  for (const [label, round] of [
    ["float16", async (w: Float32Array) => (await castFloat16(w)).value],
    ["bfloat16", async (w: Float32Array) => roundBfloat16(w)],
  ] as const) {
    for (const [i, w] of frozen.entries()) w.set(await round(saved[i]!));
    const got = (await policy.logits(ids)).data;
    let maxAbs = 0;
    let sumSq = 0;
    let agree = 0;
    const V = policy.config.vocabSize;
    for (let i = 0; i < got.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(got[i]! - want[i]!));
      sumSq += want[i]! ** 2;
    }
    for (let r = 0; r < got.length / V; r++) {
      const top = (a: Float32Array) =>
        a.subarray(r * V, (r + 1) * V).reduce((b, v, j, row) => (v > row[b]! ? j : b), 0);
      if (top(got) === top(want)) agree++;
    }
    result[label] = {
      max_abs_logit_error: maxAbs,
      logit_rms: Math.sqrt(sumSq / got.length),
      top1_agreement: agree / (got.length / V),
    };
    for (const [i, w] of frozen.entries()) w.set(saved[i]!);
  }
  await policy.release();
  return result;
}

async function halfStorage(args: string[]): Promise<void> {
  const runs = Number(arg(args, "--runs") ?? 5);
  const mode = arg(args, "--child-mode") as Mode | undefined;
  if (mode) return child(mode, arg(args, "--child-kind") as Kind, runs);
  const runner = fileURLToPath(new URL("./run.ts", import.meta.url));
  for (const kind of Object.keys(KINDS) as Kind[]) {
    for (const m of MODES) {
      const r = spawnSync(
        process.execPath,
        [
          ...process.execArgv,
          runner,
          "half-storage",
          "--child-mode",
          m,
          "--child-kind",
          kind,
          "--runs",
          String(runs),
        ],
        { encoding: "utf8" },
      );
      process.stdout.write(r.stdout || `${kind} ${m}: failed\n${r.stderr}`);
    }
  }
  console.log(JSON.stringify({ bench: "half-storage", accuracy: await accuracy(modelName(args)) }));
}

export const benchmarks = { "half-storage": halfStorage };
