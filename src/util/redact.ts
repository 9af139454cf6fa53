// Secrets (API keys, header values read from the environment) must never reach errors, logs, results, cache
// files or the run store. Every string leaving the HTTP base passes through a Redactor built from the secrets.

export type Redactor = (text: string) => string;

/** Replaces every occurrence of each secret (and its URL-encoded form) with `***`. */
export function makeRedactor(secrets: readonly (string | undefined)[]): Redactor {
  const needles = new Set<string>();
  for (const s of secrets) {
    // Very short "secrets" would mangle ordinary text; real keys are long.
    if (!s || s.length < 4) continue;
    needles.add(s);
    needles.add(encodeURIComponent(s));
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const n of sorted) out = out.split(n).join("***");
    return out;
  };
}

/** A copy of a JSON value with every occurrence of a secret string redacted (e.g. a config before it is stored). */
export function redactValues<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  const redact = makeRedactor(secrets);
  return JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === "string" ? redact(v) : v)) as T;
}
