// The graph's data structures: tensors (symbolic values) and the nodes that produce them.
// Every op kind is listed once in OP_KINDS; the lowering table (lower.ts) and the gradient table
// (grad-rules.ts) are both `Record<OpKind, ...>`, so adding a kind here without its two rules fails to compile.
import type { DType } from "./dtype.js";
import type { Graph } from "./graph.js";

export const OP_KINDS = [
  // leaves
  "input",
  "param",
  "weight",
  "constant",
  // elementwise, numpy broadcasting
  "add",
  "sub",
  "mul",
  "div",
  "minimum",
  "maximum",
  "pow",
  "neg",
  "abs",
  "exp",
  "log",
  "sqrt",
  "tanh",
  "relu",
  "erf",
  "sigmoid",
  "gelu",
  "clip",
  "where",
  "equal",
  "less",
  "greater",
  "logicalAnd",
  "logicalOr",
  "logicalNot",
  "cast",
  "stopGradient",
  // reductions and normalisation
  "sum",
  "mean",
  "max",
  "argMax",
  "softmax",
  "logSoftmax",
  "layerNorm",
  // linear algebra
  "matmul",
  // indexing and shape
  "gather",
  "gatherElements",
  "reshape",
  "transpose",
  "slice",
  "concat",
  "split",
  "topK",
  // internal: emitted by gradient rules
  "expand",
  "zeros",
  "scatterNDAdd",
  "scatterElementsAdd",
  "pad",
  "addN",
] as const;
export type OpKind = (typeof OP_KINDS)[number];

export interface Tensor {
  readonly id: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly graph: Graph;
}
export type TensorLike = Tensor | number;

/** Leaf payload: frozen weights and constants carry their values. */
export type ConstData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** Attributes of every op kind in one interface; each kind reads the few it needs. */
export interface Attrs {
  name?: string; // input / param / weight
  data?: ConstData; // weight / constant
  axes?: number[]; // reductions (normalised, non-negative), slice
  keepDims?: boolean;
  axis?: number; // softmax, gather, concat, split, scatterElementsAdd (non-negative)
  perm?: number[]; // transpose
  shape?: number[]; // reshape, expand, zeros (resolved, no -1)
  transA?: boolean; // matmul
  transB?: boolean;
  p?: number; // pow exponent
  lo?: number; // clip
  hi?: number;
  eps?: number; // layerNorm
  to?: DType; // cast
  starts?: number[]; // slice (clamped, non-negative except ends of negative steps)
  ends?: number[];
  steps?: number[];
  sizes?: number[]; // split
  k?: number; // topK
  pads?: number[]; // pad: ONNX layout [begin..., end...]
}

export interface Node {
  readonly id: number;
  readonly op: OpKind;
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Attrs;
}
