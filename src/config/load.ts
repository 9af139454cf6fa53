// Loading curio.yaml: read, parse YAML, interpolate ${ENV}, resolve file:// refs, apply method
// defaults, validate with the zod schema, and resolve paths relative to the config file.
import { existsSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { ConfigError } from "./errors.js";
import { formatIssues } from "./format-issues.js";
import { type Env, interpolateEnv, resolveRefs, secretEnvValues } from "./interpolate.js";
import { curioJsonSchema } from "./json-schema.js";
import { deepMerge, isPlainObject } from "./merge.js";
import { methodDefaults } from "./methods.js";
import { checkProviderSpecs } from "./provider-check.js";
import { type CurioConfig, curioConfigSchema, type Method, methods } from "./schema.js";
import { readTextFile } from "./text-file.js";
import { parseYamlText } from "./yaml.js";

export { parseYamlText };

export interface LoadedConfig {
  config: CurioConfig;
  /** Absolute path of the config file. */
  path: string;
  /** Its folder: the base of every relative path in it. */
  dir: string;
  /** Values of credential-like ${VARS} the file uses: providers and the store redact them. */
  secrets: string[];
}

/**
 * Validates a config object (already free of ${ENV} and file:// refs). `source` names it in errors.
 * Throws ConfigError with one problem line per bad key.
 */
export function parseConfig(raw: unknown, source = "config"): CurioConfig {
  if (raw === null || raw === undefined) raw = {};
  if (!isPlainObject(raw)) {
    throw new ConfigError(
      `${source}: expected a mapping of keys (name, target, judge, ...), got ${typeof raw}`,
    );
  }
  const method = raw.method;
  const merged =
    typeof method === "string" && (methods as readonly string[]).includes(method)
      ? deepMerge(methodDefaults[method as Method], raw)
      : raw;
  const result = curioConfigSchema.safeParse(merged);
  if (result.success) return result.data;
  const problems = formatIssues(result.error.issues, merged, curioJsonSchema());
  throw new ConfigError(`${source} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
    problems,
    hint: "see docs/config.md, or run `curio init` for a commented example",
  });
}

function resolveLocal(p: string, dir: string): string {
  return isAbsolute(p) ? p : resolve(dir, p);
}

/** Makes the config's known paths absolute (relative ones are relative to the config's folder). */
export function resolveConfigPaths(config: CurioConfig, dir: string): CurioConfig {
  const out = structuredClone(config);
  out.workspace = resolveLocal(out.workspace, dir);
  const isPath = (p: string) => /^(\.{1,2}[\\/]|\/)/.test(p);
  if (isPath(out.redteam.model)) out.redteam.model = resolveLocal(out.redteam.model, dir);
  if (out.naturalness !== null && isPath(out.naturalness))
    out.naturalness = resolveLocal(out.naturalness, dir);
  const ex = out.redteam.seedPrompts.examples;
  if (typeof ex === "string") out.redteam.seedPrompts.examples = { path: resolveLocal(ex, dir) };
  else if (!Array.isArray(ex)) ex.path = resolveLocal(ex.path, dir);
  const fs = out.baseline.fewShotFrom;
  if (fs !== null && /\.(jsonl|json|csv|txt)$/i.test(fs)) out.baseline.fewShotFrom = resolveLocal(fs, dir);
  return out;
}

function readConfigFile(path: string): { abs: string; dir: string; text: string; raw: unknown } {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new ConfigError(`config file not found: ${path}`, {
      hint: "create one with `curio init` (or pass -c FILE)",
    });
  }
  const text = readTextFile(abs);
  return { abs, dir: dirname(abs), text, raw: parseYamlText(text, path) };
}

/**
 * Only the `workspace:` of a config (absolute), for commands that read the store and nothing else: the
 * rest of the file is not interpolated or validated, so its ${VARS} and credentials need not be set.
 */
export function readConfigWorkspace(path: string, env: Env = process.env): string {
  const { dir, raw } = readConfigFile(path);
  const value = isPlainObject(raw) ? raw.workspace : undefined;
  if (value === undefined || value === null) return resolve(dir, ".curio");
  if (typeof value !== "string" || value === "") {
    throw new ConfigError(`${path}: workspace: expected a folder path, got ${JSON.stringify(value)}`);
  }
  return resolveLocal(interpolateEnv(value, env, "workspace"), dir);
}

/**
 * Loads and validates a curio.yaml. `env` defaults to process.env. Provider options are checked
 * against the provider registry unless `checkProviders` is false.
 */
export function loadConfig(path: string, opts: { env?: Env; checkProviders?: boolean } = {}): LoadedConfig {
  const { abs, dir, text, raw } = readConfigFile(path);
  const resolved = resolveRefs(raw, dir, opts.env ?? process.env);
  const config = parseConfig(resolved, path);
  if (opts.checkProviders !== false) {
    const problems = checkProviderSpecs(config);
    if (problems.length > 0) {
      throw new ConfigError(`${path} is invalid:\n${problems.map((p) => `  - ${p}`).join("\n")}`, {
        problems,
        hint: "provider ids and options are listed in docs/providers.md",
      });
    }
  }
  const secrets = secretEnvValues(text, opts.env ?? process.env);
  return { config: resolveConfigPaths(config, dir), path: abs, dir, secrets };
}
