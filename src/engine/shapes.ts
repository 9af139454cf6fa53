// Pure shape arithmetic shared by the builder: broadcasting, axis normalisation, slice ranges, constant data.
import type { DType } from "./dtype.js";
import type { ConstData } from "./node.js";

export class GraphError extends Error {
  override name = "GraphError";
}

/** numpy broadcasting of two shapes, or undefined if they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] | undefined {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return undefined;
    out.push(da === 1 ? db : da);
  }
  return out;
}

export function normAxis(axis: number, rank: number, what: string): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(a) || a < 0 || a >= rank) {
    throw new GraphError(`${what}: axis ${axis} is out of range for a rank-${rank} tensor`);
  }
  return a;
}

/** numpy/ONNX slice bounds on one axis: negative indices count from the end, then clamp. */
export function sliceRange(
  dim: number,
  start: number,
  end: number,
  step: number,
): { start: number; end: number; length: number } {
  if (!Number.isInteger(step) || step === 0)
    throw new GraphError(`slice: step ${step} must be a non-zero integer`);
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    return { start: s, end: e, length: Math.max(0, Math.ceil((e - s) / step)) };
  }
  // negative steps walk down from start to just above end; end -1 means "through index 0"
  s = Math.min(Math.max(s, 0), dim - 1);
  e = Math.min(Math.max(e, -1), dim - 1);
  return { start: s, end: e, length: Math.max(0, Math.ceil((s - e) / -step)) };
}

export function constData(values: number[], dtype: DType): ConstData {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "float64":
      return Float64Array.from(values);
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case "int32":
      return Int32Array.from(values);
    case "bool":
      return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case "float16":
      throw new GraphError("constant: float16 is a storage type for weights; make the constant float32");
  }
}
