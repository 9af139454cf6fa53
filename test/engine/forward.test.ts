// Op forward values through ORT against hand-computed values and plain-TypeScript references.
import assert from "node:assert/strict";
import { test } from "node:test";
import { type Feed, Graph, Session, type Tensor } from "../../src/engine/index.js";
import { rng } from "./gradcheck.js";

async function run(g: Graph, feeds: Record<string, Feed> = {}): Promise<Record<string, number[]>> {
  const s = await Session.create(g, { threads: 1 });
  const r = await s.run(feeds);
  await s.release();
  return Object.fromEntries(
    Object.entries(r).map(([k, v]) => [k, Array.from(v.data as ArrayLike<number | bigint>, Number)]),
  );
}

function close(actual: number[], expected: number[], tol = 1e-5, what = ""): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => {
    assert.ok(
      Math.abs(a - expected[i]!) <= tol * (1 + Math.abs(expected[i]!)),
      `${what}[${i}]: ${a} vs ${expected[i]}`,
    );
  });
}

/** Plain row-major batched matmul reference for [..., m, k] @ [k, n] with explicit per-batch offsets. */
function matmulRef(a: number[], b: number[], m: number, k: number, n: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let q = 0; q < k; q++) s += a[i * k + q]! * b[q * n + j]!;
      out.push(s);
    }
  return out;
}
const transpose2 = (a: number[], r: number, c: number) =>
  Array.from({ length: r * c }, (_, i) => a[(i % r) * c + Math.floor(i / r)]!);
const randArray = (n: number, seed: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => r() * 2 - 1);
};

test("elementwise ops with broadcasting match hand values", async () => {
  const g = new Graph();
  const a = g.constant([1, 2, 3, 4, 5, 6], [2, 3]);
  const b = g.constant([10, 20, 30], [3]);
  const c = g.constant([2, 4], [2, 1]);
  g.output("add", g.add(a, b));
  g.output("sub", g.sub(a, c));
  g.output("mul", g.mul(c, b));
  g.output("div", g.div(a, c));
  g.output("min", g.minimum(a, 3.5));
  g.output("max", g.maximum(a, 3.5));
  g.output("pow", g.pow(a, 3));
  g.output("rsub", g.sub(1, a));
  const r = await run(g);
  assert.deepEqual(r.add, [11, 22, 33, 14, 25, 36]);
  assert.deepEqual(r.sub, [-1, 0, 1, 0, 1, 2]);
  assert.deepEqual(r.mul, [20, 40, 60, 40, 80, 120]);
  assert.deepEqual(r.div, [0.5, 1, 1.5, 1, 1.25, 1.5]);
  assert.deepEqual(r.min, [1, 2, 3, 3.5, 3.5, 3.5]);
  assert.deepEqual(r.max, [3.5, 3.5, 3.5, 4, 5, 6]);
  assert.deepEqual(r.pow, [1, 8, 27, 64, 125, 216]);
  assert.deepEqual(r.rsub, [0, -1, -2, -3, -4, -5]);
});

test("unary ops match reference values (float32 and float64)", async () => {
  for (const floatType of ["float32", "float64"] as const) {
    const xs = [-2, -0.5, 0, 0.5, 1, 3];
    const g = new Graph({ floatType });
    const x = g.input("x", floatType, [6]);
    const ops: Record<string, (t: Tensor) => Tensor> = {
      neg: (t) => g.neg(t),
      exp: (t) => g.exp(t),
      tanh: (t) => g.tanh(t),
      relu: (t) => g.relu(t),
      erf: (t) => g.erf(t),
      sigmoid: (t) => g.sigmoid(t),
      gelu: (t) => g.gelu(t),
      clip: (t) => g.clip(t, -1, 0.7),
      clipHi: (t) => g.clip(t, undefined, 0.7),
      sqrtAbs: (t) => g.sqrt(g.add(g.mul(t, t), 1)),
      logAbs: (t) => g.log(g.add(g.mul(t, t), 1)),
      powHalf: (t) => g.pow(g.add(g.mul(t, t), 1), -0.5),
    };
    for (const [name, f] of Object.entries(ops)) g.output(name, f(x));
    const A = floatType === "float32" ? Float32Array : Float64Array;
    const r = await run(g, { x: A.from(xs) });
    const erf = [
      -0.9953222650189527, -0.5204998778130465, 0, 0.5204998778130465, 0.8427007929497149, 0.9999779095030014,
    ];
    const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    const tol = floatType === "float32" ? 1e-6 : 1e-12;
    close(
      r.neg!,
      xs.map((v) => -v),
      tol,
      "neg",
    );
    close(r.exp!, xs.map(Math.exp), tol, "exp");
    close(r.tanh!, xs.map(Math.tanh), tol, "tanh");
    close(
      r.relu!,
      xs.map((v) => Math.max(v, 0)),
      tol,
      "relu",
    );
    close(r.erf!, erf, 1e-6, "erf"); // float32 kernel in both graphs
    close(
      r.sigmoid!,
      xs.map((v) => 1 / (1 + Math.exp(-v))),
      tol,
      "sigmoid",
    );
    close(r.gelu!, xs.map(gelu), tol, "gelu");
    close(r.clip!, [-1, -0.5, 0, 0.5, 0.7, 0.7], tol, "clip");
    close(r.clipHi!, [-2, -0.5, 0, 0.5, 0.7, 0.7], tol, "clipHi");
    close(
      r.sqrtAbs!,
      xs.map((v) => Math.sqrt(v * v + 1)),
      tol,
      "sqrt",
    );
    close(
      r.logAbs!,
      xs.map((v) => Math.log(v * v + 1)),
      tol,
      "log",
    );
    close(
      r.powHalf!,
      xs.map((v) => (v * v + 1) ** -0.5),
      tol,
      "pow",
    );
  }
});

test("comparisons, where and cast", async () => {
  const g = new Graph();
  const x = g.input("x", "float32", [5]);
  const ids = g.input("ids", "int64", [3]);
  g.output("eq", g.equal(x, 1));
  g.output("lt", g.less(x, 1));
  g.output("gt", g.greater(x, g.constant([0, 0, 0, 0, 0], [5])));
  g.output("where", g.where(g.less(x, 0), 0, x));
  g.output("toInt", g.cast(x, "int64"));
  g.output("idsPlus", g.add(ids, 1)); // a number beside an int64 tensor becomes an int64 constant
  g.output("idsFloat", g.cast(ids, "float32"));
  const r = await run(g, { x: Float32Array.of(-2.7, 0, 1, 2.7, -0.5), ids: BigInt64Array.of(3n, -1n, 7n) });
  assert.deepEqual(r.eq, [0, 0, 1, 0, 0]);
  assert.deepEqual(r.lt, [1, 1, 0, 0, 1]);
  assert.deepEqual(r.gt, [0, 0, 1, 1, 0]);
  close(r.where!, [0, 0, 1, 2.7, 0], 1e-7, "where");
  assert.deepEqual(r.toInt, [-2, 0, 1, 2, 0]); // ONNX Cast truncates toward zero
  assert.deepEqual(r.idsPlus, [4, 0, 8]);
  assert.deepEqual(r.idsFloat, [3, -1, 7]);
});

test("abs, logical ops, argMax and topK", async () => {
  const g = new Graph();
  const x = g.constant([3, -1, 4, -1.5, 5, 9, -2, 6], [2, 4]);
  const pos = g.greater(x, 0);
  const big = g.greater(x, 4);
  g.output("abs", g.abs(x));
  g.output("and", g.logicalAnd(pos, g.logicalNot(big)));
  g.output("or", g.logicalOr(g.less(x, -1.2), big));
  g.output("argMax", g.argMax(x));
  g.output("argMax0", g.argMax(x, 0, true));
  const [values, indices] = g.topK(x, 2);
  g.output("topV", values);
  g.output("topI", indices);
  const r = await run(g);
  assert.deepEqual(r.abs, [3, 1, 4, 1.5, 5, 9, 2, 6]);
  assert.deepEqual(r.and, [1, 0, 1, 0, 0, 0, 0, 0]);
  assert.deepEqual(r.or, [0, 0, 0, 1, 1, 1, 1, 1]);
  assert.deepEqual(r.argMax, [2, 1]);
  assert.deepEqual(r.argMax0, [1, 1, 0, 1]);
  assert.deepEqual(r.topV, [4, 3, 9, 6]);
  assert.deepEqual(r.topI, [2, 0, 1, 3]);
});

test("reductions over positive, negative and all axes", async () => {
  const g = new Graph();
  const x = g.constant([1, 5, 3, 4, 2, 6], [2, 3]);
  g.output("sum0", g.sum(x, [0]));
  g.output("sumNeg", g.sum(x, [-1], true));
  g.output("sumAll", g.sum(x, []));
  g.output("mean", g.mean(x, [1]));
  g.output("max", g.max(x, [-1]));
  g.output("maxAll", g.max(x, [0, 1]));
  const r = await run(g);
  assert.deepEqual(r.sum0, [5, 7, 9]);
  assert.deepEqual(r.sumNeg, [9, 12]);
  assert.deepEqual(r.sumAll, [21]);
  assert.deepEqual(r.mean, [3, 4]);
  assert.deepEqual(r.max, [5, 6]);
  assert.deepEqual(r.maxAll, [6]);
});

test("softmax, logSoftmax and layerNorm match plain references", async () => {
  for (const floatType of ["float32", "float64"] as const) {
    const [rows, c] = [3, 5];
    const xs = randArray(rows * c, 7).map((v) => v * 3);
    const gamma = randArray(c, 8);
    const beta = randArray(c, 9);
    const g = new Graph({ floatType });
    const x = g.constant(xs, [rows, c]);
    g.output("sm", g.softmax(x));
    g.output("lsm", g.logSoftmax(x, 1));
    g.output("sm0", g.softmax(x, 0));
    g.output("ln", g.layerNorm(x, g.constant(gamma), g.constant(beta), 1e-5));
    const r = await run(g);
    const sm: number[] = [];
    const lsm: number[] = [];
    const ln: number[] = [];
    for (let i = 0; i < rows; i++) {
      const row = xs.slice(i * c, (i + 1) * c);
      const m = Math.max(...row);
      const z = row.reduce((s, v) => s + Math.exp(v - m), 0);
      row.forEach((v) => {
        sm.push(Math.exp(v - m) / z);
        lsm.push(v - m - Math.log(z));
      });
      const mean = row.reduce((s, v) => s + v, 0) / c;
      const variance = row.reduce((s, v) => s + (v - mean) ** 2, 0) / c;
      row.forEach((v, j) => {
        ln.push(((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[j]! + beta[j]!);
      });
    }
    const sm0: number[] = [];
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < c; j++) {
        const col = [0, 1, 2].map((q) => xs[q * c + j]!);
        sm0.push(Math.exp(xs[i * c + j]!) / col.reduce((s, v) => s + Math.exp(v), 0));
      }
    const tol = floatType === "float32" ? 2e-6 : 1e-12;
    close(r.sm!, sm, tol, `softmax ${floatType}`);
    close(r.lsm!, lsm, tol, `logSoftmax ${floatType}`);
    close(r.sm0!, sm0, tol, `softmax axis 0 ${floatType}`);
    close(r.ln!, ln, floatType === "float32" ? 1e-5 : 1e-12, `layerNorm ${floatType}`);
  }
});

test("matmul: transposes, batch broadcast and the N-D x 2-D paths match a plain reference", async () => {
  const [m, k, n] = [3, 4, 2];
  const a = randArray(2 * m * k, 1); // two batches of [m, k]
  const b = randArray(k * n, 2);
  const g = new Graph({ floatType: "float64" });
  const A = g.constant(a, [2, m, k]);
  const B = g.constant(b, [k, n]);
  const A0 = g.constant(a.slice(0, m * k), [m, k]);
  g.output("nd2d", g.matmul(A, B));
  g.output("nd2dT", g.matmul(A, g.constant(transpose2(b, k, n), [n, k]), { transB: true }));
  g.output("tA", g.matmul(g.constant(transpose2(a.slice(0, m * k), m, k), [k, m]), B, { transA: true }));
  g.output(
    "tAtB",
    g.matmul(
      g.constant(transpose2(a.slice(0, m * k), m, k), [k, m]),
      g.constant(transpose2(b, k, n), [n, k]),
      { transA: true, transB: true },
    ),
  );
  g.output(
    "bcast",
    g.matmul(g.reshape(A, [2, 1, m, k]), g.reshape(g.concat([B, g.mul(B, 2)], 0), [2, k, n])),
  ); // [2,2,m,n]
  g.output("linear", g.linear(A0, B, g.constant([1, -1])));
  const r = await run(g);
  const ref0 = matmulRef(a.slice(0, m * k), b, m, k, n);
  const ref1 = matmulRef(a.slice(m * k), b, m, k, n);
  close(r.nd2d!, [...ref0, ...ref1], 1e-12, "N-D x 2-D");
  close(r.nd2dT!, [...ref0, ...ref1], 1e-12, "N-D x 2-D transB");
  close(r.tA!, ref0, 1e-12, "transA");
  close(r.tAtB!, ref0, 1e-12, "transA transB");
  const twice = (v: number[]) => v.map((x) => 2 * x);
  close(r.bcast!, [...ref0, ...twice(ref0), ...ref1, ...twice(ref1)], 1e-12, "broadcast batch");
  close(
    r.linear!,
    ref0.map((v, i) => v + (i % 2 === 0 ? 1 : -1)),
    1e-12,
    "linear",
  );
});

test("indexing and shape ops", async () => {
  const g = new Graph();
  const table = g.constant([0, 1, 10, 11, 20, 21, 30, 31], [4, 2]);
  const x = g.constant([0, 1, 2, 3, 4, 5], [2, 3]);
  g.output("gather", g.gather(table, g.constant([3, 0, 3], [3], "int64")));
  g.output("gather1", g.gather(x, g.constant([2, 0], [1, 2], "int32"), 1)); // [2,1,2]
  g.output("gElem", g.gatherElements(x, g.constant([2, 0, 1, 1], [2, 2], "int64"), 1));
  g.output("reshape", g.reshape(x, [3, -1]));
  g.output("transpose", g.transpose(x, [1, 0]));
  g.output("slice", g.slice(x, [0, -2], [1, 3]));
  g.output("sliceRev", g.slice(x, [-1], [-100], [1], [-1]));
  g.output("sliceStep", g.slice(x, [0], [3], [1], [2]));
  g.output("concat", g.concat([x, g.slice(x, [0], [1], [1])], 1));
  const [s0, s1] = g.split(x, [1, 2], -1);
  g.output("split0", s0!);
  g.output("split1", s1!);
  const r = await run(g);
  assert.deepEqual(r.gather, [30, 31, 0, 1, 30, 31]);
  assert.deepEqual(r.gather1, [2, 0, 5, 3]);
  assert.deepEqual(r.gElem, [2, 0, 4, 4]);
  assert.deepEqual(r.reshape, [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(r.transpose, [0, 3, 1, 4, 2, 5]);
  assert.deepEqual(r.slice, [1, 2]);
  assert.deepEqual(r.sliceRev, [2, 1, 0, 5, 4, 3]);
  assert.deepEqual(r.sliceStep, [0, 2, 3, 5]);
  assert.deepEqual(r.concat, [0, 1, 2, 0, 3, 4, 5, 3]);
  assert.deepEqual(r.split0, [0, 3]);
  assert.deepEqual(r.split1, [1, 2, 4, 5]);
});

test("builder shape rules reject bad operands with a clear message", () => {
  const g = new Graph();
  const a = g.param("a", [2, 3]);
  assert.throws(() => g.add(a, g.param("b", [4])), /add: shapes \[2,3\] and \[4\] do not broadcast/);
  assert.throws(
    () => g.matmul(a, g.param("c", [2, 3])),
    /matmul: shapes \[2,3\] and \[2,3\] do not multiply/,
  );
  assert.throws(() => g.reshape(a, [4, -1]), /reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,-1\]/);
  assert.throws(() => g.sum(a, [2]), /sum: axis 2 is out of range for a rank-2 tensor/);
  assert.throws(() => g.param("a", [1]), /the name "a" is already used/);
  assert.throws(() => g.add(a, g.input("i", "int64", [3])), /operand dtypes differ \(float32 vs int64\)/);
  assert.throws(() => g.gather(a, a), /indices must be int64 or int32, got float32/);
  assert.throws(() => g.split(a, [1, 1], 1), /sizes \[1,1\] must add up to 3/);
  const other = new Graph();
  assert.throws(() => g.add(a, other.param("z", [3])), /belongs to another graph/);
});
