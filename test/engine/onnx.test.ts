// ONNX serialisation: decode what toOnnx wrote and check it, then let onnxruntime load the re-encoded bytes.
import assert from "node:assert/strict";
import { test } from "node:test";
import * as ort from "onnxruntime-node";
import { Graph, gradients, OPSET, toOnnx } from "../../src/engine/index.js";
import { ModelProto } from "../../src/engine/onnx-proto.js";

interface Decoded {
  irVersion: number;
  opsetImport: { domain?: string; version: number }[];
  graph: {
    node: { opType: string; input: string[]; output: string[] }[];
    initializer: { name: string; dims: number[]; dataType: number; rawData: Uint8Array }[];
    input: {
      name: string;
      type: { tensorType: { elemType: number; shape: { dim: { dimValue: number }[] } } };
    }[];
    output: {
      name: string;
      type: { tensorType: { elemType: number; shape: { dim: { dimValue: number }[] } } };
    }[];
  };
}
const decode = (bytes: Uint8Array): Decoded =>
  ModelProto.toObject(ModelProto.decode(bytes), { longs: Number, defaults: true }) as unknown as Decoded;

function sample(): Graph {
  const g = new Graph();
  const x = g.input("x", "float32", [2, 3]);
  const w = g.weight("w", Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
  const b = g.param("b", [2]);
  g.input("unused", "int64", [4]);
  g.exp(x); // dead: not reachable from the outputs
  const h = g.mul(g.linear(x, w, b), 0.5);
  g.output("y", g.add(h, 0.5));
  g.output("x_again", x);
  return g;
}

test("toOnnx writes opset, inputs, initializers and outputs with static shapes; prunes dead nodes", () => {
  const m = decode(toOnnx(sample(), { weights: "initializers" }));
  assert.equal(OPSET, 20);
  assert.deepEqual(
    m.opsetImport.map((o) => o.version),
    [OPSET],
  );
  assert.equal(m.irVersion, 9);
  const g = m.graph;
  assert.deepEqual(
    g.input.map((i) => [
      i.name,
      i.type.tensorType.elemType,
      i.type.tensorType.shape.dim.map((d) => d.dimValue),
    ]),
    [
      ["x", 1, [2, 3]],
      ["b", 1, [2]],
    ],
    "params and data are graph inputs; the unused input is dropped",
  );
  const w = g.initializer.find((t) => t.name === "w")!;
  assert.deepEqual(w.dims, [3, 2]);
  assert.equal(w.dataType, 1);
  assert.deepEqual([...new Float32Array(new Uint8Array(w.rawData).buffer)], [1, 2, 3, 4, 5, 6]);
  assert.ok(!g.node.some((n) => n.opType === "Exp"), "the dead Exp is pruned");
  const halves = g.initializer.filter(
    (t) => t.dims.length === 0 && new Float32Array(new Uint8Array(t.rawData).buffer)[0] === 0.5,
  );
  assert.equal(halves.length, 1, "the scalar 0.5 is stored once");
  assert.deepEqual(
    g.output.map((o) => [o.name, o.type.tensorType.shape.dim.map((d) => d.dimValue)]),
    [
      ["y", [2, 2]],
      ["x_again", [2, 3]],
    ],
  );
  assert.ok(g.node.some((n) => n.opType === "Identity" && n.input[0] === "x" && n.output[0] === "x_again"));
});

test("by default frozen weights are graph inputs: the model bytes do not hold their values", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [1, 64]);
  const marker = new Float32Array(64 * 64).fill(1234.5); // a value that appears nowhere else in the model
  g.output("y", g.matmul(x, g.weight("w", marker, [64, 64])));
  const bytes = toOnnx(g);
  const m = decode(bytes);
  assert.deepEqual(
    m.graph.input.map((i) => [i.name, i.type.tensorType.shape.dim.map((d) => d.dimValue)]),
    [
      ["x", [1, 64]],
      ["w", [64, 64]],
    ],
  );
  assert.equal(m.graph.initializer.length, 0);
  assert.ok(bytes.length < marker.byteLength / 4, `${bytes.length} bytes: the weight is not serialised`);
  const pattern = new Uint8Array(Float32Array.of(1234.5).buffer);
  const found = bytes.findIndex((_, i) => pattern.every((p, j) => bytes[i + j] === p));
  assert.equal(found, -1, "the weight's bytes do not occur in the model");
  assert.ok(toOnnx(g, { weights: "initializers" }).length > marker.byteLength, "as initializers they do");
});

test("the decoded and re-encoded model runs in onnxruntime with the expected values", async () => {
  const bytes = ModelProto.encode(ModelProto.decode(toOnnx(sample(), { weights: "initializers" }))).finish();
  const s = await ort.InferenceSession.create(bytes);
  const r = await s.run({
    x: new ort.Tensor("float32", Float32Array.of(1, 0, 0, 0, 1, 1), [2, 3]),
    b: new ort.Tensor("float32", Float32Array.of(1, -1), [2]),
  });
  // x @ w = [[1,2],[8,10]]; + b = [[2,1],[9,9]]; * 0.5 + 0.5
  assert.deepEqual([...(r.y!.data as Float32Array)], [1.5, 1, 5, 5]);
  await s.release();
});

test("toOnnx refuses a graph without outputs", () => {
  const g = new Graph();
  g.param("p", [1]);
  assert.throws(() => toOnnx(g), /no outputs; call graph.output/);
});

test("float64 graphs serialise double initializers and scalars", () => {
  const g = new Graph({ floatType: "float64" });
  const x = g.param("x", [2]);
  g.output("y", g.mul(x, g.weight("k", Float32Array.of(0.1, 0.2), [2])));
  const m = decode(toOnnx(g, { weights: "initializers" }));
  const k = m.graph.initializer.find((t) => t.name === "k")!;
  assert.equal(k.dataType, 11);
  assert.deepEqual(
    [...new Float64Array(new Uint8Array(k.rawData).buffer)],
    [Math.fround(0.1), Math.fround(0.2)],
  );
});

test("linear's backward lowers to single 2-D GEMMs: dW = X2d^T dY2d, dX = dY W^T", () => {
  const g = new Graph();
  const x = g.input("x", "float32", [2, 5, 4]);
  const w = g.param("w", [4, 3]);
  const [dw] = gradients(g.sum(g.linear(x, w), []), [w]);
  g.output("dw", dw!);
  const ops = decode(toOnnx(g)).graph.node;
  const gemms = ops.filter((n) => n.opType === "Gemm");
  assert.equal(gemms.length, 1, "dW is one Gemm");
  assert.ok(!ops.some((n) => n.opType === "Transpose"), "no materialised transpose");
  assert.equal(
    ops.filter((n) => n.opType === "MatMul").length,
    0,
    "the forward product is pruned: dW needs X, dY",
  );

  const g2 = new Graph();
  const x2 = g2.param("x", [2, 5, 4]);
  const w2 = g2.weight("w", new Float32Array(12), [4, 3]);
  const [dx] = gradients(g2.sum(g2.linear(x2, w2), []), [x2]);
  g2.output("dx", dx!);
  const ops2 = decode(toOnnx(g2)).graph.node;
  assert.equal(
    ops2.filter((n) => n.opType === "Gemm").length,
    1,
    "dX is one Gemm(transB) on a [rows, out] view",
  );
  assert.ok(!ops2.some((n) => n.opType === "Transpose"));
});
