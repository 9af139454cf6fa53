import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { bootstrapMeanCI } from "../../src/eval/bootstrap.js";
import { aggregateSeeds, compareMethods, curvesToCSV, curvesToJSON } from "../../src/eval/compare.js";
import { drawSubsets, meanPairwiseCosine } from "../../src/eval/diversity.js";
import { makeRng, sampleWithoutReplacement } from "../../src/eval/prng.js";
import { evaluateRun, tauGrid } from "../../src/eval/quality.js";

const splitTokens = (t: string) => (t === "" ? [] : t.split(" "));
const close = (a: number | null | undefined, b: number, what = "", tol = 1e-9) =>
  assert.ok(a != null && Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

test("tau grid defaults to 0, 0.05, ..., 0.95", () => {
  const grid = tauGrid();
  assert.equal(grid.length, 20);
  assert.equal(grid[0], 0);
  assert.equal(grid[6], 0.3);
  assert.equal(grid[19], 0.95);
});

test("Quality(tau) and unique successes, hand-computed; unscored cases are left out", () => {
  const run = evaluateRun(
    [
      { testCase: "Hello  World", score: 0.9 },
      { testCase: "hello world", score: 0.6 },
      { testCase: "other", score: 0.1 },
      { testCase: "x", score: null },
      { testCase: "y", score: Number.NaN },
    ],
    { taus: [0, 0.5, 0.95], diversity: false },
  );
  assert.equal(run.scored, 3);
  assert.equal(run.unscored, 2);
  assert.deepEqual(
    run.points.map((p) => [p.quality, p.count, p.unique]),
    [
      [1, 3, 2],
      [2 / 3, 2, 1],
      [0, 0, 0],
    ],
  );
});

test("SelfBLEU diversity of a small set is 1 - NLTK SelfBLEU of the whole set", () => {
  // Sets from the NLTK fixture (scripts/fixtures/bleu_reference.py); all are smaller than 100.
  const fixture = JSON.parse(
    readFileSync(new URL("../curiosity/fixtures/bleu.json", import.meta.url), "utf8"),
  ) as {
    self_bleu: { n: number[]; docs: string[][]; self_bleu: number }[];
  };
  for (const set of fixture.self_bleu.slice(0, 8)) {
    const run = evaluateRun(
      set.docs.map((d) => ({ testCase: d.join(" "), score: 1 })),
      { taus: [0], tokenize: splitTokens, bleuOrders: set.n },
    );
    close(run.points[0].selfBleuDiversity, 1 - set.self_bleu, "diversity");
  }
});

test("embedding diversity is 1 - mean pairwise cosine without self-pairs; < 2 items is null", () => {
  // Unit vectors (1,0), (0,1), (1,1)/sqrt2: cosines 0, 1/sqrt2, 1/sqrt2.
  close(
    meanPairwiseCosine([
      [1, 0],
      [0, 3],
      [2, 2],
    ]),
    Math.SQRT2 / 3,
  );
  const run = evaluateRun(
    [
      { testCase: "a", score: 1, embedding: [1, 0] },
      { testCase: "b", score: 0.9, embedding: [0, 3] },
      { testCase: "c", score: 0.2, embedding: [2, 2] },
    ],
    { taus: [0, 0.5, 0.95] },
  );
  close(run.points[0].embeddingDiversity, 1 - Math.SQRT2 / 3);
  close(run.points[1].embeddingDiversity, 1);
  assert.equal(run.points[2].embeddingDiversity, null);
  assert.equal(run.points[2].selfBleuDiversity, null);
});

test("large sets are subsampled: 100 subsets of 100 distinct members, deterministic per seed", () => {
  const subsets = drawSubsets(makeRng(1), 1000);
  assert.equal(subsets.length, 100);
  for (const s of subsets) {
    assert.equal(new Set(s).size, 100);
    assert.ok(s.every((i) => Number.isInteger(i) && i >= 0 && i < 1000));
  }
  assert.deepEqual(drawSubsets(makeRng(1), 1000), subsets);
  assert.notDeepEqual(drawSubsets(makeRng(2), 1000), subsets);
  assert.deepEqual(drawSubsets(makeRng(1), 50), [Array.from({ length: 50 }, (_, i) => i)]);
  assert.deepEqual(drawSubsets(makeRng(1), 1), []);
  // Uniform inclusion: each of 10 items is drawn in ~30% of 3-of-10 draws.
  const counts = new Array(10).fill(0);
  const rng = makeRng(7);
  for (let r = 0; r < 20000; r++) for (const i of sampleWithoutReplacement(rng, 10, 3)) counts[i]++;
  for (const c of counts) assert.ok(Math.abs(c / 20000 - 0.3) < 0.015, `inclusion ${c / 20000}`);
});

test("diversity of identical test cases is 0 under subsampling", () => {
  const samples = Array.from({ length: 150 }, () => ({
    testCase: "how do I do this thing",
    score: 1,
    embedding: [1, 2],
  }));
  const run = evaluateRun(samples, { taus: [0], subsets: 5 });
  close(run.points[0].selfBleuDiversity, 0);
  close(run.points[0].embeddingDiversity, 0, "", 1e-12);
});

test("evaluateRun is deterministic for a seed and the seed changes the subsets", () => {
  const rng = makeRng(9);
  const samples = Array.from({ length: 120 }, () => ({
    testCase: Array.from({ length: 6 }, () => `w${Math.floor(rng() * 12)}`).join(" "),
    score: rng(),
    embedding: [rng(), rng(), rng()],
  }));
  const options = { taus: [0, 0.3], subsets: 4, subsetSize: 40 };
  const a = evaluateRun(samples, { ...options, seed: 1 });
  assert.deepEqual(evaluateRun(samples, { ...options, seed: 1 }), a);
  assert.notEqual(
    evaluateRun(samples, { ...options, seed: 2 }).points[0].selfBleuDiversity,
    a.points[0].selfBleuDiversity,
  );
});

test("bootstrap CI on known cases", () => {
  assert.deepEqual(bootstrapMeanCI([2, 2, 2]), { mean: 2, low: 2, high: 2, n: 3 });
  // Resample means of {0, 0, 3}: 0 w.p. 8/27, 3 w.p. 1/27 > 2.5%: the 95% interval is [0, 3].
  const ci = bootstrapMeanCI([0, 0, 3]);
  assert.deepEqual([ci?.mean, ci?.low, ci?.high], [1, 0, 3]);
  // Many values: close to the normal approximation mean +- 1.96 sd / sqrt(n).
  const rng = makeRng(3);
  const xs = Array.from({ length: 200 }, () => rng());
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  const wide = bootstrapMeanCI(xs, { seed: 5 });
  close(wide?.low, mean - (1.96 * sd) / Math.sqrt(200), "low", 0.006);
  close(wide?.high, mean + (1.96 * sd) / Math.sqrt(200), "high", 0.006);
  assert.deepEqual(bootstrapMeanCI(xs, { seed: 5 }), wide);
  assert.equal(bootstrapMeanCI([null, Number.NaN]), null);
  assert.throws(() => bootstrapMeanCI([1], { confidence: 95 }), /confidence/);
});

test("seed aggregation, comparison table and CSV/JSON export", () => {
  const runs = [0.2, 0.4, 0.6].map((q) => ({
    scored: 10,
    unscored: 0,
    points: [0, 0.5].map((tau) => ({
      tau,
      quality: q * (1 - tau),
      count: 1,
      unique: 1,
      selfBleuDiversity: null,
      embeddingDiversity: 0.5,
    })),
  }));
  const crt = aggregateSeeds("crt", runs);
  close(crt.points[0].metrics.quality?.mean, 0.4);
  close(crt.points[1].metrics.quality?.mean, 0.2);
  assert.equal(crt.points[0].metrics.selfBleuDiversity, null);
  const rows = compareMethods([crt], [0.45]);
  assert.deepEqual([rows[0].method, rows[0].tau], ["crt", 0.5]);
  const csv = curvesToCSV([crt]).trim().split("\n");
  assert.equal(csv[0], "method,tau,metric,mean,low,high,n");
  assert.equal(csv.length, 1 + 2 * 5);
  assert.ok(csv.includes("crt,0,selfBleuDiversity,,,,0"));
  assert.equal(JSON.parse(curvesToJSON([crt])).methods[0].method, "crt");
  assert.throws(
    () => aggregateSeeds("x", [runs[0], { ...runs[1], points: runs[1].points.slice(1) }]),
    /tau grids/,
  );
});
