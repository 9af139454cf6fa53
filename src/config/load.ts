// Loading curio.yaml: read, parse YAML, interpolate ${ENV}, resolve file:// refs, apply method
// defaults, validate with the zod schema, and resolve paths relative to the config file.
import { existsSync, readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parseDocument } from "yaml";
import { ConfigError } from "./errors.js";
import { formatIssues } from "./format-issues.js";
import { type Env, resolveRefs, secretEnvValues } from "./interpolate.js";
import { curioJsonSchema } from "./json-schema.js";
import { deepMerge, isPlainObject } from "./merge.js";
import { methodDefaults } from "./methods.js";
import { checkProviderSpecs } from "./provider-check.js";
import { type CurioConfig, curioConfigSchema, type Method, methods } from "./schema.js";

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
  if (/^(\.{1,2}[\\/]|\/)/.test(out.redteam.model)) out.redteam.model = resolveLocal(out.redteam.model, dir);
  const ex = out.redteam.seedPrompts.examples;
  if (typeof ex === "string") out.redteam.seedPrompts.examples = { path: resolveLocal(ex, dir) };
  else if (!Array.isArray(ex)) ex.path = resolveLocal(ex.path, dir);
  const fs = out.baseline.fewShotFrom;
  if (fs !== null && /\.(jsonl|json|csv|txt)$/i.test(fs)) out.baseline.fewShotFrom = resolveLocal(fs, dir);
  return out;
}

/** Parses YAML text with line/column errors. */
export function parseYamlText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : "";
    throw new ConfigError(`${source}${at}: invalid YAML: ${e.message.split("\n")[0]}`, { cause: e });
  }
  return doc.toJS();
}

/**
 * Loads and validates a curio.yaml. `env` defaults to process.env. Provider options are checked
 * against the provider registry unless `checkProviders` is false.
 */
export function loadConfig(path: string, opts: { env?: Env; checkProviders?: boolean } = {}): LoadedConfig {
  const abs = resolve(path);
  if (!existsSync(abs)) {
    throw new ConfigError(`config file not found: ${path}`, {
      hint: "create one with `curio init` (or pass -c FILE)",
    });
  }
  let text: string;
  try {
    text = readFileSync(abs, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  const dir = dirname(abs);
  const raw = parseYamlText(text, path);
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
