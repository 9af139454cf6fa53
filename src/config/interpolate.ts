// `${VAR}` / `${VAR:-default}` environment interpolation and `file://` references in config values.
import { readFileSync } from "node:fs";
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { ConfigError } from "./errors.js";

export type Env = Record<string, string | undefined>;

const CODE_FILE = /\.(m?js|cjs|m?ts|cts)$/i;
const ENV_REF = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function keyPathString(path: readonly PropertyKey[]): string {
  if (path.length === 0) return "(top level)";
  return path
    .map((k, i) => (typeof k === "number" ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join("");
}

/** Names of variables that hold credentials: their values are redacted wherever curio prints or stores text. */
const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|PASSWD|AUTH|CREDENTIAL/i;

/** The values of credential-like variables (${OPENAI_API_KEY}, ${X_TOKEN}, ...) that `text` refers to. */
export function secretEnvValues(text: string, env: Env): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(ENV_REF)) {
    const value = m[1] && SECRET_NAME.test(m[1]) ? env[m[1]] : undefined;
    if (value) out.add(value);
  }
  return [...out];
}

/** Replaces ${VAR} and ${VAR:-default} in one string; `$${` stays a literal `${`. */
export function interpolateEnv(text: string, env: Env, where: string): string {
  return text.replace(ENV_REF, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$${") return "${";
    const value = env[name!];
    if (value !== undefined && value !== "") return value;
    if (fallback !== undefined) return fallback;
    throw new ConfigError(`${where}: environment variable ${name} is not set`, {
      hint: `export ${name}=..., pass --env-file FILE, or give a default: \${${name}:-value}`,
    });
  });
}

/** Loads a `file://` reference: .json/.yaml/.yml parsed, .jsonl parsed line by line, else text. */
export function loadFileRef(ref: string, baseDir: string, where: string): { value: unknown; dir: string } {
  const rel = ref.slice("file://".length);
  const path = isAbsolute(rel) ? rel : resolve(baseDir, rel);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError(`${where}: cannot read ${ref} (${code ?? String(e)}; resolved to ${path})`, {
      hint: "file:// paths are relative to the config file that contains them",
      cause: e,
    });
  }
  const ext = extname(path).toLowerCase();
  try {
    if (ext === ".json") return { value: JSON.parse(text), dir: dirname(path) };
    if (ext === ".yaml" || ext === ".yml") return { value: parseYaml(text), dir: dirname(path) };
    if (ext === ".jsonl") {
      const rows = text
        .split(/\r?\n/)
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as unknown);
      return { value: rows, dir: dirname(path) };
    }
  } catch (e) {
    throw new ConfigError(`${where}: ${ref} is not valid ${ext.slice(1)}: ${(e as Error).message}`, {
      cause: e,
    });
  }
  return { value: text, dir: dirname(path) };
}

/**
 * Walks a parsed YAML value: interpolates env vars in every string, then replaces strings that are
 * exactly `file://...` with the file's contents (structured contents are walked in turn, relative
 * to their own folder).
 */
export function resolveRefs(
  value: unknown,
  baseDir: string,
  env: Env,
  path: PropertyKey[] = [],
  depth = 0,
): unknown {
  if (typeof value === "string") {
    const where = keyPathString(path);
    const text = interpolateEnv(value, env, where);
    // `id: file://provider.mjs` names a custom provider module: the provider layer imports it.
    if (!text.startsWith("file://") || path.at(-1) === "id" || CODE_FILE.test(text)) return text;
    if (depth >= 8) throw new ConfigError(`${where}: file:// references nested more than 8 deep (a cycle?)`);
    const loaded = loadFileRef(text, baseDir, where);
    // Text files are taken verbatim: their contents are not interpolated again.
    if (typeof loaded.value === "string") return loaded.value;
    return resolveRefs(loaded.value, loaded.dir, env, path, depth + 1);
  }
  if (Array.isArray(value)) return value.map((v, i) => resolveRefs(v, baseDir, env, [...path, i], depth));
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveRefs(v, baseDir, env, [...path, k], depth);
    return out;
  }
  return value;
}
