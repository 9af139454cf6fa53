// The gradient of every op kind, in one table (a missing rule is a compile error). A rule receives the node,
// the upstream gradients of its outputs (undefined where none flows) and which inputs need a gradient, and
// returns one gradient per input (undefined for "none"). Rules build their backward from graph ops, so the
// backward is lowered and run like the forward.
import { isFloat } from "./dtype.js";
import type { Graph } from "./graph.js";
import type { Node, OpKind, Tensor } from "./node.js";

export type GradRule = (
  node: Node,
  gys: readonly (Tensor | undefined)[],
  needs: readonly boolean[],
) => (Tensor | undefined)[];

export class GradientError extends Error {
  override name = "GradientError";
}

/** Sums a broadcast gradient back to shape: one ReduceSum (keepdims) over the broadcast axes, then a Reshape. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  const gs = g.shape;
  if (gs.length === shape.length && gs.every((d, i) => d === shape[i])) return g;
  const lead = gs.length - shape.length;
  const axes: number[] = [];
  gs.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const reduced = axes.length > 0 ? g.graph.sum(g, axes, true) : g;
  return g.graph.reshape(reduced, [...shape]);
}

const gy0 = (gys: readonly (Tensor | undefined)[]): Tensor => gys[0]!;
const inp = (n: Node, i: number): Tensor => n.inputs[i]!;
const y0 = (n: Node): Tensor => n.outputs[0]!;
const G = (n: Node): Graph => n.outputs[0]!.graph;
/** Only compute what is needed: `only(needs, i, () => ...)`. */
const only = (needs: readonly boolean[], i: number, f: () => Tensor): Tensor | undefined =>
  needs[i] ? f() : undefined;

/** When gy is gatherElements' gradient along `axis` (updates scatter-added into zeros), its indices and updates. */
function pickedGradient(
  gy: Tensor,
  axis: number,
): { indices: Tensor; updates: Tensor; axis: number } | undefined {
  const { node } = gy.graph.producer(gy);
  if (node.op !== "scatterElementsAdd" || node.attrs.axis !== axis) return undefined;
  const [data, indices, updates] = node.inputs as [Tensor, Tensor, Tensor];
  if (gy.graph.producer(data).node.op !== "zeros") return undefined;
  // sum(updates, axis) must broadcast to gy: indices as wide as gy in every other dimension
  if (updates.shape.some((d, i) => i !== axis && d !== gy.shape[i])) return undefined;
  return { indices, updates, axis };
}

const none: GradRule = () => [];
const secondOrder =
  (op: string): GradRule =>
  () => {
    throw new GradientError(
      `gradients: no gradient rule for "${op}" (it is only emitted by gradients; second order is not supported)`,
    );
  };

/** Gradient of a unary elementwise op: g * dy/dx, with dy/dx built from x and y. */
const unary =
  (deriv: (g: Graph, x: Tensor, y: Tensor) => Tensor): GradRule =>
  (n, gys) => [G(n).mul(gy0(gys), deriv(G(n), inp(n, 0), y0(n)))];

/** minimum/maximum: the chosen side gets the gradient; ties split it (as PyTorch). */
const minMax =
  (pickA: "less" | "greater"): GradRule =>
  (n, gys, needs) => {
    const g = G(n);
    const [a, b] = [inp(n, 0), inp(n, 1)];
    const gy = gy0(gys);
    const maskA = g.where(g.equal(a, b), 0.5, g.where(g[pickA](a, b), 1, 0)); // 1 where a is chosen
    return [
      only(needs, 0, () => sumTo(g.mul(gy, maskA), a.shape)),
      only(needs, 1, () => sumTo(g.mul(gy, g.sub(1, maskA)), b.shape)),
    ];
  };

/** Re-inserts reduced axes as size 1 so the gradient broadcasts back over them. */
function unreduce(n: Node, gy: Tensor): Tensor {
  if (n.attrs.keepDims) return gy;
  const shape = inp(n, 0).shape.map((d, i) => (n.attrs.axes!.includes(i) ? 1 : d));
  return G(n).reshape(gy, shape);
}

const matmulGrad: GradRule = (n, gys, needs) => {
  const g = G(n);
  const [a, b] = [inp(n, 0), inp(n, 1)];
  const gy = gy0(gys);
  const { transA = false, transB = false } = n.attrs;
  // x [..., k] @ w [k, n] (a linear layer): dW as one 2-D GEMM over all rows, no batched product + reduce
  const flatB = b.shape.length === 2 && a.shape.length > 2 && !transA;
  const rows = (t: Tensor) => g.reshape(t, [-1, t.shape[t.shape.length - 1]!]);
  const dA = only(needs, 0, () => {
    if (!transA) return sumTo(g.matmul(gy, b, { transB: !transB }), a.shape); // dA = gy @ op(B)^T
    return sumTo(
      transB ? g.matmul(b, gy, { transA: true, transB: true }) : g.matmul(b, gy, { transB: true }),
      a.shape,
    );
  });
  const dB = only(needs, 1, () => {
    if (flatB)
      return transB
        ? g.matmul(rows(gy), rows(a), { transA: true })
        : g.matmul(rows(a), rows(gy), { transA: true });
    if (!transB) return sumTo(g.matmul(a, gy, { transA: !transA }), b.shape); // dB = op(A)^T @ gy
    return sumTo(
      transA ? g.matmul(gy, a, { transA: true, transB: true }) : g.matmul(gy, a, { transA: true }),
      b.shape,
    );
  });
  return [dA, dB];
};

const layerNormGrad: GradRule = (n, gys, needs) => {
  const g = G(n);
  const [x, gamma] = [inp(n, 0), inp(n, 1)];
  const [mean, invStd] = [n.outputs[1]!, n.outputs[2]!]; // [..., 1]
  const gy = gy0(gys); // [..., C]
  const xhat = g.mul(g.sub(x, mean), invStd); // [..., C]
  const lead = x.shape.slice(0, -1).map((_, i) => i);
  const dx = only(needs, 0, () => {
    // dx = invStd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat)), dxhat = gy * gamma
    const dxhat = g.mul(gy, gamma);
    const m1 = g.mean(dxhat, [-1], true);
    const m2 = g.mean(g.mul(dxhat, xhat), [-1], true);
    return g.mul(g.sub(g.sub(dxhat, m1), g.mul(xhat, m2)), invStd);
  });
  return [
    dx,
    only(needs, 1, () => (lead.length ? g.sum(g.mul(gy, xhat), lead) : g.mul(gy, xhat))),
    only(needs, 2, () => (lead.length ? g.sum(gy, lead) : gy)),
  ];
};

/** gather: scatter-add the upstream rows into zeros of the table's shape (repeated indices accumulate). */
const gatherGrad: GradRule = (n, gys, needs) => {
  if (!needs[0]) return [];
  const g = G(n);
  const [table, indices] = [inp(n, 0), inp(n, 1)];
  const axis = n.attrs.axis!;
  const gy = gy0(gys); // table[:axis] + indices + table[axis+1:]
  const ni = indices.shape.length;
  const before = table.shape.slice(0, axis);
  const after = table.shape.slice(axis + 1);
  // move the index axes to the front: [indices..., before..., after...]
  const r = gy.shape.length;
  const idxAxes = Array.from({ length: ni }, (_, i) => axis + i);
  const rest = [...Array(r).keys()].filter((i) => i < axis || i >= axis + ni);
  const moved = g.transpose(gy, [...idxAxes, ...rest]);
  const updates = g.reshape(moved, [-1, ...before, ...after]); // [N, before..., after...]
  const idx = g.reshape(g.cast(indices, "int64"), [-1, 1]); // [N, 1]
  const zeros = g.zeros([table.shape[axis]!, ...before, ...after], gy.dtype);
  const scattered = g.scatterNDAdd(zeros, idx, updates); // [table[axis], before..., after...]
  const back = [...Array(before.length).keys()].map((i) => i + 1);
  const perm = [...back, 0, ...after.map((_, i) => before.length + 1 + i)];
  return [g.transpose(scattered, perm)];
};

const sliceGrad: GradRule = (n, gys) => {
  const g = G(n);
  const x = inp(n, 0);
  const { axes = [], starts = [], steps = [] } = n.attrs;
  let gy = gy0(gys);
  if (steps.every((s) => s === 1)) {
    const r = x.shape.length;
    const pads = new Array<number>(2 * r).fill(0);
    axes.forEach((a, i) => {
      pads[a] = starts[i]!;
      pads[a + r] = x.shape[a]! - starts[i]! - gy.shape[a]!;
    });
    return [g.pad(gy, pads)];
  }
  // strided: one scatter per sliced axis, with that axis moved to the front
  axes.forEach((a, i) => {
    const len = gy.shape[a]!;
    const idx = g.constant(
      Array.from({ length: len }, (_, k) => starts[i]! + k * steps[i]!),
      [len, 1],
      "int64",
    );
    const r = gy.shape.length;
    const perm = [a, ...[...Array(r).keys()].filter((k) => k !== a)];
    const moved = g.transpose(gy, perm);
    const target = [x.shape[a]!, ...moved.shape.slice(1)];
    const scattered = g.scatterNDAdd(g.zeros(target, gy.dtype), idx, moved);
    const inv = perm.map((_, k) => perm.indexOf(k));
    gy = g.transpose(scattered, inv);
  });
  return [gy];
};

export const GRAD_RULES: Record<OpKind, GradRule> = {
  input: none,
  param: none,
  weight: none,
  constant: none,
  add: (n, gys, needs) => [
    only(needs, 0, () => sumTo(gy0(gys), inp(n, 0).shape)),
    only(needs, 1, () => sumTo(gy0(gys), inp(n, 1).shape)),
  ],
  sub: (n, gys, needs) => [
    only(needs, 0, () => sumTo(gy0(gys), inp(n, 0).shape)),
    only(needs, 1, () => sumTo(G(n).neg(gy0(gys)), inp(n, 1).shape)),
  ],
  mul: (n, gys, needs) => [
    only(needs, 0, () => sumTo(G(n).mul(gy0(gys), inp(n, 1)), inp(n, 0).shape)),
    only(needs, 1, () => sumTo(G(n).mul(gy0(gys), inp(n, 0)), inp(n, 1).shape)),
  ],
  div: (n, gys, needs) => {
    const g = G(n);
    const gb = g.div(gy0(gys), inp(n, 1)); // gy / b
    return [
      only(needs, 0, () => sumTo(gb, inp(n, 0).shape)),
      only(needs, 1, () => sumTo(g.neg(g.mul(gb, y0(n))), inp(n, 1).shape)), // -gy a / b^2 = -(gy / b) y
    ];
  },
  minimum: minMax("less"),
  maximum: minMax("greater"),
  pow: (n, gys) => {
    const g = G(n);
    const p = n.attrs.p!;
    const x = inp(n, 0);
    const d = p === 2 ? g.mul(x, 2) : g.mul(g.pow(x, p - 1), p); // p x^(p-1)
    return [g.mul(gy0(gys), d)];
  },
  neg: (n, gys) => [G(n).neg(gy0(gys))],
  abs: (n, gys) => {
    // sign(x) g, and 0 at x = 0 (as PyTorch)
    const g = G(n);
    const x = inp(n, 0);
    const gy = gy0(gys);
    return [g.where(g.greater(x, 0), gy, g.where(g.less(x, 0), g.neg(gy), 0))];
  },
  exp: unary((_g, _x, y) => y),
  log: (n, gys) => [G(n).div(gy0(gys), inp(n, 0))],
  sqrt: (n, gys) => [G(n).div(G(n).mul(gy0(gys), 0.5), y0(n))],
  tanh: unary((g, _x, y) => g.sub(1, g.mul(y, y))),
  relu: (n, gys) => [G(n).where(G(n).greater(inp(n, 0), 0), gy0(gys), 0)],
  erf: unary((g, x) => g.mul(g.exp(g.neg(g.mul(x, x))), 2 / Math.sqrt(Math.PI))),
  sigmoid: unary((g, _x, y) => g.mul(y, g.sub(1, y))),
  gelu: unary((g, x) => {
    // d/dx 0.5 x (1 + t) = 0.5 (1 + t + x (1 - t^2) k (1 + 3 c x^2)), t = tanh(k x (1 + c x^2))
    const k = Math.sqrt(2 / Math.PI);
    const c = 0.044715;
    const x2 = g.mul(x, x);
    const t = g.tanh(g.mul(x, g.add(g.mul(x2, k * c), k)));
    const slope = g.mul(g.mul(x, g.sub(1, g.mul(t, t))), g.add(g.mul(x2, 3 * k * c), k));
    return g.mul(g.add(g.add(t, 1), slope), 0.5);
  }),
  clip: (n, gys) => {
    const g = G(n);
    const x = inp(n, 0);
    let gx = gy0(gys);
    if (n.attrs.lo !== undefined) gx = g.where(g.less(x, n.attrs.lo), 0, gx);
    if (n.attrs.hi !== undefined) gx = g.where(g.greater(x, n.attrs.hi), 0, gx);
    return [gx];
  },
  where: (n, gys, needs) => {
    const g = G(n);
    const c = inp(n, 0);
    return [
      undefined,
      only(needs, 1, () => sumTo(g.where(c, gy0(gys), 0), inp(n, 1).shape)),
      only(needs, 2, () => sumTo(g.where(c, 0, gy0(gys)), inp(n, 2).shape)),
    ];
  },
  equal: none,
  less: none,
  greater: none,
  logicalAnd: none,
  logicalOr: none,
  logicalNot: none,
  cast: (n, gys) => (isFloat(inp(n, 0).dtype) ? [G(n).cast(gy0(gys), inp(n, 0).dtype)] : []),
  stopGradient: none,
  sum: (n, gys) => [G(n).expand(unreduce(n, gy0(gys)), inp(n, 0).shape)],
  mean: (n, gys) => {
    const x = inp(n, 0);
    const count = n.attrs.axes!.reduce((p, a) => p * x.shape[a]!, 1);
    return [G(n).expand(G(n).div(unreduce(n, gy0(gys)), count), x.shape)];
  },
  max: (n, gys) => {
    // as torch.amax: the gradient is shared evenly among tied maxima
    const g = G(n);
    const x = inp(n, 0);
    const yk = unreduce(n, y0(n));
    const mask = g.cast(g.equal(x, yk), x.dtype);
    const share = g.div(unreduce(n, gy0(gys)), g.sum(mask, n.attrs.axes!, true));
    return [g.mul(mask, share)];
  },
  argMax: none,
  softmax: (n, gys) => {
    // dx = y * (gy - sum(gy * y, axis))
    const g = G(n);
    const y = y0(n);
    const gy = gy0(gys);
    return [g.mul(y, g.sub(gy, g.sum(g.mul(gy, y), [n.attrs.axis!], true)))];
  },
  logSoftmax: (n, gys) => {
    // dx = gy - softmax(x) * sum(gy, axis)
    const g = G(n);
    const gy = gy0(gys);
    const picked = pickedGradient(gy, n.attrs.axis!);
    if (picked) {
      // gy is zero but where gatherElements picked (token log-probs over a vocabulary): sum(gy) is the sum of the
      // picked gradients, and adding them into -softmax * sum in place spares two vocabulary-sized passes (the
      // zeros and the subtraction) and one vocabulary-sized buffer
      const sum = g.sum(picked.updates, [n.attrs.axis!], true);
      return [
        g.scatterElementsAdd(g.mul(g.exp(y0(n)), g.neg(sum)), picked.indices, picked.updates, picked.axis),
      ];
    }
    return [g.sub(gy, g.mul(g.exp(y0(n)), g.sum(gy, [n.attrs.axis!], true)))];
  },
  layerNorm: layerNormGrad,
  matmul: matmulGrad,
  gather: gatherGrad,
  gatherElements: (n, gys) => {
    const g = G(n);
    const x = inp(n, 0);
    return [g.scatterElementsAdd(g.zeros(x.shape, x.dtype), inp(n, 1), gy0(gys), n.attrs.axis!)];
  },
  reshape: (n, gys) => [G(n).reshape(gy0(gys), [...inp(n, 0).shape])],
  transpose: (n, gys) => {
    const perm = n.attrs.perm!;
    return [
      G(n).transpose(
        gy0(gys),
        perm.map((_, i) => perm.indexOf(i)),
      ),
    ];
  },
  slice: sliceGrad,
  concat: (n, gys) =>
    G(n).split(
      gy0(gys),
      n.inputs.map((t) => t.shape[n.attrs.axis!]!),
      n.attrs.axis!,
    ),
  split: (n, gys) => {
    const g = G(n);
    const parts = n.outputs.map((t, i) => gys[i] ?? g.zeros(t.shape, t.dtype));
    return [g.concat(parts, n.attrs.axis!)];
  },
  topK: (n, gys) => {
    // values = gatherElements(x, indices): scatter-add the gradient back to the picked positions
    const g = G(n);
    const x = inp(n, 0);
    if (!gys[0]) return [g.zeros(x.shape, x.dtype)];
    return [g.scatterElementsAdd(g.zeros(x.shape, x.dtype), n.outputs[1]!, gys[0], n.attrs.axis!)];
  },
  expand: (n, gys) => [sumTo(gy0(gys), inp(n, 0).shape)],
  zeros: none,
  scatterNDAdd: secondOrder("scatterNDAdd"),
  scatterElementsAdd: secondOrder("scatterElementsAdd"),
  pad: secondOrder("pad"),
  addN: (n, gys) => n.inputs.map(() => gy0(gys)),
};
