// Public API of the compute engine: symbolic graph -> reverse-mode gradients -> ONNX -> onnxruntime-node.

export { gradients } from "./autodiff.js";
export { cacheKey, compileCacheDir, createCachedSession } from "./compile-cache.js";
export {
  CUDA_INSTALL_COMMAND,
  checkDevice,
  DEVICES,
  type Device,
  DeviceError,
  executionProviders,
  ortBinaryDir,
} from "./device.js";
export type { DType, FloatType } from "./dtype.js";
export { GRAD_RULES, GradientError, type GradRule } from "./grad-rules.js";
export { broadcastShapes, Graph, GraphError } from "./graph.js";
export type { Node, OpKind, Tensor, TensorLike } from "./node.js";
export { OP_KINDS } from "./node.js";
export { type LowerOptions, OPSET, toOnnx, type WeightMode } from "./onnx.js";
export { AdamW, clipGradNorm, type Optimizer, SGD } from "./optim.js";
export type { Feed, OutputTensor, SessionOptions } from "./session.js";
export { FeedError, Session, SessionCache, SessionRunError } from "./session.js";
