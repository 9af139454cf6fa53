// Serialises a Graph's outputs to ONNX ModelProto bytes: prunes nodes the outputs do not need, lowers each
// node through LOWERINGS, writes frozen weights and constants as raw_data initializers, params and data as
// graph inputs, and static shapes for every value.
import { type DType, ONNX_DTYPE } from "./dtype.js";
import type { Graph } from "./graph.js";
import { LOWERINGS, type LowerCtx } from "./lower.js";
import type { Node, Tensor } from "./node.js";
import {
  type AttributeMsg,
  type ModelMsg,
  ModelProto,
  type NodeMsg,
  type TensorMsg,
  type ValueInfoMsg,
} from "./onnx-proto.js";

/** opset 20: Gelu (tanh approximation) is an op; Reduce* take axes as an input; Scatter* reduce with "add". */
export const OPSET = 20;
const IR_VERSION = 9;
const LEAF_OPS = new Set(["input", "param", "weight", "constant"]);

const valueInfo = (name: string, dtype: DType, shape: readonly number[]): ValueInfoMsg => ({
  name,
  type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
});

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The nodes the graph's outputs depend on, in creation (= topological) order. */
export function liveNodes(graph: Graph, roots: readonly Tensor[]): Node[] {
  const live = new Set<number>();
  const stack = roots.map((t) => graph.producer(t).node);
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (live.has(node.id)) continue;
    live.add(node.id);
    for (const t of node.inputs) stack.push(graph.producer(t).node);
  }
  return graph.nodes.filter((n) => live.has(n.id));
}

/**
 * Where frozen `weight` leaves go. "inputs": graph inputs that the Session feeds itself from the arrays the graph
 * was built with (zero-copy), so every session of a model shares one copy of its weights, the model bytes stay
 * small and no 2 GB protobuf limit applies. "initializers": copied into the model (and by onnxruntime into each
 * session), which lets onnxruntime prepack constant matrices and fold constants.
 */
export type WeightMode = "inputs" | "initializers";

export interface LowerOptions {
  /** default "inputs" */
  weights?: WeightMode;
  /**
   * "initializers" only: reference the weights' bytes as external data instead of copying them into the
   * model (no 2 GB protobuf limit, no serialised copy); onnxruntime still copies them into the session.
   */
  externalData?: boolean;
}

export interface LeafWeight {
  name: string;
  dtype: DType;
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/** A graph-level description of what toOnnx produced: which declared inputs the model actually takes. */
export interface ModelSignature {
  inputs: { name: string; dtype: DType; shape: readonly number[] }[];
  outputs: { name: string; dtype: DType; shape: readonly number[] }[];
  /** Frozen weights lowered as graph inputs (WeightMode "inputs"), with the arrays that feed them. */
  weights: LeafWeight[];
  /**
   * WeightMode "initializers" with `externalData`: the initializers whose bytes live outside the model; entry i
   * is at location `w<i>`, to hand to onnxruntime's `externalData` option.
   */
  external: LeafWeight[];
}

export function lowerGraph(
  graph: Graph,
  opts: LowerOptions = {},
): { model: ModelMsg; signature: ModelSignature } {
  const weightsAsInputs = (opts.weights ?? "inputs") === "inputs";
  if (graph.outputs.length === 0)
    throw new Error("toOnnx: the graph has no outputs; call graph.output(name, t)");
  const names = new Map<number, string>();
  const nodes: NodeMsg[] = [];
  const initializers: TensorMsg[] = [];
  const inputs: ValueInfoMsg[] = [];
  const signature: ModelSignature = { inputs: [], outputs: [], weights: [], external: [] };
  const shared = new Map<string, string>();
  let fresh = 0;

  // graph outputs take the name of the value that produces them, unless it is a leaf or already named
  const renamed = new Set<number>();
  for (const { name, tensor } of graph.outputs) {
    if (!LEAF_OPS.has(graph.producer(tensor).node.op) && !renamed.has(tensor.id)) {
      names.set(tensor.id, name);
      renamed.add(tensor.id);
    }
  }
  const nameOf = (t: Tensor): string => {
    let n = names.get(t.id);
    if (n === undefined) {
      const p = graph.producer(t).node;
      n = p.op === "input" || p.op === "param" || p.op === "weight" ? p.attrs.name! : `/t${t.id}`;
      names.set(t.id, n);
    }
    return n;
  };
  const ctx: LowerCtx = {
    name: nameOf,
    fresh: () => `/v${fresh++}`,
    emit(opType: string, ins: string[], outs: string[], attrs: AttributeMsg[] = []) {
      nodes.push({ name: `${opType}_${nodes.length}`, opType, input: ins, output: outs, attribute: attrs });
    },
    ints(values) {
      const key = `i64:${values.join(",")}`;
      let n = shared.get(key);
      if (!n) {
        n = `/c${shared.size}`;
        shared.set(key, n);
        const data = BigInt64Array.from(values, (v) => BigInt(v));
        initializers.push({
          name: n,
          dims: [values.length],
          dataType: ONNX_DTYPE.int64,
          rawData: bytesOf(data),
        });
      }
      return n;
    },
    scalar(value, dtype) {
      const key = `${dtype}:${value}`;
      let n = shared.get(key);
      if (!n) {
        n = `/c${shared.size}`;
        shared.set(key, n);
        const data = dtype === "float64" ? Float64Array.of(value) : Float32Array.of(value);
        if (dtype !== "float64" && dtype !== "float32")
          throw new Error(`toOnnx: no scalar lowering for ${dtype}`);
        initializers.push({ name: n, dims: [], dataType: ONNX_DTYPE[dtype], rawData: bytesOf(data) });
      }
      return n;
    },
    graphInput(t, name) {
      inputs.push(valueInfo(name, t.dtype, t.shape));
      signature.inputs.push({ name, dtype: t.dtype, shape: t.shape });
    },
    initializer(t, name) {
      const data = graph.producer(t).node.attrs.data!;
      initializers.push({ name, dims: [...t.shape], dataType: ONNX_DTYPE[t.dtype], rawData: bytesOf(data) });
    },
    frozenWeight(t, name) {
      const data = graph.producer(t).node.attrs.data as Float32Array | Float64Array;
      const leaf = { name, dtype: t.dtype, shape: t.shape, data };
      if (weightsAsInputs) {
        inputs.push(valueInfo(name, t.dtype, t.shape));
        signature.weights.push(leaf);
      } else if (opts.externalData) {
        const location = [
          { key: "location", value: `w${signature.external.length}` }, // a safe relative path
          { key: "offset", value: "0" },
          { key: "length", value: String(data.byteLength) },
        ];
        initializers.push({
          name,
          dims: [...t.shape],
          dataType: ONNX_DTYPE[t.dtype],
          dataLocation: 1,
          externalData: location,
        });
        signature.external.push(leaf);
      } else ctx.initializer(t, name);
    },
  };

  const live = liveNodes(
    graph,
    graph.outputs.map((o) => o.tensor),
  );
  const valueInfos: ValueInfoMsg[] = [];
  for (const node of live) {
    LOWERINGS[node.op](node, ctx);
    if (!LEAF_OPS.has(node.op)) {
      for (const t of node.outputs)
        if (!renamed.has(t.id)) valueInfos.push(valueInfo(nameOf(t), t.dtype, t.shape));
    }
  }
  const outputs: ValueInfoMsg[] = [];
  for (const { name, tensor } of graph.outputs) {
    if (nameOf(tensor) !== name) ctx.emit("Identity", [nameOf(tensor)], [name]);
    outputs.push(valueInfo(name, tensor.dtype, tensor.shape));
    signature.outputs.push({ name, dtype: tensor.dtype, shape: tensor.shape });
  }

  const model: ModelMsg = {
    irVersion: IR_VERSION,
    producerName: "curio",
    producerVersion: "0.1.0",
    opsetImport: [{ domain: "", version: OPSET }],
    graph: {
      name: "curio",
      node: nodes,
      initializer: initializers,
      input: inputs,
      output: outputs,
      valueInfo: valueInfos,
    },
  };
  return { model, signature };
}

/**
 * Serialises the graph's outputs (pruning unused nodes) to ONNX ModelProto bytes runnable by onnxruntime-node.
 * With the default `weights: "inputs"` the frozen weights are graph inputs (not in the bytes).
 */
export function toOnnx(graph: Graph, opts: LowerOptions = {}): Uint8Array {
  return ModelProto.encode(lowerGraph(graph, opts).model).finish();
}
