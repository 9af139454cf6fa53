// --env-file: KEY=VALUE lines (optional `export`, quotes, # comments), like dotenv.
import { readFileSync } from "node:fs";
import { ConfigError } from "../config/errors.js";

export function parseEnvFile(text: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`${source}:${i + 1}: expected KEY=VALUE, got ${JSON.stringify(raw)}`);
    let value = m[2]!;
    const q = value[0];
    if ((q === '"' || q === "'") && value.endsWith(q) && value.length >= 2) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else value = value.replace(/\s+#.*$/, "");
    out[m[1]!] = value;
  });
  return out;
}

export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`--env-file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code})`, {
      cause: e,
    });
  }
  return parseEnvFile(text, path);
}
