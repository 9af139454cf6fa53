// Keeps secrets out of the run record: values of keys that name a credential are replaced.

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
