// --env-file: KEY=VALUE lines (optional `export`, quotes, # comments), like dotenv.
import { ConfigError } from "../config/errors.js";
import { readTextFile } from "../config/text-file.js";

export function parseEnvFile(text: string, source: string): Record<string, string> {
  const out: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new ConfigError(`${source}:${i + 1}: expected KEY=VALUE, got ${JSON.stringify(raw)}`);
    let value = m[2]!;
    const q = value[0];
    if (q === '"' || q === "'") {
      // the closing quote, then at most a comment
      const close = /^(["'])((?:\\.|(?!\1).)*)\1\s*(#.*)?$/.exec(value);
      if (!close) {
        throw new ConfigError(
          `${source}:${i + 1}: the value of ${m[1]} opens a ${q} quote that is never closed`,
          {
            hint: `close it on the same line: ${m[1]}=${q}...${q} (write \\n for a line break in "...")`,
          },
        );
      }
      value = close[2]!;
      if (q === '"') value = value.replace(/\\n/g, "\n").replace(/\\"/g, '"');
    } else value = value.replace(/\s+#.*$/, "");
    out[m[1]!] = value;
  });
  return out;
}

export function readEnvFile(path: string): Record<string, string> {
  return parseEnvFile(readTextFile(path, "--env-file"), path);
}
