// Every differentiable op's gradient against central finite differences of its forward graph (float64, ORT).
import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph, gradients, Session } from "../../src/engine/index.js";
import { checkGradients, type GradCase, rng } from "./gradcheck.js";

const int64 = (g: Graph, values: number[], shape: number[]) => g.constant(values, shape, "int64");

const cases: GradCase[] = [
  // elementwise with broadcasting
  { name: "add [2,3,4]+[3,1]", build: (g, p) => g.add(p([2, 3, 4]), p([3, 1])) },
  { name: "add [4] + scalar", build: (g, p) => g.add(p([4]), 2) },
  { name: "sub [2,1,4]-[3,1]", build: (g, p) => g.sub(p([2, 1, 4]), p([3, 1])) },
  { name: "sub scalar - x", build: (g, p) => g.sub(1, p([3])) },
  { name: "mul [2,3]*[1,3]", build: (g, p) => g.mul(p([2, 3]), p([1, 3])) },
  { name: "div [2,3]/[2,1]", build: (g, p) => g.div(p([2, 3]), p([2, 1], "awayFromZero")) },
  { name: "minimum [3,4],[4]", build: (g, p) => g.minimum(p([3, 4]), p([4])) },
  { name: "maximum [2,1],[1,3]", build: (g, p) => g.maximum(p([2, 1]), p([1, 3])) },
  { name: "pow 3", build: (g, p) => g.pow(p([2, 3]), 3) },
  { name: "pow 2", build: (g, p) => g.pow(p([5]), 2) },
  { name: "pow 0.5", build: (g, p) => g.pow(p([5], "positive"), 0.5) },
  { name: "pow -1.5", build: (g, p) => g.pow(p([5], "positive"), -1.5) },
  { name: "neg", build: (g, p) => g.neg(p([2, 2])) },
  { name: "abs", build: (g, p) => g.abs(p([2, 3], "awayFromZero")) },
  { name: "exp", build: (g, p) => g.exp(p([2, 3])) },
  { name: "log", build: (g, p) => g.log(p([2, 3], "positive")) },
  { name: "sqrt", build: (g, p) => g.sqrt(p([2, 3], "positive")) },
  { name: "tanh", build: (g, p) => g.tanh(p([2, 3])) },
  { name: "relu", build: (g, p) => g.relu(p([3, 3], "awayFromZero")) },
  // Erf runs in float32 inside float64 graphs (no double kernel): a larger step and tolerance
  { name: "erf", build: (g, p) => g.erf(p([2, 3])), step: 1e-3, tol: 2e-4 },
  { name: "sigmoid", build: (g, p) => g.sigmoid(p([2, 3])) },
  { name: "gelu", build: (g, p) => g.gelu(p([3, 4])) },
  { name: "clip [-0.5, 0.5]", build: (g, p) => g.clip(p([4, 4]), -0.5, 0.5) },
  { name: "clip lo only", build: (g, p) => g.clip(p([4, 4]), 0.2) },
  {
    name: "where broadcast",
    build: (g, p) => g.where(g.greater(p([2, 3], "awayFromZero"), 0), p([2, 3]), p([3])),
  },
  { name: "where scalar branch", build: (g, p) => g.where(g.less(p([4], "awayFromZero"), 0), 0, p([4])) },
  {
    name: "cast float64 -> float64 keeps the gradient",
    build: (g, p) => g.mul(g.cast(p([3]), "float64"), 2),
  },
  // reductions
  { name: "sum axes [0,2]", build: (g, p) => g.sum(p([2, 3, 4]), [0, 2]) },
  { name: "sum axis -1 keepDims", build: (g, p) => g.sum(p([2, 3, 4]), [-1], true) },
  { name: "sum all", build: (g, p) => g.sum(p([2, 3]), []) },
  { name: "mean axis 1", build: (g, p) => g.mean(p([2, 3, 4]), [1]) },
  { name: "mean axes [-1,-3] keepDims", build: (g, p) => g.mean(p([2, 3, 4]), [-1, -3], true) },
  { name: "max axis -1", build: (g, p) => g.max(p([3, 5]), [-1]) },
  { name: "max axes [0,1] keepDims", build: (g, p) => g.max(p([2, 3, 2]), [0, 1], true) },
  { name: "softmax axis -1", build: (g, p) => g.softmax(p([2, 5])) },
  { name: "softmax axis 0", build: (g, p) => g.softmax(p([3, 2, 2]), 0) },
  { name: "logSoftmax axis 1", build: (g, p) => g.logSoftmax(p([2, 4, 3]), 1) },
  { name: "layerNorm", build: (g, p) => g.layerNorm(p([2, 3, 5]), p([5]), p([5])) },
  { name: "layerNorm eps 1e-2 rank 1", build: (g, p) => g.layerNorm(p([6]), p([6]), p([6]), 1e-2) },
  // matmul
  { name: "matmul 2-D", build: (g, p) => g.matmul(p([3, 4]), p([4, 2])) },
  { name: "matmul transA", build: (g, p) => g.matmul(p([4, 3]), p([4, 2]), { transA: true }) },
  { name: "matmul transB", build: (g, p) => g.matmul(p([3, 4]), p([2, 4]), { transB: true }) },
  {
    name: "matmul transA transB",
    build: (g, p) => g.matmul(p([4, 3]), p([2, 4]), { transA: true, transB: true }),
  },
  { name: "matmul batched", build: (g, p) => g.matmul(p([2, 3, 4]), p([2, 4, 5])) },
  { name: "matmul broadcast batch", build: (g, p) => g.matmul(p([2, 1, 3, 4]), p([3, 4, 2])) },
  {
    name: "matmul broadcast batch transA transB",
    build: (g, p) => g.matmul(p([2, 1, 4, 3]), p([1, 3, 2, 4]), { transA: true, transB: true }),
  },
  { name: "matmul batched transB", build: (g, p) => g.matmul(p([2, 3, 4]), p([2, 5, 4]), { transB: true }) },
  { name: "matmul N-D x 2-D", build: (g, p) => g.matmul(p([2, 3, 4]), p([4, 5])) },
  { name: "matmul N-D x 2-D transB", build: (g, p) => g.matmul(p([2, 3, 4]), p([5, 4]), { transB: true }) },
  { name: "matmul 2-D x N-D", build: (g, p) => g.matmul(p([3, 4]), p([2, 4, 2])) },
  { name: "linear with bias", build: (g, p) => g.linear(p([2, 3, 4]), p([4, 5]), p([5])) },
  // indexing and shape
  {
    name: "gather axis 0, repeated indices",
    build: (g, p) => g.gather(p([5, 3]), int64(g, [0, 2, 2, 4], [2, 2])),
  },
  { name: "gather axis 1", build: (g, p) => g.gather(p([3, 5, 2]), int64(g, [4, 1, 4], [3]), 1) },
  {
    name: "gather axis -1, int32 indices",
    build: (g, p) => g.gather(p([2, 4]), g.constant([3, 0], [2], "int32"), -1),
  },
  {
    name: "gatherElements axis 1",
    build: (g, p) => g.gatherElements(p([3, 4]), int64(g, [0, 3, 1, 1, 2, 2], [3, 2]), 1),
  },
  {
    name: "gatherElements axis -1 rank 3",
    build: (g, p) => g.gatherElements(p([2, 2, 3]), int64(g, [2, 0, 1, 1], [2, 2, 1]), -1),
  },
  { name: "reshape -1", build: (g, p) => g.reshape(p([2, 3, 4]), [4, -1]) },
  { name: "transpose", build: (g, p) => g.transpose(p([2, 3, 4]), [1, 2, 0]) },
  { name: "transpose negative perm", build: (g, p) => g.transpose(p([2, 3]), [-1, 0]) },
  { name: "slice negative start", build: (g, p) => g.slice(p([4, 5]), [-3, 1], [100, 4]) },
  { name: "slice step 2 axis -1", build: (g, p) => g.slice(p([3, 7]), [1], [7], [-1], [2]) },
  { name: "slice negative step", build: (g, p) => g.slice(p([3, 5]), [-1, 2], [-100, 0], [1, 0], [-2, -1]) },
  { name: "concat axis 1", build: (g, p) => g.concat([p([2, 1]), p([2, 3]), p([2, 2])], 1) },
  {
    name: "split, one part unused",
    build: (g, p) => {
      const [a, , c] = g.split(p([5, 2]), [2, 1, 2], 0);
      return g.mul(a!, c!);
    },
  },
  {
    name: "stopGradient branch",
    build: (g, p) => {
      const x = p([3]);
      return g.add(x, g.exp(g.stopGradient(g.mul(x, 0))));
    },
  },
  { name: "topK values axis -1", build: (g, p) => g.topK(p([3, 5]), 2)[0] },
  { name: "topK values axis 0", build: (g, p) => g.topK(p([4, 2, 2]), 3, 0)[0] },
  // composites
  {
    name: "cross-entropy through logSoftmax + gatherElements",
    build: (g, p) => {
      const logits = p([3, 5]);
      const picked = g.gatherElements(g.logSoftmax(logits), int64(g, [1, 4, 0], [3, 1]), 1);
      return g.neg(g.mean(picked, []));
    },
  },
  {
    // two picks per row, one of them twice: the fused logSoftmax backward scatter-adds every pick
    name: "token log-probs: logSoftmax + gatherElements, repeated picks",
    build: (g, p) => {
      const logits = p([2, 3, 5]);
      const idx = int64(g, [1, 1, 4, 0, 2, 2, 3, 0, 1, 4, 4, 4], [2, 3, 2]);
      return g.sum(g.mul(g.gatherElements(g.logSoftmax(logits), idx, 2), p([2, 3, 2])), []);
    },
  },
  {
    // logSoftmax's output used twice: its gradient is a sum, not a lone scatter (the general backward)
    name: "logSoftmax picked and also summed",
    build: (g, p) => {
      const lp = g.logSoftmax(p([3, 4]), 1);
      const picked = g.gatherElements(lp, int64(g, [1, 3, 0], [3, 1]), 1);
      return g.add(g.sum(picked, []), g.mean(g.mul(lp, lp), []));
    },
  },
  {
    // indices narrower than the data in a non-axis dimension: the general backward
    name: "logSoftmax + gatherElements over the first rows only",
    build: (g, p) => g.sum(g.gatherElements(g.logSoftmax(p([3, 4]), 1), int64(g, [2, 0], [2, 1]), 1), []),
  },
  {
    name: "attention-shaped block",
    build: (g, p) => {
      const x = p([2, 3, 4]);
      const q = g.linear(x, p([4, 4]));
      const k = g.linear(x, p([4, 4]));
      const scores = g.mul(g.matmul(q, k, { transB: true }), 0.5); // [2,3,3]
      const mask = g.constant([1, 0, 0, 1, 1, 0, 1, 1, 1], [3, 3], "float64");
      const masked = g.where(g.equal(mask, 0), -1e9, scores);
      return g.matmul(g.softmax(masked), x);
    },
  },
  {
    name: "value used twice",
    build: (g, p) => {
      const x = p([3]);
      return g.mul(g.exp(x), g.tanh(x));
    },
  },
];

/** Seeded random shapes: b broadcasts against a (leading dims dropped, some dims set to 1). */
function randomCases(seed: number, n: number): GradCase[] {
  const r = rng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const out: GradCase[] = [];
  const binary = ["add", "sub", "mul", "div", "maximum"] as const;
  for (let i = 0; i < n; i++) {
    const a = Array.from({ length: int(1, 3) }, () => int(1, 3));
    const b = a.slice(int(0, a.length - 1)).map((d) => (r() < 0.4 ? 1 : d));
    const op = binary[int(0, binary.length - 1)]!;
    const [sa, sb] = r() < 0.5 ? [a, b] : [b, a];
    out.push({
      name: `random ${op} [${sa}] and [${sb}]`,
      build: (g, p) => g[op](p(sa), p(sb, op === "div" ? "awayFromZero" : "normal")),
    });
    const batchA = Array.from({ length: int(0, 2) }, () => int(1, 2));
    const batchB = batchA.slice(int(0, batchA.length)).map((d) => (r() < 0.5 ? 1 : d));
    const [m, k, nn] = [int(1, 3), int(1, 3), int(1, 3)];
    const transA = r() < 0.5;
    const transB = r() < 0.5;
    const sA = [...batchA, ...(transA ? [k, m] : [m, k])];
    const sB = [...batchB, ...(transB ? [nn, k] : [k, nn])];
    if (sA.length >= 2 && sB.length >= 2) {
      out.push({
        name: `random matmul [${sA}]${transA ? "^T" : ""} @ [${sB}]${transB ? "^T" : ""}`,
        build: (g, p) => g.matmul(p(sA), p(sB), { transA, transB }),
      });
    }
    const picked = a
      .map((_, j) => j)
      .filter(() => r() < 0.5)
      .map((j) => (r() < 0.5 ? j - a.length : j));
    const axes = picked.length > 0 ? picked : [-1];
    const reduce = (["sum", "mean", "max"] as const)[int(0, 2)]!;
    const keep = r() < 0.5;
    out.push({
      name: `random ${reduce} [${a}] axes [${axes}]${keep ? " keepDims" : ""}`,
      build: (g, p) => g[reduce](p(a), axes, keep),
    });
  }
  return out;
}

for (const c of [...cases, ...randomCases(11, 6)]) test(`gradient: ${c.name}`, () => checkGradients(c));

test("gradients: zeros for a param the loss does not use; the loss itself gets 1", async () => {
  const g = new Graph({ floatType: "float64" });
  const x = g.param("x", [2]);
  const unused = g.param("u", [3]);
  const loss = g.sum(g.mul(x, x), []);
  const [gu, gl] = gradients(loss, [unused, loss]);
  g.output("gu", gu!);
  g.output("gl", gl!);
  const s = await Session.create(g);
  const r = await s.run({ x: Float64Array.of(1, 2), u: new Float64Array(3) });
  assert.deepEqual([...(r.gu!.data as Float64Array)], [0, 0, 0]);
  assert.deepEqual([...(r.gl!.data as Float64Array)], [1]);
});

test("gradients: stopGradient passes values but no gradient (d/dx x*sg(x) = sg(x))", async () => {
  const g = new Graph({ floatType: "float64" });
  const x = g.param("x", [3]);
  const [gx] = gradients(g.sum(g.mul(x, g.stopGradient(x)), []), [x]);
  g.output("gx", gx!);
  const r = await (await Session.create(g)).run({ x: Float64Array.of(1, -2, 3) });
  assert.deepEqual([...(r.gx!.data as Float64Array)], [1, -2, 3]);
});

test("gradients: rejects a non-scalar loss and integer wrt", () => {
  const g = new Graph();
  const x = g.param("x", [2]);
  assert.throws(() => gradients(x, [x]), /loss must be a float scalar, got float32 \[2\]/);
  const i = g.input("i", "int64", [1]);
  assert.throws(() => gradients(g.sum(x, []), [i]), /only float tensors have gradients/);
});

test("gradients: only differentiates paths from wrt (no dW for a frozen branch)", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [4, 8]);
  const frozen = g.weight("w", new Float32Array(64), [8, 8]);
  const trained = g.param("v", [8, 8]);
  const loss = g.sum(g.matmul(g.matmul(x, frozen), trained), []);
  const before = g.nodes.length;
  gradients(loss, [trained]);
  const backward = g.nodes.slice(before).filter((n) => n.op === "matmul");
  assert.equal(backward.length, 1, "only dV = (x W)^T dY; no gradient for x or W");
});

test("gradients: contributions meeting at a value are summed once, in one node", () => {
  const g = new Graph();
  const x = g.param("x", [3]);
  const loss = g.sum(g.add(g.add(g.exp(x), g.tanh(x)), g.mul(x, 2)), []);
  const before = g.nodes.length;
  gradients(loss, [x]);
  const sums = g.nodes.slice(before).filter((n) => n.op === "addN");
  assert.equal(sums.length, 1);
  assert.equal(sums[0]!.inputs.length, 3);
});

test("gradients: a second-order request names the op without a rule", () => {
  const g = new Graph();
  const x = g.param("x", [4]);
  const [dx] = gradients(g.sum(g.mul(g.slice(x, [1], [3]), g.slice(x, [1], [3])), []), [x]);
  assert.throws(() => gradients(g.sum(g.mul(dx!, dx!), []), [x]), /no gradient rule for "pad"/);
});

test("gradients at ties follow PyTorch: amax shares evenly, maximum splits in half, relu(0) and clip bounds", async () => {
  const g = new Graph({ floatType: "float64" });
  const x = g.param("x", [3]);
  const a = g.param("a", [2]);
  const b = g.param("b", [2]);
  const loss = g.add(
    g.add(g.sum(g.max(x, [0]), []), g.sum(g.maximum(a, b), [])),
    g.add(g.sum(g.relu(g.sub(x, 1)), []), g.sum(g.clip(x, 1, 3), [])),
  );
  const [gx, ga, gb] = gradients(loss, [x, a, b]);
  g.output("gx", gx!);
  g.output("ga", ga!);
  g.output("gb", gb!);
  const r = await (await Session.create(g)).run({
    x: Float64Array.of(1, 3, 3),
    a: Float64Array.of(1, 2),
    b: Float64Array.of(1, 3),
  });
  // max: [0, .5, .5]; relu(x - 1) at x = 1 gives 0, else 1; clip passes at the bounds: 1 each
  assert.deepEqual([...(r.gx!.data as Float64Array)], [1, 2.5, 2.5]);
  assert.deepEqual([...(r.ga!.data as Float64Array)], [0.5, 0]);
  assert.deepEqual([...(r.gb!.data as Float64Array)], [0.5, 1]);
});
