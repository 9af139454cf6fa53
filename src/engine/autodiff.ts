// Reverse-mode autodiff over the graph: walks the nodes between `wrt` and the loss backwards, applies each
// op's rule from GRAD_RULES, and sums the gradients that meet at a value once (one Sum node).
import { isFloat, numel, shapeStr } from "./dtype.js";
import { GRAD_RULES, GradientError } from "./grad-rules.js";
import type { Tensor } from "./node.js";
import { liveNodes } from "./onnx.js";

/**
 * Appends backward nodes to loss.graph and returns dloss/dwrt (same shapes as wrt); zeros for tensors the loss
 * does not depend on. loss must be a float tensor with one element. Only paths from wrt to the loss are
 * differentiated.
 */
export function gradients(loss: Tensor, wrt: Tensor[]): Tensor[] {
  const g = loss.graph;
  if (!isFloat(loss.dtype) || numel(loss.shape) !== 1) {
    throw new GradientError(
      `gradients: the loss must be a float scalar, got ${loss.dtype} ${shapeStr(loss.shape)}; reduce it with sum or mean`,
    );
  }
  for (const t of wrt) {
    if (t.graph !== g) throw new GradientError(`gradients: wrt tensor ${t.id} belongs to another graph`);
    if (!isFloat(t.dtype))
      throw new GradientError(
        `gradients: wrt tensor ${t.id} is ${t.dtype}; only float tensors have gradients`,
      );
  }
  const nodes = liveNodes(g, [loss]); // ancestors of the loss, topological order

  // values that depend on some wrt through differentiable ops
  const reach = new Set(wrt.map((t) => t.id));
  for (const node of nodes) {
    if (node.op === "stopGradient" || !node.inputs.some((t) => reach.has(t.id))) continue;
    for (const t of node.outputs) if (isFloat(t.dtype)) reach.add(t.id);
  }

  const parts = new Map<number, Tensor[]>(); // gradient contributions per value
  const totals = new Map<number, Tensor>();
  const total = (t: Tensor): Tensor | undefined => {
    const done = totals.get(t.id);
    if (done) return done;
    const list = parts.get(t.id);
    if (!list) return undefined;
    const sum = g.addN(list);
    totals.set(t.id, sum);
    return sum;
  };
  if (reach.has(loss.id)) parts.set(loss.id, [g.constant(1, [...loss.shape], loss.dtype)]);

  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k]!;
    if (!node.outputs.some((t) => reach.has(t.id))) continue;
    const gys = node.outputs.map(total);
    if (gys.every((x) => x === undefined)) continue;
    const needs = node.inputs.map((t) => reach.has(t.id) && isFloat(t.dtype));
    if (!needs.some(Boolean)) continue;
    const gxs = GRAD_RULES[node.op](node, gys, needs);
    node.inputs.forEach((x, i) => {
      if (!needs[i]) return;
      const gx = gxs[i];
      if (!gx)
        throw new GradientError(`gradients: the rule for "${node.op}" gave no gradient for its input ${i}`);
      if (gx.shape.length !== x.shape.length || gx.shape.some((d, j) => d !== x.shape[j])) {
        throw new GradientError(
          `gradients: the rule for "${node.op}" gave shape ${shapeStr(gx.shape)} for input ${i} of shape ${shapeStr(x.shape)}`,
        );
      }
      const list = parts.get(x.id);
      if (list) list.push(gx);
      else parts.set(x.id, [gx]);
    });
  }
  return wrt.map((t) => total(t) ?? g.zeros(t.shape, t.dtype));
}
