// The float32 path (ORT's float kernels, LayerNormalization, graph fusions at level "all") gives the same
// gradients as the float64 path, whose rules the finite-difference tests check.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type FloatType, Graph, gradients, Session, type Tensor } from "../../src/engine/index.js";
import { rng } from "./gradcheck.js";

const [B, T, D, V, H] = [2, 4, 8, 7, 2];
const shapes: Record<string, number[]> = {
  wte: [V, D],
  ln_g: [D],
  ln_b: [D],
  w_qkv: [D, 3 * D],
  b_qkv: [3 * D],
  w_fc: [D, 2 * D],
  w_out: [2 * D, V],
};

/** A tiny causal LM: embedding, layerNorm, one attention head pair, gelu MLP, cross-entropy. */
function tinyLM(floatType: FloatType): { g: Graph; params: Tensor[] } {
  const g = new Graph({ floatType });
  const ids = g.input("ids", "int64", [B, T]);
  const targets = g.input("targets", "int64", [B, T, 1]);
  const p = Object.fromEntries(Object.entries(shapes).map(([k, s]) => [k, g.param(k, s)])) as Record<
    string,
    Tensor
  >;
  const x = g.gather(p.wte!, ids); // [B,T,D]
  const h = g.layerNorm(x, p.ln_g!, p.ln_b!);
  const qkv = g.linear(h, p.w_qkv!, p.b_qkv!); // [B,T,3D]
  const heads = (u: Tensor) => g.transpose(g.reshape(u, [B, T, H, D / H]), [0, 2, 1, 3]); // [B,H,T,hd]
  const [q, k, v] = g.split(qkv, [D, D, D], 2).map(heads) as [Tensor, Tensor, Tensor];
  const causal = g.constant(
    Array.from({ length: T * T }, (_, i) => (i % T <= Math.floor(i / T) ? 1 : 0)),
    [T, T],
    "bool",
  );
  const att = g.softmax(g.where(causal, g.mul(g.matmul(q, k, { transB: true }), 0.5), -1e4)); // [B,H,T,T]
  const merged = g.reshape(g.transpose(g.matmul(att, v), [0, 2, 1, 3]), [B, T, D]);
  const y = g.add(x, merged);
  const logits = g.linear(g.gelu(g.linear(y, p.w_fc!)), p.w_out!); // [B,T,V]
  const loss = g.neg(g.mean(g.gatherElements(g.logSoftmax(logits), targets, -1), []));
  const params = Object.values(p);
  const grads = gradients(loss, params);
  g.output("loss", loss);
  grads.forEach((t, i) => {
    g.output(`grad${i}`, t);
  });
  return { g, params };
}

test("float32 and float64 graphs agree on loss and every gradient of a tiny LM", async () => {
  const rand = rng(3);
  const values = Object.fromEntries(
    Object.entries(shapes).map(([k, s]) => {
      const n = s.reduce((a, b) => a * b, 1);
      return [k, Array.from({ length: n }, () => (k === "ln_g" ? 1 : 0) + (rand() - 0.5) * 0.8)];
    }),
  );
  const ids = BigInt64Array.from({ length: B * T }, () => BigInt(Math.floor(rand() * V)));
  const targets = BigInt64Array.from({ length: B * T }, () => BigInt(Math.floor(rand() * V)));
  const results: Record<string, number[]>[] = [];
  for (const ft of ["float32", "float64"] as const) {
    const { g } = tinyLM(ft);
    const A = ft === "float32" ? Float32Array : Float64Array;
    const feeds = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, A.from(v)]));
    const s = await Session.create(g, { threads: 1 });
    const r = await s.run({ ...feeds, ids, targets });
    results.push(
      Object.fromEntries(Object.entries(r).map(([k, t]) => [k, Array.from(t.data as Float64Array)])),
    );
    await s.release();
  }
  const [f32, f64] = results as [Record<string, number[]>, Record<string, number[]>];
  for (const key of Object.keys(f64)) {
    const scale = Math.max(...f64[key]!.map(Math.abs), 1e-3);
    f64[key]!.forEach((e, i) => {
      assert.ok(
        Math.abs(f32[key]![i]! - e) <= 1e-4 * scale,
        `${key}[${i}]: float32 ${f32[key]![i]} vs float64 ${e}`,
      );
    });
  }
  assert.ok(
    f64.grad0!.some((v) => v !== 0),
    "the embedding gradient is not all zero",
  );
});
