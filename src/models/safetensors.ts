// safetensors: an 8-byte little-endian header length, a JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {...} }, then raw little-endian data.
// Floats are returned as Float32Array (F16/BF16/F64 are widened/narrowed on read); I64 as BigInt64Array.
import { readFile, rename, writeFile } from "node:fs/promises";

export type SafeTensorData = Float32Array | BigInt64Array | Int32Array;
export interface SafeTensor {
  dtype: "F32" | "I64" | "I32";
  shape: number[];
  data: SafeTensorData;
}
export interface SafeTensorsFile {
  tensors: Map<string, SafeTensor>;
  metadata: Record<string, string>;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4 };

export class SafeTensorsError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = "SafeTensorsError";
  }
}

export async function readSafeTensors(file: string): Promise<SafeTensorsFile> {
  let buf: Buffer;
  try {
    buf = await readFile(file);
  } catch (e) {
    throw new SafeTensorsError(file, `cannot read the file (${(e as Error).message})`);
  }
  return parseSafeTensors(buf, file);
}

/** Parses safetensors bytes; `file` is only used in error messages. */
export function parseSafeTensors(buf: Uint8Array, file = "<buffer>"): SafeTensorsFile {
  const fail = (msg: string): never => {
    throw new SafeTensorsError(file, msg);
  };
  if (buf.byteLength < 8)
    fail(`not a safetensors file: ${buf.byteLength} bytes, the 8-byte header length is missing`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerLen = Number(view.getBigUint64(0, true));
  if (headerLen <= 0 || 8 + headerLen > buf.byteLength) {
    fail(`not a safetensors file: header length ${headerLen} does not fit in ${buf.byteLength} bytes`);
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(buf.buffer, buf.byteOffset + 8, headerLen).toString("utf8"));
  } catch (e) {
    return fail(`the JSON header does not parse (${(e as Error).message})`);
  }
  const dataStart = 8 + headerLen;
  const dataLen = buf.byteLength - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, raw] of Object.entries(header)) {
    if (name === "__metadata__") {
      metadata = (raw ?? {}) as Record<string, string>;
      continue;
    }
    const e = raw as HeaderEntry;
    const where = `tensor "${name}"`;
    if (!e || typeof e.dtype !== "string" || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets)) {
      fail(`${where}: header entry needs dtype, shape and data_offsets`);
    }
    const size = BYTES[e.dtype];
    if (size === undefined) {
      fail(`${where}: dtype ${e.dtype} is not supported (supported: ${Object.keys(BYTES).join(", ")})`);
    }
    const count = e.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = e.data_offsets;
    if (end - begin !== count * size || begin < 0 || end > dataLen) {
      fail(
        `${where}: data_offsets [${begin}, ${end}] do not match shape [${e.shape}] of ${e.dtype} ` +
          `(${count * size} bytes) within ${dataLen} data bytes; the file is truncated or corrupt`,
      );
    }
    const bytes = buf.subarray(dataStart + begin, dataStart + end);
    tensors.set(name, { ...decode(e.dtype, bytes, count), shape: e.shape.slice() });
  }
  return { tensors, metadata };
}

function decode(dtype: string, bytes: Uint8Array, count: number): Pick<SafeTensor, "dtype" | "data"> {
  // Copy into a fresh, aligned buffer: the source may be unaligned and we hand out mutable arrays.
  const copy = new Uint8Array(bytes);
  switch (dtype) {
    case "F32":
      return { dtype: "F32", data: new Float32Array(copy.buffer, 0, count) };
    case "F64":
      return { dtype: "F32", data: Float32Array.from(new Float64Array(copy.buffer, 0, count)) };
    case "I64":
      return { dtype: "I64", data: new BigInt64Array(copy.buffer, 0, count) };
    case "I32":
      return { dtype: "I32", data: new Int32Array(copy.buffer, 0, count) };
    case "F16":
      return { dtype: "F32", data: halfToFloat(new Uint16Array(copy.buffer, 0, count)) };
    default: {
      // BF16 is the top half of an F32.
      const src = new Uint16Array(copy.buffer, 0, count);
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = src[i]! << 16;
      return { dtype: "F32", data: new Float32Array(out.buffer) };
    }
  }
}

function halfToFloat(h: Uint16Array): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) {
    const x = h[i]!;
    const sign = x & 0x8000 ? -1 : 1;
    const exp = (x >> 10) & 0x1f;
    const frac = x & 0x3ff;
    if (exp === 0) out[i] = sign * 2 ** -14 * (frac / 1024);
    else if (exp === 31) out[i] = frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
    else out[i] = sign * 2 ** (exp - 15) * (1 + frac / 1024);
  }
  return out;
}

/** Serialises tensors (in insertion order) to safetensors bytes. */
export function serializeSafeTensors(
  tensors: Iterable<[string, { data: SafeTensorData; shape: readonly number[] }]>,
  metadata?: Record<string, string>,
): Buffer {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const dtype = t.data instanceof Float32Array ? "F32" : t.data instanceof BigInt64Array ? "I64" : "I32";
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (count !== t.data.length) {
      throw new Error(`safetensors: tensor "${name}" has ${t.data.length} values but shape [${t.shape}]`);
    }
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.byteLength] };
    parts.push(bytes);
    offset += bytes.byteLength;
  }
  let json = JSON.stringify(header);
  json += " ".repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8); // align the data to 8 bytes
  const head = Buffer.alloc(8);
  head.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  return Buffer.concat([head, Buffer.from(json, "utf8"), ...parts]);
}

/** Writes a safetensors file atomically (temp file + rename). */
export async function writeSafeTensors(
  file: string,
  tensors: Iterable<[string, { data: SafeTensorData; shape: readonly number[] }]>,
  metadata?: Record<string, string>,
): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  await writeFile(tmp, serializeSafeTensors(tensors, metadata));
  await rename(tmp, file);
}
