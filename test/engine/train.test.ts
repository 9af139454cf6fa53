// End to end: a small MLP classifier built as a graph, differentiated, run in ORT, and trained with AdamW.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AdamW, clipGradNorm, Graph, gradients, Session } from "../../src/engine/index.js";
import { rng } from "./gradcheck.js";

test("an MLP trained with AdamW drives its cross-entropy loss down", async () => {
  const [n, din, hidden, classes] = [32, 4, 16, 3];
  const rand = rng(42);
  // data: class = argmax of three fixed linear scores of x
  const x = Float32Array.from({ length: n * din }, () => rand() * 2 - 1);
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const r = x.subarray(i * din, i * din + din);
    const scores = [r[0]! + r[1]!, r[2]! - r[0]!, r[3]! - r[1]!];
    labels[i] = BigInt(scores.indexOf(Math.max(...scores)));
  }

  const g = new Graph();
  const xin = g.input("x", "float32", [n, din]);
  const y = g.input("y", "int64", [n, 1]);
  const w1 = g.param("w1", [din, hidden]);
  const b1 = g.param("b1", [hidden]);
  const w2 = g.param("w2", [hidden, classes]);
  const b2 = g.param("b2", [classes]);
  const h = g.gelu(g.linear(xin, w1, b1)); // [n, hidden]
  const logp = g.logSoftmax(g.linear(h, w2, b2)); // [n, classes]
  const loss = g.neg(g.mean(g.gatherElements(logp, y, 1), [])); // mean cross-entropy
  const grads = gradients(loss, [w1, b1, w2, b2]);
  g.output("loss", loss);
  grads.forEach((t, i) => {
    g.output(`g${i}`, t);
  });

  const params = [
    Float32Array.from({ length: din * hidden }, () => (rand() - 0.5) * 0.5),
    new Float32Array(hidden),
    Float32Array.from({ length: hidden * classes }, () => (rand() - 0.5) * 0.5),
    new Float32Array(classes),
  ];
  const session = await Session.create(g, { threads: 1 });
  const opt = new AdamW({ lr: 0.05, weightDecay: 0 });
  const losses: number[] = [];
  for (let step = 0; step < 60; step++) {
    const r = await session.run({
      x,
      y: labels,
      w1: params[0]!,
      b1: params[1]!,
      w2: params[2]!,
      b2: params[3]!,
    });
    losses.push(r.loss!.data[0] as number);
    const gs = [0, 1, 2, 3].map((i) => r[`g${i}`]!.data as Float32Array);
    clipGradNorm(gs, 5);
    opt.step(params, gs);
  }
  await session.release();
  assert.ok(Math.abs(losses[0]! - Math.log(3)) < 0.2, `initial loss ${losses[0]} is near log(3)`);
  assert.ok(losses.at(-1)! < 0.35 * losses[0]!, `loss fell from ${losses[0]} to ${losses.at(-1)}`);
});
