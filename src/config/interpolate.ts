// `${VAR}` / `${VAR:-default}` environment interpolation and `file://` references in config values.
import { dirname, extname, isAbsolute, resolve } from "node:path";
import { ConfigError } from "./errors.js";
import { readTextFile } from "./text-file.js";
import { parseYamlText } from "./yaml.js";

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
  // What is left after the valid references (and `$${`) is a reference gone wrong: `${NAME`, `${ NAME }`
  const broken = /\$\{[^}]*\}?/.exec(text.replace(ENV_REF, ""));
  if (broken) {
    throw new ConfigError(`${where}: ${JSON.stringify(broken[0])} is not an environment reference`, {
      hint: "write ${NAME} or ${NAME:-default} (letters, digits and _), or $${ for a literal ${",
    });
  }
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
  const text = readTextFile(
    path,
    `${where} (${ref})`,
    "file:// paths are relative to the config file that contains them",
  );
  const ext = extname(path).toLowerCase();
  if (ext === ".yaml" || ext === ".yml") return { value: parseYamlText(text, path), dir: dirname(path) };
  if (ext === ".json") {
    try {
      return { value: JSON.parse(text), dir: dirname(path) };
    } catch (e) {
      throw new ConfigError(`${where}: ${ref} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }
  if (ext === ".jsonl") {
    const rows = text.split(/\r?\n/).map((line, i) => {
      if (line.trim() === "") return undefined;
      try {
        return JSON.parse(line) as unknown;
      } catch (e) {
        throw new ConfigError(`${where}: ${ref} line ${i + 1} is not valid JSON: ${(e as Error).message}`, {
          cause: e,
        });
      }
    });
    return { value: rows.filter((r) => r !== undefined), dir: dirname(path) };
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
