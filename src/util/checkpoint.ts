// The one checkpoint protocol: every stateful part of a run (the attacker, both novelty indexes, the target)
// implements `Resumable`, returning plain data in which typed arrays may appear anywhere. `packState` splits
// such a value into JSON (stored as text) and binary blobs (stored as bytes, no base64), and `unpackState`
// puts it back together exactly: numbers round-trip through JSON text bit for bit (NaN, Infinity and -0
// tagged), arrays byte for byte.

/** JSON data plus typed arrays: what `state()` returns. */
export type StateValue =
  | null
  | boolean
  | number
  | string
  | Float32Array
  | Float64Array
  | Int32Array
  | Uint8Array
  | StateValue[]
  | { [key: string]: StateValue | undefined };

/** A part of a run that a checkpoint saves and a resume restores. */
export interface Resumable<S extends StateValue = StateValue> {
  /** Everything needed to continue exactly; a copy (later updates do not change it). */
  state(): S;
  loadState(state: S): void;
}

export interface PackedState {
  json: unknown;
  blobs: Record<string, Uint8Array>;
}

const ARRAY_TYPES = {
  f32: Float32Array,
  f64: Float64Array,
  i32: Int32Array,
  u8: Uint8Array,
} as const;
type ArrayTag = keyof typeof ARRAY_TYPES;
type TypedArray = Float32Array | Float64Array | Int32Array | Uint8Array;

const BLOB = "$blob";
const NUMBER = "$number";

function tagOf(v: unknown): ArrayTag | null {
  if (v instanceof Float32Array) return "f32";
  if (v instanceof Float64Array) return "f64";
  if (v instanceof Int32Array) return "i32";
  if (v instanceof Uint8Array) return "u8";
  return null;
}

/** Splits a state value into JSON and blobs; each typed array becomes `{ $blob: name, type }` in the JSON. */
export function packState(value: StateValue): PackedState {
  const blobs: Record<string, Uint8Array> = {};
  const walk = (v: unknown, path: string): unknown => {
    const tag = tagOf(v);
    if (tag) {
      const a = v as TypedArray;
      blobs[path] = new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
      return { [BLOB]: path, type: tag };
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${path}/${i}`));
    if (v !== null && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x !== undefined) out[k] = walk(x, `${path}/${encodeURIComponent(k)}`);
      }
      return out;
    }
    // JSON has no NaN, Infinity or -0: tag them so that they come back as they were
    if (typeof v === "number" && (!Number.isFinite(v) || Object.is(v, -0)))
      return { [NUMBER]: Object.is(v, -0) ? "-0" : String(v) };
    return v;
  };
  return { json: walk(value, ""), blobs };
}

/** The inverse of packState. A missing blob means the checkpoint is incomplete: say which. */
export function unpackState(json: unknown, blobs: Record<string, Uint8Array>): StateValue {
  const walk = (v: unknown): StateValue => {
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (typeof o[BLOB] === "string" && typeof o.type === "string" && o.type in ARRAY_TYPES) {
        const bytes = blobs[o[BLOB]];
        if (!bytes) throw new Error(`checkpoint: blob "${o[BLOB]}" is missing; the checkpoint is incomplete`);
        const Type = ARRAY_TYPES[o.type as ArrayTag];
        if (bytes.byteLength % Type.BYTES_PER_ELEMENT !== 0) {
          throw new Error(`checkpoint: blob "${o[BLOB]}" has ${bytes.byteLength} bytes, not ${o.type} data`);
        }
        // a fresh, aligned buffer: the store's bytes may sit at any offset
        const copy = new Uint8Array(bytes).buffer;
        return new Type(copy);
      }
      if (typeof o[NUMBER] === "string") return o[NUMBER] === "-0" ? -0 : Number(o[NUMBER]);
      const out: Record<string, StateValue> = {};
      for (const [k, x] of Object.entries(o)) out[k] = walk(x);
      return out;
    }
    return v as StateValue;
  };
  return walk(json);
}
