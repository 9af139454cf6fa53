// Keeps secrets out of the run record (values of keys that name a credential are replaced), and puts the
// caller's credentials back into a recorded config when a run resumes.

const SECRET_KEY =
  /(api[-_]?key|secret|password|passwd|authorization|cookie|credential|(access|auth|bearer|session|refresh)[-_]?token|^token$)/i;

/** A deep copy of `value` with every secret-looking key's value replaced by "[redacted]". */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Keys that name where a secret lives (apiKeyEnv: "OPENAI_API_KEY") are not secrets.
      const isPointer = /env$/i.test(k) && typeof v === "string";
      out[k] =
        SECRET_KEY.test(k) && !isPointer && v !== null && typeof v !== "object"
          ? "[redacted]"
          : redactSecrets(v);
    }
    return out;
  }
  return value;
}

const REDACTED = "[redacted]";

/** The value as the run record keeps it: `redactValue` applied to every string, then redactSecrets. */
export function storedForm(value: unknown, redactValue: (text: string) => string): unknown {
  const strings = JSON.parse(JSON.stringify(value ?? null), (_k, v) =>
    typeof v === "string" ? redactValue(v) : v,
  ) as unknown;
  return redactSecrets(strings);
}

/** Key paths (a.b[0].c) where two JSON values differ, at most `limit` of them. */
export function changedPaths(a: unknown, b: unknown, limit = 5, path = ""): string[] {
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  const bothObjects = a !== null && b !== null && typeof a === "object" && typeof b === "object";
  if (!bothObjects || Array.isArray(a) !== Array.isArray(b)) return [path || "(everything)"];
  const out: string[] = [];
  const keys = new Set([...Object.keys(a as object), ...Object.keys(b as object)]);
  for (const k of keys) {
    const sub = Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    out.push(
      ...changedPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], limit, sub),
    );
    if (out.length >= limit) return out.slice(0, limit);
  }
  return out;
}

/**
 * A stored (redacted) value with its credentials put back from `fresh`, the same config as the caller loaded
 * it: wherever the record holds "[redacted]" or a string whose secrets were replaced, the fresh value at the
 * same path is taken if it redacts to the same record. `missing` lists the paths where it does not.
 */
export function restoreCredentials(
  stored: unknown,
  fresh: unknown,
  redactValue: (text: string) => string,
  path = "",
): { value: unknown; missing: string[] } {
  if (typeof stored === "string") {
    const marked = stored === REDACTED || stored.includes("***");
    if (!marked) return { value: stored, missing: [] };
    const same =
      stored === REDACTED
        ? fresh !== undefined && fresh !== null && typeof fresh !== "object"
        : typeof fresh === "string" && redactValue(fresh) === stored;
    return same ? { value: fresh, missing: [] } : { value: stored, missing: [path] };
  }
  if (stored === null || typeof stored !== "object") return { value: stored, missing: [] };
  const missing: string[] = [];
  const out: Record<string, unknown> | unknown[] = Array.isArray(stored) ? [] : {};
  for (const [k, v] of Object.entries(stored)) {
    const sub = Array.isArray(stored) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const inner =
      fresh !== null && typeof fresh === "object" ? (fresh as Record<string, unknown>)[k] : undefined;
    const r = restoreCredentials(v, inner, redactValue, sub);
    (out as Record<string, unknown>)[k] = r.value;
    missing.push(...r.missing);
  }
  return { value: out, missing };
}
