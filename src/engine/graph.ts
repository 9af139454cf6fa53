// The symbolic graph builder. Each builder method is an op's shape/dtype rule: it checks its operands, works out
// the result's static shape and dtype, and appends one node. Lowering to ONNX is in lower.ts, gradients in
// grad-rules.ts. Composites (linear, gelu) are built here from primitives.
import { type DType, type FloatType, isFloat, isInt, numel, shapeStr } from "./dtype.js";
import type { Attrs, Node, OpKind, Tensor, TensorLike } from "./node.js";
import { broadcastShapes, constData, GraphError, normAxis, sliceRange } from "./shapes.js";

export type { Tensor, TensorLike } from "./node.js";
export { broadcastShapes, GraphError } from "./shapes.js";

class SymbolicTensor implements Tensor {
  constructor(
    readonly id: number,
    readonly dtype: DType,
    readonly shape: readonly number[],
    readonly graph: Graph,
  ) {}
}

export class Graph {
  readonly floatType: FloatType;
  readonly nodes: Node[] = [];
  /** Names given with output(), in call order. */
  readonly outputs: { name: string; tensor: Tensor }[] = [];
  private readonly producers = new Map<number, { node: Node; index: number }>();
  private readonly leafNames = new Set<string>();
  private readonly scalars = new Map<string, Tensor>();
  private nextId = 0;

  constructor(opts: { floatType?: FloatType } = {}) {
    this.floatType = opts.floatType ?? "float32";
  }

  /** The node that computes t, and which of its outputs t is. */
  producer(t: Tensor): { node: Node; index: number } {
    const p = this.producers.get(t.id);
    if (!p || t.graph !== this) throw new GraphError(`tensor ${t.id} does not belong to this graph`);
    return p;
  }

  /** Appends a node; internal, used by builder methods and gradient rules. */
  node(op: OpKind, inputs: Tensor[], outs: { dtype: DType; shape: number[] }[], attrs: Attrs = {}): Tensor[] {
    for (const t of inputs) {
      if (t.graph !== this) throw new GraphError(`${op}: operand tensor ${t.id} belongs to another graph`);
    }
    const outputs = outs.map((o) => new SymbolicTensor(this.nextId++, o.dtype, o.shape, this));
    const node: Node = { id: this.nodes.length, op, inputs, outputs, attrs };
    this.nodes.push(node);
    outputs.forEach((t, index) => {
      this.producers.set(t.id, { node, index });
    });
    return outputs;
  }

  private node1(op: OpKind, inputs: Tensor[], dtype: DType, shape: number[], attrs: Attrs = {}): Tensor {
    return this.node(op, inputs, [{ dtype, shape }], attrs)[0]!;
  }

  // ---- leaves ----
  private leafName(kind: string, name: string): void {
    if (!name || name.startsWith("/")) {
      throw new GraphError(`${kind}: "${name}" is not a valid name (non-empty, not starting with "/")`);
    }
    if (this.leafNames.has(name))
      throw new GraphError(`${kind}: the name "${name}" is already used in this graph`);
    this.leafNames.add(name);
  }

  private checkShape(what: string, shape: readonly number[]): void {
    if (!shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new GraphError(`${what}: shape ${shapeStr(shape)} must hold non-negative integers`);
    }
  }

  /** Data fed at run time. */
  input(name: string, dtype: DType, shape: number[]): Tensor {
    this.leafName("input", name);
    this.checkShape(`input "${name}"`, shape);
    return this.node1("input", [], dtype, [...shape], { name });
  }

  /** Trainable parameter of the graph's float type, fed at run time. */
  param(name: string, shape: number[]): Tensor {
    this.leafName("param", name);
    this.checkShape(`param "${name}"`, shape);
    return this.node1("param", [], this.floatType, [...shape], { name });
  }

  /** Frozen values stored inside the model as an ONNX initializer. */
  weight(name: string, data: Float32Array | Float64Array, shape: number[]): Tensor {
    this.leafName("weight", name);
    this.checkShape(`weight "${name}"`, shape);
    if (data.length !== numel(shape)) {
      throw new GraphError(
        `weight "${name}": ${data.length} values do not fill shape ${shapeStr(shape)} (${numel(shape)} elements)`,
      );
    }
    const typed =
      this.floatType === "float32"
        ? data instanceof Float32Array
          ? data
          : Float32Array.from(data)
        : data instanceof Float64Array
          ? data
          : Float64Array.from(data);
    return this.node1("weight", [], this.floatType, [...shape], { name, data: typed });
  }

  /** A constant; scalars of equal dtype and value are shared. */
  constant(value: number | ArrayLike<number>, shape?: number[], dtype: DType = this.floatType): Tensor {
    const values = typeof value === "number" ? [value] : Array.from(value);
    const dims = shape ?? (typeof value === "number" ? [] : [values.length]);
    this.checkShape("constant", dims);
    if (values.length !== numel(dims)) {
      throw new GraphError(
        `constant: ${values.length} values do not fill shape ${shapeStr(dims)} (${numel(dims)} elements)`,
      );
    }
    const key = dims.length === 0 ? `${dtype}:${values[0]}` : undefined;
    const cached = key ? this.scalars.get(key) : undefined;
    if (cached) return cached;
    const t = this.node1("constant", [], dtype, [...dims], { data: constData(values, dtype) });
    if (key) this.scalars.set(key, t);
    return t;
  }

  private lift(x: TensorLike, like?: TensorLike): Tensor {
    if (typeof x !== "number") return x;
    return this.constant(x, [], typeof like === "number" || like === undefined ? this.floatType : like.dtype);
  }

  // ---- elementwise ----
  private binary(op: OpKind, a: TensorLike, b: TensorLike, outDtype?: DType): Tensor {
    const x = this.lift(a, b);
    const y = this.lift(b, a);
    if (x.dtype !== y.dtype) {
      throw new GraphError(`${op}: operand dtypes differ (${x.dtype} vs ${y.dtype}); cast one of them first`);
    }
    const logical = op === "logicalAnd" || op === "logicalOr";
    if (logical !== (x.dtype === "bool") && op !== "equal") {
      if (logical) throw new GraphError(`${op}: needs bool operands, got ${x.dtype}`);
      throw new GraphError(`${op}: needs numeric operands, got bool; cast to a number type first`);
    }
    const shape = broadcastShapes(x.shape, y.shape);
    if (!shape) {
      throw new GraphError(`${op}: shapes ${shapeStr(x.shape)} and ${shapeStr(y.shape)} do not broadcast`);
    }
    return this.node1(op, [x, y], outDtype ?? x.dtype, shape);
  }

  private unary(op: OpKind, x: Tensor, attrs: Attrs = {}): Tensor {
    if (!isFloat(x.dtype) && op !== "neg")
      throw new GraphError(`${op}: needs a float tensor, got ${x.dtype}`);
    return this.node1(op, [x], x.dtype, [...x.shape], attrs);
  }

  add(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("add", a, b);
  }
  sub(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("sub", a, b);
  }
  mul(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("mul", a, b);
  }
  div(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("div", a, b);
  }
  minimum(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("minimum", a, b);
  }
  maximum(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("maximum", a, b);
  }
  equal(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("equal", a, b, "bool");
  }
  less(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("less", a, b, "bool");
  }
  greater(a: TensorLike, b: TensorLike): Tensor {
    return this.binary("greater", a, b, "bool");
  }

  logicalAnd(a: Tensor, b: Tensor): Tensor {
    return this.binary("logicalAnd", a, b, "bool");
  }
  logicalOr(a: Tensor, b: Tensor): Tensor {
    return this.binary("logicalOr", a, b, "bool");
  }
  logicalNot(x: Tensor): Tensor {
    if (x.dtype !== "bool") throw new GraphError(`logicalNot: needs a bool tensor, got ${x.dtype}`);
    return this.node1("logicalNot", [x], "bool", [...x.shape]);
  }

  pow(x: Tensor, p: number): Tensor {
    if (p === 1) return x;
    return this.unary("pow", x, { p });
  }
  neg(x: Tensor): Tensor {
    return this.unary("neg", x);
  }
  abs(x: Tensor): Tensor {
    return this.unary("abs", x);
  }
  exp(x: Tensor): Tensor {
    return this.unary("exp", x);
  }
  log(x: Tensor): Tensor {
    return this.unary("log", x);
  }
  sqrt(x: Tensor): Tensor {
    return this.unary("sqrt", x);
  }
  tanh(x: Tensor): Tensor {
    return this.unary("tanh", x);
  }
  relu(x: Tensor): Tensor {
    return this.unary("relu", x);
  }
  erf(x: Tensor): Tensor {
    return this.unary("erf", x);
  }
  sigmoid(x: Tensor): Tensor {
    return this.unary("sigmoid", x);
  }
  /** tanh approximation (Hugging Face "gelu_new"): 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
  gelu(x: Tensor): Tensor {
    return this.unary("gelu", x);
  }
  clip(x: Tensor, lo?: number, hi?: number): Tensor {
    if (lo !== undefined && hi !== undefined && lo > hi) throw new GraphError(`clip: lo ${lo} > hi ${hi}`);
    return this.unary("clip", x, { lo, hi });
  }

  where(cond: Tensor, a: TensorLike, b: TensorLike): Tensor {
    if (cond.dtype !== "bool") throw new GraphError(`where: the condition must be bool, got ${cond.dtype}`);
    const x = this.lift(a, b);
    const y = this.lift(b, a);
    if (x.dtype !== y.dtype) throw new GraphError(`where: branch dtypes differ (${x.dtype} vs ${y.dtype})`);
    const s1 = broadcastShapes(x.shape, y.shape);
    const shape = s1 && broadcastShapes(cond.shape, s1);
    if (!shape) {
      throw new GraphError(
        `where: shapes ${shapeStr(cond.shape)}, ${shapeStr(x.shape)}, ${shapeStr(y.shape)} do not broadcast`,
      );
    }
    return this.node1("where", [cond, x, y], x.dtype, shape);
  }

  cast(x: Tensor, dtype: DType): Tensor {
    if (x.dtype === dtype) return x;
    return this.node1("cast", [x], dtype, [...x.shape], { to: dtype });
  }

  /** Identity in the forward pass; no gradient flows through it. */
  stopGradient(x: Tensor): Tensor {
    return this.node1("stopGradient", [x], x.dtype, [...x.shape]);
  }

  // ---- reductions ----
  private reduce(op: "sum" | "mean" | "max", x: Tensor, axes: number[], keepDims = false): Tensor {
    const rank = x.shape.length;
    const norm = axes.length === 0 ? x.shape.map((_, i) => i) : axes.map((a) => normAxis(a, rank, op));
    const set = new Set(norm);
    if (set.size !== norm.length) throw new GraphError(`${op}: repeated axis in [${axes.join(",")}]`);
    const sorted = [...set].sort((p, q) => p - q);
    const shape: number[] = [];
    x.shape.forEach((d, i) => {
      if (!set.has(i)) shape.push(d);
      else if (keepDims) shape.push(1);
    });
    return this.node1(op, [x], x.dtype, shape, { axes: sorted, keepDims });
  }

  /** Sum over axes (negative allowed; [] means every axis). */
  sum(x: Tensor, axes: number[], keepDims = false): Tensor {
    return this.reduce("sum", x, axes, keepDims);
  }
  mean(x: Tensor, axes: number[], keepDims = false): Tensor {
    return this.reduce("mean", x, axes, keepDims);
  }
  max(x: Tensor, axes: number[], keepDims = false): Tensor {
    return this.reduce("max", x, axes, keepDims);
  }

  /** Index of the largest value along axis (first on ties), int64; no gradient. */
  argMax(x: Tensor, axis = -1, keepDims = false): Tensor {
    const ax = normAxis(axis, x.shape.length, "argMax");
    const shape = keepDims ? x.shape.map((d, i) => (i === ax ? 1 : d)) : x.shape.filter((_, i) => i !== ax);
    return this.node1("argMax", [x], "int64", shape, { axis: ax, keepDims });
  }

  softmax(x: Tensor, axis = -1): Tensor {
    return this.unary("softmax", x, { axis: normAxis(axis, x.shape.length, "softmax") });
  }
  logSoftmax(x: Tensor, axis = -1): Tensor {
    return this.unary("logSoftmax", x, { axis: normAxis(axis, x.shape.length, "logSoftmax") });
  }

  /** Layer normalisation over the last axis; gamma and beta have shape [C]. */
  layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, eps = 1e-5): Tensor {
    const c = x.shape[x.shape.length - 1];
    for (const [nm, t] of [
      ["gamma", gamma],
      ["beta", beta],
    ] as const) {
      if (t.shape.length !== 1 || t.shape[0] !== c || t.dtype !== x.dtype) {
        throw new GraphError(
          `layerNorm: ${nm} must be ${x.dtype} of shape [${c}], got ${t.dtype} ${shapeStr(t.shape)}`,
        );
      }
    }
    if (!isFloat(x.dtype)) throw new GraphError(`layerNorm: needs a float tensor, got ${x.dtype}`);
    const stats = [...x.shape.slice(0, -1), 1];
    // outputs: y, mean [..., 1], inverse standard deviation [..., 1] (the last two feed the gradient)
    return this.node(
      "layerNorm",
      [x, gamma, beta],
      [
        { dtype: x.dtype, shape: [...x.shape] },
        { dtype: x.dtype, shape: stats },
        { dtype: x.dtype, shape: stats },
      ],
      { eps },
    )[0]!;
  }

  // ---- linear algebra ----
  /** Batched matrix product; batch dims broadcast; transA/transB transpose the last two axes. */
  matmul(a: Tensor, b: Tensor, opts: { transA?: boolean; transB?: boolean } = {}): Tensor {
    const transA = opts.transA ?? false;
    const transB = opts.transB ?? false;
    if (a.shape.length < 2 || b.shape.length < 2) {
      throw new GraphError(
        `matmul: operands need rank >= 2, got ${shapeStr(a.shape)} and ${shapeStr(b.shape)}; reshape vectors to [1,n] or [n,1]`,
      );
    }
    if (a.dtype !== b.dtype || !isFloat(a.dtype)) {
      throw new GraphError(`matmul: operands must share a float dtype, got ${a.dtype} and ${b.dtype}`);
    }
    const [ar, ac] = a.shape.slice(-2) as [number, number];
    const [br, bc] = b.shape.slice(-2) as [number, number];
    const [m, k] = transA ? [ac, ar] : [ar, ac];
    const [k2, n] = transB ? [bc, br] : [br, bc];
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    if (k !== k2 || !batch) {
      throw new GraphError(
        `matmul: shapes ${shapeStr(a.shape)}${transA ? "^T" : ""} and ${shapeStr(b.shape)}${transB ? "^T" : ""} do not multiply`,
      );
    }
    return this.node1("matmul", [a, b], a.dtype, [...batch, m, n], { transA, transB });
  }

  /** x [..., in] @ w [in, out] (+ b [out]): Hugging Face Conv1D layout. */
  linear(x: Tensor, w: Tensor, b?: Tensor): Tensor {
    if (w.shape.length !== 2) throw new GraphError(`linear: w must be [in, out], got ${shapeStr(w.shape)}`);
    const y = this.matmul(x, w); // [..., out]
    if (!b) return y;
    if (b.shape.length !== 1 || b.shape[0] !== w.shape[1]) {
      throw new GraphError(`linear: b must be [${w.shape[1]}], got ${shapeStr(b.shape)}`);
    }
    return this.add(y, b);
  }

  // ---- indexing and shape ----
  private checkIndices(op: string, indices: Tensor): void {
    if (!isInt(indices.dtype))
      throw new GraphError(`${op}: indices must be int64 or int32, got ${indices.dtype}`);
  }

  /** table.shape[:axis] + indices.shape + table.shape[axis+1:]; an embedding lookup with axis 0. */
  gather(table: Tensor, indices: Tensor, axis = 0): Tensor {
    this.checkIndices("gather", indices);
    const ax = normAxis(axis, table.shape.length, "gather");
    const shape = [...table.shape.slice(0, ax), ...indices.shape, ...table.shape.slice(ax + 1)];
    return this.node1("gather", [table, indices], table.dtype, shape, { axis: ax });
  }

  /** out[i][j][k] = x[i][indices[i][j][k]][k] for axis 1 (ONNX GatherElements). */
  gatherElements(x: Tensor, indices: Tensor, axis: number): Tensor {
    this.checkIndices("gatherElements", indices);
    const ax = normAxis(axis, x.shape.length, "gatherElements");
    if (indices.shape.length !== x.shape.length) {
      throw new GraphError(
        `gatherElements: indices ${shapeStr(indices.shape)} must have the rank of x ${shapeStr(x.shape)}`,
      );
    }
    return this.node1("gatherElements", [x, indices], x.dtype, [...indices.shape], { axis: ax });
  }

  reshape(x: Tensor, shape: number[]): Tensor {
    const free = shape.filter((d) => d === -1).length;
    const known = numel(shape.filter((d) => d !== -1));
    const total = numel(x.shape);
    const resolved = shape.map((d) => (d === -1 ? (known === 0 ? 0 : total / known) : d));
    if (free > 1 || !resolved.every((d) => Number.isInteger(d) && d >= 0) || numel(resolved) !== total) {
      throw new GraphError(
        `reshape: cannot reshape ${shapeStr(x.shape)} (${total} elements) to ${shapeStr(shape)}` +
          (free > 1 ? " (only one -1 allowed)" : ""),
      );
    }
    if (resolved.length === x.shape.length && resolved.every((d, i) => d === x.shape[i])) return x;
    return this.node1("reshape", [x], x.dtype, resolved, { shape: resolved });
  }

  transpose(x: Tensor, perm: number[]): Tensor {
    const rank = x.shape.length;
    const norm = perm.map((p) => normAxis(p, rank, "transpose"));
    if (norm.length !== rank || new Set(norm).size !== rank) {
      throw new GraphError(`transpose: [${perm.join(",")}] is not a permutation of ${rank} axes`);
    }
    if (norm.every((p, i) => p === i)) return x;
    return this.node1(
      "transpose",
      [x],
      x.dtype,
      norm.map((p) => x.shape[p]!),
      { perm: norm },
    );
  }

  /** numpy/ONNX slicing: starts and ends may be negative and are clamped; steps default 1. */
  slice(x: Tensor, starts: number[], ends: number[], axes?: number[], steps?: number[]): Tensor {
    const rank = x.shape.length;
    const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis(a, rank, "slice"));
    const st = steps ?? ax.map(() => 1);
    if (starts.length !== ax.length || ends.length !== ax.length || st.length !== ax.length) {
      throw new GraphError("slice: starts, ends, axes and steps must have the same length");
    }
    const shape = [...x.shape];
    const nStarts: number[] = [];
    const nEnds: number[] = [];
    ax.forEach((a, i) => {
      const r = sliceRange(x.shape[a]!, starts[i]!, ends[i]!, st[i]!);
      shape[a] = r.length;
      nStarts.push(r.start);
      nEnds.push(r.end);
    });
    return this.node1("slice", [x], x.dtype, shape, {
      axes: ax,
      starts: nStarts,
      ends: nEnds,
      steps: [...st],
    });
  }

  concat(xs: Tensor[], axis: number): Tensor {
    if (xs.length === 0) throw new GraphError("concat: needs at least one tensor");
    const first = xs[0]!;
    const ax = normAxis(axis, first.shape.length, "concat");
    const shape = [...first.shape];
    shape[ax] = 0;
    for (const t of xs) {
      const ok =
        t.dtype === first.dtype &&
        t.shape.length === first.shape.length &&
        t.shape.every((d, i) => i === ax || d === first.shape[i]);
      if (!ok) {
        throw new GraphError(
          `concat: ${t.dtype} ${shapeStr(t.shape)} does not match ${first.dtype} ${shapeStr(first.shape)} off axis ${ax}`,
        );
      }
      shape[ax]! += t.shape[ax]!;
    }
    if (xs.length === 1) return first;
    return this.node1("concat", xs, first.dtype, shape, { axis: ax });
  }

  split(x: Tensor, sizes: number[], axis: number): Tensor[] {
    const ax = normAxis(axis, x.shape.length, "split");
    const total = sizes.reduce((p, q) => p + q, 0);
    if (total !== x.shape[ax] || !sizes.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new GraphError(`split: sizes [${sizes.join(",")}] must add up to ${x.shape[ax]} (axis ${ax})`);
    }
    const outs = sizes.map((s) => {
      const shape = [...x.shape];
      shape[ax] = s;
      return { dtype: x.dtype, shape };
    });
    return this.node("split", [x], outs, { axis: ax, sizes: [...sizes] });
  }

  /** The k largest values along axis, sorted descending, and their int64 indices (ONNX TopK). */
  topK(x: Tensor, k: number, axis = -1): [values: Tensor, indices: Tensor] {
    const ax = normAxis(axis, x.shape.length, "topK");
    if (!Number.isInteger(k) || k < 1 || k > x.shape[ax]!) {
      throw new GraphError(
        `topK: k ${k} must be an integer in [1, ${x.shape[ax]}] (axis ${ax} of ${shapeStr(x.shape)})`,
      );
    }
    const shape = x.shape.map((d, i) => (i === ax ? k : d));
    const [values, indices] = this.node(
      "topK",
      [x],
      [
        { dtype: x.dtype, shape },
        { dtype: "int64", shape: [...shape] },
      ],
      { axis: ax, k },
    );
    return [values!, indices!];
  }

  // ---- internal ops used by gradient rules ----
  /** Broadcasts x to shape (numpy rules). */
  expand(x: Tensor, shape: readonly number[]): Tensor {
    const out = broadcastShapes(x.shape, shape);
    if (!out || out.length !== shape.length || out.some((d, i) => d !== shape[i])) {
      throw new GraphError(`expand: ${shapeStr(x.shape)} does not broadcast to ${shapeStr(shape)}`);
    }
    if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
    return this.node1("expand", [x], x.dtype, [...shape], { shape: [...shape] });
  }

  /** A zero tensor made at run time (no initializer of that size in the model). */
  zeros(shape: readonly number[], dtype: DType = this.floatType): Tensor {
    if (shape.length === 0) return this.constant(0, [], dtype);
    return this.node1("zeros", [], dtype, [...shape], { shape: [...shape] });
  }

  /** data with updates added at indices [N, 1] along axis 0 (ONNX ScatterND, reduction add). */
  scatterNDAdd(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
    return this.node1("scatterNDAdd", [data, indices, updates], data.dtype, [...data.shape]);
  }

  /** ONNX ScatterElements with reduction add. */
  scatterElementsAdd(data: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
    return this.node1("scatterElementsAdd", [data, indices, updates], data.dtype, [...data.shape], { axis });
  }

  /** Zero padding; pads in ONNX layout [begin_0, ..., begin_n, end_0, ..., end_n]. */
  pad(x: Tensor, pads: number[]): Tensor {
    const r = x.shape.length;
    const shape = x.shape.map((d, i) => d + pads[i]! + pads[i + r]!);
    return this.node1("pad", [x], x.dtype, shape, { pads: [...pads] });
  }

  /** Elementwise sum of same-shaped tensors in one node (ONNX Sum). */
  addN(xs: Tensor[]): Tensor {
    if (xs.length === 1) return xs[0]!;
    return this.node1("addN", xs, xs[0]!.dtype, [...xs[0]!.shape]);
  }

  // ---- outputs ----
  /** Marks t as a graph output named name; outputs keep call order. */
  output(name: string, t: Tensor): void {
    if (!name || name.startsWith("/")) {
      throw new GraphError(`output: "${name}" is not a valid name (non-empty, not starting with "/")`);
    }
    if (t.graph !== this) throw new GraphError(`output "${name}": tensor belongs to another graph`);
    if (this.outputs.some((o) => o.name === name) || this.leafNames.has(name)) {
      throw new GraphError(`output "${name}": the name is already used in this graph`);
    }
    this.outputs.push({ name, tensor: t });
  }
}
