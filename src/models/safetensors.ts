// safetensors: an 8-byte little-endian header length, a JSON header
// { name: { dtype, shape, data_offsets: [begin, end] }, __metadata__?: {...} }, then raw little-endian data.
// Floats are returned as Float32Array (F16/BF16/F64 are widened/narrowed on read); I64 as BigInt64Array.
import { type FileHandle, open, rename, rm } from "node:fs/promises";

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

/** Reads a safetensors file tensor by tensor (no whole-file buffer, so files over 2 GB read too). */
export async function readSafeTensors(file: string): Promise<SafeTensorsFile> {
  let fh: FileHandle;
  try {
    fh = await open(file, "r");
  } catch (e) {
    throw new SafeTensorsError(file, `cannot read the file (${(e as Error).message})`);
  }
  try {
    const size = (await fh.stat()).size;
    const head = Buffer.alloc(Math.min(8, size));
    await fh.read(head, 0, head.length, 0);
    const headerLen = headerLength(head, size, file);
    const json = Buffer.alloc(headerLen);
    await fh.read(json, 0, headerLen, 8);
    const { entries, metadata } = parseHeader(json, size - 8 - headerLen, file);
    const tensors = new Map<string, SafeTensor>();
    for (const e of entries) {
      const bytes = new Uint8Array(e.end - e.begin); // fresh and aligned: the arrays handed out are mutable
      if (bytes.length > 0) await fh.read(bytes, 0, bytes.length, 8 + headerLen + e.begin);
      tensors.set(e.name, { ...decode(e.dtype, bytes, e.count), shape: e.shape });
    }
    return { tensors, metadata };
  } finally {
    await fh.close();
  }
}

function headerLength(head: Uint8Array, size: number, file: string): number {
  if (size < 8)
    throw new SafeTensorsError(
      file,
      `not a safetensors file: ${size} bytes, the 8-byte header length is missing`,
    );
  const headerLen = Number(new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true));
  if (headerLen <= 0 || 8 + headerLen > size) {
    throw new SafeTensorsError(
      file,
      `not a safetensors file: header length ${headerLen} does not fit in ${size} bytes`,
    );
  }
  return headerLen;
}

interface Entry {
  name: string;
  dtype: string;
  shape: number[];
  count: number;
  begin: number;
  end: number;
}

/** The JSON header's tensor entries, checked against the data section's length. */
function parseHeader(
  json: Uint8Array,
  dataLen: number,
  file: string,
): { entries: Entry[]; metadata: Record<string, string> } {
  const fail = (msg: string): never => {
    throw new SafeTensorsError(file, msg);
  };
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString("utf8"));
  } catch (e) {
    return fail(`the JSON header does not parse (${(e as Error).message})`);
  }
  const entries: Entry[] = [];
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
    if (end - begin !== count * size! || begin < 0 || end > dataLen) {
      fail(
        `${where}: data_offsets [${begin}, ${end}] do not match shape [${e.shape}] of ${e.dtype} ` +
          `(${count * size!} bytes) within ${dataLen} data bytes; the file is truncated or corrupt`,
      );
    }
    entries.push({ name, dtype: e.dtype, shape: e.shape.slice(), count, begin, end });
  }
  return { entries, metadata };
}

/** Parses safetensors bytes; `file` is only used in error messages. */
export function parseSafeTensors(buf: Uint8Array, file = "<buffer>"): SafeTensorsFile {
  const headerLen = headerLength(buf, buf.byteLength, file);
  const dataStart = 8 + headerLen;
  const { entries, metadata } = parseHeader(buf.subarray(8, dataStart), buf.byteLength - dataStart, file);
  const tensors = new Map<string, SafeTensor>();
  for (const e of entries) {
    const bytes = new Uint8Array(buf.subarray(dataStart + e.begin, dataStart + e.end)); // an aligned copy
    tensors.set(e.name, { ...decode(e.dtype, bytes, e.count), shape: e.shape });
  }
  return { tensors, metadata };
}

/** Decodes `bytes` (an aligned buffer of its own, which F32/I64/I32 data then views without a copy). */
function decode(dtype: string, bytes: Uint8Array, count: number): Pick<SafeTensor, "dtype" | "data"> {
  const buf = bytes.buffer as ArrayBuffer;
  switch (dtype) {
    case "F32":
      return { dtype: "F32", data: new Float32Array(buf, bytes.byteOffset, count) };
    case "F64":
      return { dtype: "F32", data: Float32Array.from(new Float64Array(buf, bytes.byteOffset, count)) };
    case "I64":
      return { dtype: "I64", data: new BigInt64Array(buf, bytes.byteOffset, count) };
    case "I32":
      return { dtype: "I32", data: new Int32Array(buf, bytes.byteOffset, count) };
    case "F16": {
      const table = halfTable();
      const src = new Uint16Array(buf, bytes.byteOffset, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[src[i]!]!;
      return { dtype: "F32", data: out };
    }
    default: {
      // BF16 is the top half of an F32.
      const src = new Uint16Array(buf, bytes.byteOffset, count);
      const out = new Uint32Array(count);
      for (let i = 0; i < count; i++) out[i] = src[i]! << 16;
      return { dtype: "F32", data: new Float32Array(out.buffer) };
    }
  }
}

let HALF: Float32Array | undefined;
/** Every IEEE half-precision value as a float32, indexed by its 16 bits. */
function halfTable(): Float32Array {
  HALF ??= halfToFloat(Uint16Array.from({ length: 65536 }, (_, i) => i));
  return HALF;
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

/** The header (8-byte length + JSON, padded so the data is 8-byte aligned) and each tensor's bytes, in order. */
function layout(
  tensors: Iterable<[string, { data: SafeTensorData; shape: readonly number[] }]>,
  metadata?: Record<string, string>,
): { head: Buffer; parts: Uint8Array[] } {
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
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)), 0);
  return { head: Buffer.concat([len, Buffer.from(json, "utf8")]), parts };
}

/** Serialises tensors (in insertion order) to safetensors bytes. */
export function serializeSafeTensors(
  tensors: Iterable<[string, { data: SafeTensorData; shape: readonly number[] }]>,
  metadata?: Record<string, string>,
): Buffer {
  const { head, parts } = layout(tensors, metadata);
  return Buffer.concat([head, ...parts]);
}

/** Writes a safetensors file atomically (temp file + rename), tensor by tensor (no whole-file buffer). */
export async function writeSafeTensors(
  file: string,
  tensors: Iterable<[string, { data: SafeTensorData; shape: readonly number[] }]>,
  metadata?: Record<string, string>,
): Promise<void> {
  const { head, parts } = layout(tensors, metadata);
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fh = await open(tmp, "w");
  try {
    await fh.write(head);
    for (const p of parts) {
      // chunks below the 2 GB limit of one write
      for (let at = 0; at < p.byteLength; at += 1 << 30) await fh.write(p.subarray(at, at + (1 << 30)));
    }
    await fh.close();
    await rename(tmp, file);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}
