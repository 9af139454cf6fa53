// A disk cache of onnxruntime's optimised models, keyed by the serialised graph and everything that changes
// what the optimiser produces (onnxruntime version, optimisation level, device, CPU). A miss compiles as usual
// and saves onnxruntime's optimised model; a hit loads it with optimisation off. Entries are written to a
// temporary file and renamed into place (concurrent writers each write a whole entry; the last rename wins),
// and carry a checksum: a missing, truncated or corrupt entry is ignored (and removed), never trusted.
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import * as ort from "onnxruntime-node";

/** Where compiled models are kept: CURIO_CACHE_DIR/compiled when set, else WORKSPACE/compiled (none without). */
export function compileCacheDir(
  workspace?: string,
  env: Record<string, string | undefined> = process.env,
): string | undefined {
  if (env.CURIO_CACHE_DIR) return join(env.CURIO_CACHE_DIR, "compiled");
  return workspace === undefined ? undefined : join(workspace, "compiled");
}

const MAGIC = "curio-ort-cache\n";
const FORMAT = 1;
const HEADER = MAGIC.length + 4 + 32; // magic, format (u32 LE), sha256 of the payload

export interface CompileKeyParts {
  optimization: string;
  device: string;
}

/** The entry name for a model: sha256 over the format, onnxruntime's version, options, CPU and model bytes. */
export function cacheKey(model: Uint8Array, parts: CompileKeyParts): string {
  const h = createHash("sha256");
  const cpu = `${process.platform}/${process.arch}/${cpus()[0]?.model ?? "?"}`;
  h.update(JSON.stringify({ format: FORMAT, ort: ort.env.versions, ...parts, cpu }));
  h.update(model);
  return h.digest("hex");
}

/** The payload of a valid entry, or undefined when it is missing, truncated or corrupt (then it is removed). */
export function readEntry(file: string): Uint8Array | undefined {
  let data: Buffer;
  try {
    data = readFileSync(file);
  } catch {
    return undefined;
  }
  const payload = data.subarray(HEADER);
  const valid =
    data.length > HEADER &&
    data.toString("latin1", 0, MAGIC.length) === MAGIC &&
    data.readUInt32LE(MAGIC.length) === FORMAT &&
    createHash("sha256")
      .update(payload)
      .digest()
      .equals(data.subarray(MAGIC.length + 4, HEADER));
  if (!valid) {
    rmSync(file, { force: true });
    return undefined;
  }
  return payload;
}

/** Writes an entry atomically (temporary file + rename). */
export function writeEntry(file: string, payload: Uint8Array): void {
  const head = Buffer.alloc(HEADER);
  head.write(MAGIC, 0, "latin1");
  head.writeUInt32LE(FORMAT, MAGIC.length);
  createHash("sha256")
    .update(payload)
    .digest()
    .copy(head, MAGIC.length + 4);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([head, payload]));
    renameSync(tmp, file);
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Creates an InferenceSession through the cache in `dir`: a valid entry is loaded with graph optimisation off
 * (it is already optimised); otherwise the model is compiled with `options` and its optimised form saved.
 * The cache is best-effort: an unwritable folder or a bad entry costs a compile, never a failure.
 */
export async function createCachedSession(
  model: Uint8Array,
  options: ort.InferenceSession.SessionOptions,
  dir: string,
  key: CompileKeyParts,
): Promise<{ session: ort.InferenceSession; hit: boolean }> {
  const file = join(dir, `${cacheKey(model, key)}.onnx`);
  const cached = readEntry(file);
  if (cached) {
    try {
      const session = await ort.InferenceSession.create(cached, {
        ...options,
        graphOptimizationLevel: "disabled",
      });
      return { session, hit: true };
    } catch {
      rmSync(file, { force: true }); // valid checksum but unloadable (e.g. written by a broken build)
    }
  }
  let optimized: string | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    optimized = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.ort`;
  } catch {
    optimized = undefined;
  }
  const session = await ort.InferenceSession.create(model, {
    ...options,
    ...(optimized ? { optimizedModelFilePath: optimized } : {}),
  });
  if (optimized) {
    try {
      writeEntry(file, readFileSync(optimized));
    } catch {
      // a full disk or a read-only folder: the next run compiles again
    } finally {
      rmSync(optimized, { force: true });
    }
  }
  return { session, hit: false };
}
