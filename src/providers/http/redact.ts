// Secrets (API keys, header values read from the environment) must never reach errors, logs, results or
// cache files. Every string leaving the HTTP base passes through a Redactor built from the provider's secrets.

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
