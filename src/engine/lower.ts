// ONNX lowering of every op kind: one entry per OpKind (a missing entry is a compile error).
// Conventions: shapes/axes/perms are already normalised by the builder (graph.ts); shape-like operands
// (axes, shapes, starts, pads, split sizes) become shared int64 initializers; scalars become shared scalar
// initializers of the operand's dtype.
import { type DType, ONNX_DTYPE } from "./dtype.js";
import type { Node, OpKind, Tensor } from "./node.js";
import type { AttributeMsg } from "./onnx-proto.js";

/** What a lowering may do while emitting its ONNX nodes (implemented in onnx.ts). */
export interface LowerCtx {
  name(t: Tensor): string;
  fresh(): string;
  emit(opType: string, inputs: string[], outputs: string[], attrs?: AttributeMsg[]): void;
  ints(values: readonly number[]): string;
  scalar(value: number, dtype: DType): string;
  graphInput(t: Tensor, name: string): void;
  initializer(t: Tensor, name: string): void;
  /** A frozen `weight` leaf: an initializer, or a graph input the Session feeds itself (see WeightMode). */
  frozenWeight(t: Tensor, name: string): void;
}
export type Lowering = (node: Node, ctx: LowerCtx) => void;

export const attrInt = (name: string, i: number): AttributeMsg => ({ name, type: 2, i });
export const attrFloat = (name: string, f: number): AttributeMsg => ({ name, type: 1, f });
export const attrInts = (name: string, ints: readonly number[]): AttributeMsg => ({
  name,
  type: 7,
  ints: [...ints],
});
export const attrString = (name: string, s: string): AttributeMsg => ({
  name,
  type: 3,
  s: new TextEncoder().encode(s),
});

const ins = (n: Node, ctx: LowerCtx) => n.inputs.map((t) => ctx.name(t));
const out = (n: Node, ctx: LowerCtx, i = 0) => ctx.name(n.outputs[i]!);
/** One ONNX node with the same inputs and output as the graph node. */
const simple =
  (opType: string, attrs: (n: Node) => AttributeMsg[] = () => []): Lowering =>
  (n, ctx) =>
    ctx.emit(opType, ins(n, ctx), [out(n, ctx)], attrs(n));
const reduce =
  (opType: string): Lowering =>
  (n, ctx) =>
    ctx.emit(
      opType,
      [ctx.name(n.inputs[0]!), ctx.ints(n.attrs.axes!)],
      [out(n, ctx)],
      [attrInt("keepdims", n.attrs.keepDims ? 1 : 0)],
    );
const leafInput: Lowering = (n, ctx) => ctx.graphInput(n.outputs[0]!, n.attrs.name!);

/** Swaps the last two axes of a rank-r value. */
function transposeLast2(ctx: LowerCtx, x: string, rank: number): string {
  const perm = [...Array(rank).keys()];
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1]!, perm[rank - 2]!];
  const y = ctx.fresh();
  ctx.emit("Transpose", [x], [y], [attrInts("perm", perm)]);
  return y;
}

const lowerMatmul: Lowering = (n, ctx) => {
  const [a, b] = n.inputs as [Tensor, Tensor];
  const { transA = false, transB = false } = n.attrs;
  const y = out(n, ctx);
  const ra = a.shape.length;
  const rb = b.shape.length;
  if (ra === 2 && rb === 2) {
    if (transA || transB) {
      ctx.emit(
        "Gemm",
        [ctx.name(a), ctx.name(b)],
        [y],
        [attrInt("transA", +transA), attrInt("transB", +transB)],
      );
    } else ctx.emit("MatMul", [ctx.name(a), ctx.name(b)], [y]);
    return;
  }
  if (rb === 2 && !transA) {
    if (!transB) return ctx.emit("MatMul", [ctx.name(a), ctx.name(b)], [y]); // ORT runs N-D x 2-D as one GEMM
    // x [..., k] @ w[n, k]^T: one 2-D Gemm on a [rows, k] view, no materialised transpose
    const a2 = ctx.fresh();
    const y2 = ctx.fresh();
    ctx.emit("Reshape", [ctx.name(a), ctx.ints([-1, a.shape[ra - 1]!])], [a2]);
    ctx.emit("Gemm", [a2, ctx.name(b)], [y2], [attrInt("transB", 1)]);
    ctx.emit("Reshape", [y2, ctx.ints(n.outputs[0]!.shape)], [y]);
    return;
  }
  const an = transA ? transposeLast2(ctx, ctx.name(a), ra) : ctx.name(a);
  const bn = transB ? transposeLast2(ctx, ctx.name(b), rb) : ctx.name(b);
  ctx.emit("MatMul", [an, bn], [y]);
};

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

/**
 * float32: ONNX Gelu (opset 20, tanh approximation), one kernel instead of nine elementwise passes.
 * float64: spelled out, because ORT's double Gelu is only float-accurate (~1e-7 relative).
 */
const lowerGelu: Lowering = (n, ctx) => {
  const x = ctx.name(n.inputs[0]!);
  const dt = n.inputs[0]!.dtype;
  if (dt === "float32") return ctx.emit("Gelu", [x], [out(n, ctx)], [attrString("approximate", "tanh")]);
  // 0.5 x (1 + tanh(k (x + c x^3)))
  const [x2, x3, cx3, s, inner, t, t1, hx] = Array.from({ length: 8 }, () => ctx.fresh());
  ctx.emit("Mul", [x, x], [x2!]);
  ctx.emit("Mul", [x2!, x], [x3!]);
  ctx.emit("Mul", [x3!, ctx.scalar(GELU_C, dt)], [cx3!]);
  ctx.emit("Add", [x, cx3!], [s!]);
  ctx.emit("Mul", [s!, ctx.scalar(GELU_K, dt)], [inner!]);
  ctx.emit("Tanh", [inner!], [t!]);
  ctx.emit("Add", [t!, ctx.scalar(1, dt)], [t1!]);
  ctx.emit("Mul", [x, ctx.scalar(0.5, dt)], [hx!]);
  ctx.emit("Mul", [hx!, t1!], [out(n, ctx)]);
};

const lowerPow: Lowering = (n, ctx) => {
  const x = ctx.name(n.inputs[0]!);
  const p = n.attrs.p!;
  if (p === 2) ctx.emit("Mul", [x, x], [out(n, ctx)]);
  else if (p === 0.5) ctx.emit("Sqrt", [x], [out(n, ctx)]);
  else ctx.emit("Pow", [x, ctx.scalar(p, n.inputs[0]!.dtype)], [out(n, ctx)]);
};

const lowerClip: Lowering = (n, ctx) => {
  const dt = n.inputs[0]!.dtype;
  const lo = n.attrs.lo === undefined ? "" : ctx.scalar(n.attrs.lo, dt);
  const hi = n.attrs.hi === undefined ? "" : ctx.scalar(n.attrs.hi, dt);
  ctx.emit("Clip", [ctx.name(n.inputs[0]!), lo, hi], [out(n, ctx)]);
};

const lowerSlice: Lowering = (n, ctx) => {
  const x = n.inputs[0]!;
  const { axes = [], starts = [], ends = [], steps = [] } = n.attrs;
  // a normalised end of -1 with a negative step means "through index 0": ONNX needs a value below -dim
  const onnxEnds = ends.map((e, i) => (e === -1 && steps[i]! < 0 ? -x.shape[axes[i]!]! - 1 : e));
  ctx.emit(
    "Slice",
    [ctx.name(x), ctx.ints(starts), ctx.ints(onnxEnds), ctx.ints(axes), ctx.ints(steps)],
    [out(n, ctx)],
  );
};

const lowerLayerNorm: Lowering = (n, ctx) => {
  const dt = n.inputs[0]!.dtype;
  const [x, gamma, beta] = ins(n, ctx) as [string, string, string];
  const [y, mean, invStd] = n.outputs.map((t) => ctx.name(t)) as [string, string, string];
  const eps = n.attrs.eps!;
  if (dt === "float32") {
    const attrs = [attrInt("axis", -1), attrFloat("epsilon", eps), attrInt("stash_type", 1)];
    return ctx.emit("LayerNormalization", [x, gamma, beta], [y, mean, invStd], attrs);
  }
  // ORT has no double LayerNormalization kernel: spell it out (same outputs)
  const last = ctx.ints([-1]);
  const [d, d2, v, ve, sd, xh, xg] = Array.from({ length: 7 }, () => ctx.fresh());
  ctx.emit("ReduceMean", [x, last], [mean], [attrInt("keepdims", 1)]);
  ctx.emit("Sub", [x, mean], [d!]);
  ctx.emit("Mul", [d!, d!], [d2!]);
  ctx.emit("ReduceMean", [d2!, last], [v!], [attrInt("keepdims", 1)]);
  ctx.emit("Add", [v!, ctx.scalar(eps, dt)], [ve!]);
  ctx.emit("Sqrt", [ve!], [sd!]);
  ctx.emit("Reciprocal", [sd!], [invStd]);
  ctx.emit("Mul", [d!, invStd], [xh!]);
  ctx.emit("Mul", [xh!, gamma], [xg!]);
  ctx.emit("Add", [xg!, beta], [y]);
};

/** ORT has no double Erf kernel: float64 graphs evaluate erf in float32 (about 1e-7 relative error). */
const lowerErf: Lowering = (n, ctx) => {
  if (n.inputs[0]!.dtype === "float32") return ctx.emit("Erf", ins(n, ctx), [out(n, ctx)]);
  const [x32, y32] = [ctx.fresh(), ctx.fresh()];
  ctx.emit("Cast", ins(n, ctx), [x32], [attrInt("to", ONNX_DTYPE.float32)]);
  ctx.emit("Erf", [x32], [y32]);
  ctx.emit("Cast", [y32], [out(n, ctx)], [attrInt("to", ONNX_DTYPE.float64)]);
};

const lowerZeros: Lowering = (n, ctx) => {
  const dt = n.outputs[0]!.dtype;
  const bytes = dt === "float64" || dt === "int64" ? 8 : dt === "bool" ? 1 : 4;
  const value: AttributeMsg = {
    name: "value",
    type: 4,
    t: { dims: [1], dataType: ONNX_DTYPE[dt], rawData: new Uint8Array(bytes) },
  };
  ctx.emit("ConstantOfShape", [ctx.ints(n.attrs.shape!)], [out(n, ctx)], [value]);
};

export const LOWERINGS: Record<OpKind, Lowering> = {
  input: leafInput,
  param: leafInput,
  weight: (n, ctx) => ctx.frozenWeight(n.outputs[0]!, n.attrs.name!),
  constant: (n, ctx) => ctx.initializer(n.outputs[0]!, ctx.name(n.outputs[0]!)),
  add: simple("Add"),
  sub: simple("Sub"),
  mul: simple("Mul"),
  div: simple("Div"),
  minimum: simple("Min"),
  maximum: simple("Max"),
  pow: lowerPow,
  neg: simple("Neg"),
  abs: simple("Abs"),
  exp: simple("Exp"),
  log: simple("Log"),
  sqrt: simple("Sqrt"),
  tanh: simple("Tanh"),
  relu: simple("Relu"),
  erf: lowerErf,
  sigmoid: simple("Sigmoid"),
  gelu: lowerGelu,
  clip: lowerClip,
  where: simple("Where"),
  equal: simple("Equal"),
  less: simple("Less"),
  greater: simple("Greater"),
  logicalAnd: simple("And"),
  logicalOr: simple("Or"),
  logicalNot: simple("Not"),
  cast: simple("Cast", (n) => [attrInt("to", ONNX_DTYPE[n.attrs.to!])]),
  stopGradient: simple("Identity"),
  sum: reduce("ReduceSum"),
  mean: reduce("ReduceMean"),
  max: reduce("ReduceMax"),
  argMax: simple("ArgMax", (n) => [
    attrInt("axis", n.attrs.axis!),
    attrInt("keepdims", n.attrs.keepDims ? 1 : 0),
  ]),
  softmax: simple("Softmax", (n) => [attrInt("axis", n.attrs.axis!)]),
  logSoftmax: simple("LogSoftmax", (n) => [attrInt("axis", n.attrs.axis!)]),
  layerNorm: lowerLayerNorm,
  matmul: lowerMatmul,
  gather: simple("Gather", (n) => [attrInt("axis", n.attrs.axis!)]),
  gatherElements: simple("GatherElements", (n) => [attrInt("axis", n.attrs.axis!)]),
  reshape: (n, ctx) => ctx.emit("Reshape", [ctx.name(n.inputs[0]!), ctx.ints(n.attrs.shape!)], [out(n, ctx)]),
  transpose: simple("Transpose", (n) => [attrInts("perm", n.attrs.perm!)]),
  slice: lowerSlice,
  concat: simple("Concat", (n) => [attrInt("axis", n.attrs.axis!)]),
  split: (n, ctx) =>
    ctx.emit(
      "Split",
      [ctx.name(n.inputs[0]!), ctx.ints(n.attrs.sizes!)],
      n.outputs.map((t) => ctx.name(t)),
      [attrInt("axis", n.attrs.axis!)],
    ),
  topK: (n, ctx) =>
    ctx.emit(
      "TopK",
      [ctx.name(n.inputs[0]!), ctx.ints([n.attrs.k!])],
      n.outputs.map((t) => ctx.name(t)),
      [attrInt("axis", n.attrs.axis!), attrInt("largest", 1), attrInt("sorted", 1)],
    ),
  expand: (n, ctx) => ctx.emit("Expand", [ctx.name(n.inputs[0]!), ctx.ints(n.attrs.shape!)], [out(n, ctx)]),
  zeros: lowerZeros,
  scatterNDAdd: simple("ScatterND", () => [attrString("reduction", "add")]),
  scatterElementsAdd: simple("ScatterElements", (n) => [
    attrInt("axis", n.attrs.axis!),
    attrString("reduction", "add"),
  ]),
  pad: (n, ctx) => ctx.emit("Pad", [ctx.name(n.inputs[0]!), ctx.ints(n.attrs.pads!)], [out(n, ctx)]),
  addN: simple("Sum"),
};
