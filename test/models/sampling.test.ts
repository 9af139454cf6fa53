// Sampling filters against hand-computed distributions and a brute-force reference.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  filteredDistribution,
  logSoftmaxAt,
  nucleus,
  sampleToken,
  TokenSampler,
} from "../../src/models/index.js";
import { Rng } from "../../src/util/rng.js";

const softmax = (xs: number[]) => {
  const e = xs.map((x) => Math.exp(x));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
};
const close = (a: ArrayLike<number>, b: number[], tol = 1e-9) =>
  assert.ok(
    a.length === b.length && b.every((x, i) => Math.abs(a[i]! - x) < tol),
    `${Array.from(a)} vs ${b}`,
  );

test("no filtering: softmax over the whole vocabulary in descending order", () => {
  const d = filteredDistribution([1, 2, 3, 0], {});
  assert.deepEqual(Array.from(d.ids), [2, 1, 0, 3]);
  const p = softmax([1, 2, 3, 0]);
  close(d.probs, [p[2]!, p[1]!, p[0]!, p[3]!]);
});

test("temperature divides the logits", () => {
  const d = filteredDistribution([1, 2, 3, 0], { temperature: 0.5 });
  const p = softmax([2, 4, 6, 0]);
  close(d.probs, [p[2]!, p[1]!, p[0]!, p[3]!]);
});

test("top-k keeps the k most likely tokens, renormalised", () => {
  const d = filteredDistribution([1, 2, 3, 0], { topK: 2 });
  assert.deepEqual(Array.from(d.ids), [2, 1]);
  const e3 = Math.exp(3);
  const e2 = Math.exp(2);
  close(d.probs, [e3 / (e3 + e2), e2 / (e3 + e2)]);
});

test("top-p keeps the smallest set whose mass exceeds p (HF semantics), at least one token", () => {
  // probs (desc) 0.6439, 0.2369, 0.0871, 0.0321: mass 0.6439 < 0.7, 0.8808 > 0.7 -> two tokens
  const d = filteredDistribution([1, 2, 3, 0], { topP: 0.7 });
  assert.deepEqual(Array.from(d.ids), [2, 1]);
  close(d.probs, [Math.exp(3) / (Math.exp(3) + Math.exp(2)), Math.exp(2) / (Math.exp(3) + Math.exp(2))]);
  // p = 0.9: 0.8808 <= 0.9 -> a third token is needed
  assert.deepEqual(Array.from(filteredDistribution([1, 2, 3, 0], { topP: 0.9 }).ids), [2, 1, 0]);
  // tiny p keeps only the most likely token
  const one = filteredDistribution([1, 2, 3, 0], { topP: 0.01 });
  assert.deepEqual(Array.from(one.ids), [2]);
  close(one.probs, [1]);
  // top-k first, then top-p on the renormalised top-k mass: {3,2,1} -> 0.6652, 0.2447, 0.0900; p 0.85 -> 2 tokens
  assert.deepEqual(Array.from(filteredDistribution([1, 2, 3, 0], { topK: 3, topP: 0.85 }).ids), [2, 1]);
  assert.throws(() => filteredDistribution([1, 2], { topP: 0 }), /topP must be in \(0, 1\]/);
  assert.throws(() => filteredDistribution([1, 2], { temperature: 0 }), /temperature must be > 0/);
});

test("sampled frequencies follow the filtered distribution; greedy takes the first maximum", () => {
  const rng = new Rng(7);
  const logits = [0.5, 2, 1, -1, 1.5];
  const counts = [0, 0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleToken(logits, { topK: 3 }, rng)]!++;
  const e = [2, 1, 1.5].map(Math.exp);
  const s = e[0]! + e[1]! + e[2]!;
  assert.equal(counts[0], 0);
  assert.equal(counts[3], 0);
  for (const [id, p] of [
    [1, e[0]! / s],
    [2, e[1]! / s],
    [4, e[2]! / s],
  ] as const) {
    assert.ok(Math.abs(counts[id]! / n - p) < 0.015, `token ${id}: ${counts[id]! / n} vs ${p}`);
  }
  assert.equal(sampleToken([1, 3, 3, 2], { greedy: true }, rng), 1);
  assert.ok(Math.abs(logSoftmaxAt([1, 2, 3, 0], 2) - Math.log(softmax([1, 2, 3, 0])[2]!)) < 1e-12);
});

test("top-k/top-p on a large vocabulary match a brute-force full-sort reference", () => {
  const rng = new Rng(3);
  /** HF warpers written plainly: full sort, softmax, top-k mask, ascending cumsum for top-p. */
  const reference = (logits: number[], t: number, topK: number, topP: number) => {
    const order = logits.map((_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
    let kept = topK > 0 ? order.slice(0, topK) : order;
    const m = logits[kept[0]!]! / t;
    const ex = kept.map((i) => Math.exp(logits[i]! / t - m));
    const z = ex.reduce((a, b) => a + b, 0);
    let p = ex.map((x) => x / z);
    let cum = 0;
    let cut = kept.length;
    for (let j = kept.length - 1; j > 0; j--) {
      cum += p[j]!;
      if (cum <= 1 - topP) cut = j;
      else break;
    }
    kept = kept.slice(0, cut);
    p = p.slice(0, cut);
    const s = p.reduce((a, b) => a + b, 0);
    return { ids: kept, probs: p.map((x) => x / s) };
  };
  for (const [scale, t, topK, topP] of [
    [3, 0.7, 0, 0.92],
    [0.5, 0.7, 0, 0.92],
    [8, 1, 0, 0.5],
    [3, 1.2, 50, 0.9],
    [2, 1, 7, 1],
  ] as const) {
    const logits = Array.from({ length: 5000 }, () => (rng.next() + rng.next() + rng.next() - 1.5) * scale);
    const got = filteredDistribution(logits, { temperature: t, topK, topP });
    const want = reference(logits, t, topK, topP);
    assert.deepEqual(Array.from(got.ids), want.ids, `scale ${scale} t ${t} k ${topK} p ${topP}`);
    close(got.probs, want.probs, 1e-9);
  }
});

test("nucleus selection (no sort) keeps the same set as the sorted top-p; sampling follows it", () => {
  const rng = new Rng(9);
  for (const [scale, p] of [
    [3, 0.92],
    [0.2, 0.92],
    [10, 0.3],
    [1, 0.999],
  ] as const) {
    const logits = Array.from({ length: 3000 }, () => (rng.next() - 0.5) * scale);
    logits[5] = logits[6]!; // a tie
    const e = Float64Array.from(logits, (x) => Math.exp(x));
    const z = e.reduce((a, b) => a + b, 0);
    const { keep, mass } = nucleus(e, z, p);
    const want = new Set(filteredDistribution(logits, { topP: p }).ids);
    const got = new Set([...keep.keys()].filter((i) => keep[i] === 1));
    assert.deepEqual(got, want, `scale ${scale} p ${p}`);
    assert.ok(Math.abs(mass - [...want].reduce((s, i) => s + e[i]!, 0)) < 1e-9 * z);
  }
  // frequencies: logits [0, 1, 2, 3] with p 0.8 keep {3, 2} (0.644 + 0.237 > 0.8), renormalised
  const counts = [0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampleToken([0, 1, 2, 3], { topP: 0.8 }, rng)]!++;
  assert.equal(counts[0]! + counts[1]!, 0);
  const want3 = Math.exp(3) / (Math.exp(3) + Math.exp(2));
  assert.ok(Math.abs(counts[3]! / n - want3) < 0.015, `${counts[3]! / n} vs ${want3}`);
});

test("TokenSampler: the nucleus it draws from is the sorted top-p set, with or without the graph's softmax", () => {
  const rng = new Rng(11);
  for (const [scale, t, p] of [
    [3, 0.7, 0.92],
    [0.3, 1, 0.92],
    [12, 1.3, 0.5],
    [2, 0.7, 0.999],
  ] as const) {
    const V = 4000;
    const logits = Float32Array.from({ length: V }, () => (rng.next() + rng.next() - 1) * scale);
    const want = new Set(filteredDistribution(logits, { temperature: t, topP: p }).ids);
    // what a graph computes beside the logits: softmax at t (float32) and the temperature-1 log-sum-exp
    const m = Math.max(...logits);
    const et = Array.from(logits, (x) => Math.exp((x - m) / t));
    const zt = et.reduce((a, b) => a + b, 0);
    const given = {
      probs: Float32Array.from(et, (x) => x / zt),
      logZ: m + Math.log(Array.from(logits, (x) => Math.exp(x - m)).reduce((a, b) => a + b, 0)),
    };
    const sampler = new TokenSampler(V);
    for (const g of [undefined, given]) {
      for (let i = 0; i < 200; i++) {
        const { token, logprob } = sampler.sample(logits, { temperature: t, topP: p }, rng, g);
        assert.ok(want.has(token), `scale ${scale} t ${t} p ${p}: drew ${token}, outside the nucleus`);
        assert.ok(Math.abs(logprob - logSoftmaxAt(logits, token)) < 1e-5, `logprob ${logprob}`);
      }
    }
  }
  // frequencies with the graph's softmax: logits [0, 1, 2, 3], p 0.8 keeps {3, 2}, renormalised
  const logits = Float32Array.from([0, 1, 2, 3]);
  const probs = Float32Array.from(softmax([0, 1, 2, 3]));
  const logZ = Math.log([0, 1, 2, 3].reduce((s, x) => s + Math.exp(x), 0));
  const sampler = new TokenSampler(4);
  const counts = [0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[sampler.sample(logits, { topP: 0.8 }, rng, { probs, logZ }).token]!++;
  assert.equal(counts[0]! + counts[1]!, 0);
  const want3 = Math.exp(3) / (Math.exp(3) + Math.exp(2));
  assert.ok(Math.abs(counts[3]! / n - want3) < 0.015, `${counts[3]! / n} vs ${want3}`);
});
