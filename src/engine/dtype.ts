// Element types the engine knows, and how each maps to ONNX and to JavaScript typed arrays.

/** float16 is a storage type only (half-precision weights cast to float32 in the graph): no op computes in it. */
export type DType = "float32" | "float64" | "float16" | "int64" | "int32" | "bool";
export type FloatType = "float32" | "float64";

/** ONNX TensorProto.DataType codes. */
export const ONNX_DTYPE: Record<DType, number> = {
  float32: 1,
  float64: 11,
  float16: 10,
  int64: 7,
  int32: 6,
  bool: 9,
};

/** The typed array that carries each dtype across the onnxruntime boundary. */
export const ARRAY_NAME: Record<DType, string> = {
  float32: "Float32Array",
  float64: "Float64Array",
  float16: "Uint16Array",
  int64: "BigInt64Array",
  int32: "Int32Array",
  bool: "Uint8Array",
};

export const isFloat = (d: DType): d is FloatType => d === "float32" || d === "float64";
export const isInt = (d: DType): boolean => d === "int64" || d === "int32";

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export const shapeStr = (shape: readonly number[]): string => `[${shape.join(",")}]`;
