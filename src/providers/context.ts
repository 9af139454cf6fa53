// What a provider factory receives besides its options: the environment to read keys from, the directory
// relative paths resolve against, and where to log. Passed in, never read from globals by adapters.
import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { SessionOptions } from "../engine/index.js";

export interface ProviderContext {
  /** Environment for `apiKeyEnv` and `${ENV}` header values (default: process.env). */
  env: Record<string, string | undefined>;
  /** Relative paths (`file://x.mjs`, policy files, rule files) resolve against this (default: cwd). */
  baseDir: string;
  /** Retry notices and other diagnostics; already redacted. */
  log?: (message: string) => void;
  /**
   * Option defaults from the command line (e.g. `{ concurrency: 32 }` for -j 32), applied to every kind
   * whose schema has that option, under the options the spec sets itself.
   */
  defaults?: Record<string, unknown>;
  /** --no-cache: force `cache: false` on every kind that has a cache. */
  noCache?: boolean;
  /** Credentials substituted into the config before providers saw it (e.g. ${API_KEY} in a URL): redacted too. */
  secrets?: readonly string[];
  /** The run's seed, for providers whose randomness follows the run (the sandbox world's target). */
  seed?: number;
  /** Where response caches live (the campaign passes <workspace>/cache); default <baseDir>/.curio/cache. */
  cacheRoot?: string;
  /**
   * Each retried request, for a summary (the CLI prints the count per epoch, each one with --verbose).
   * Without it, retries go to `log`.
   */
  onRetry?: (notice: RetryNotice) => void;
  /**
   * How in-process models (the local target, guard and local-classifier judges) run their sessions: the campaign passes its device and the
   * workspace's compiled-model cache, as the red team's model gets them. Default: CPU, no cache.
   */
  session?: Omit<SessionOptions, "threads">;
}

/** A retried request: a short cause ("HTTP 429", "timeout", "ECONNRESET", ...) and the full, redacted line. */
export interface RetryNotice {
  cause: string;
  message: string;
}

export function defaultContext(partial: Partial<ProviderContext> = {}): ProviderContext {
  return {
    env: partial.env ?? process.env,
    baseDir: partial.baseDir ?? process.cwd(),
    log: partial.log,
    defaults: partial.defaults,
    noCache: partial.noCache,
    secrets: partial.secrets,
    seed: partial.seed,
    cacheRoot: partial.cacheRoot,
    onRetry: partial.onRetry,
    session: partial.session,
  };
}

/** Resolves `file://relative/x.mjs`, `./x.mjs` or an absolute path against the context's base dir. */
export function resolvePath(ctx: ProviderContext, path: string): string {
  const p = path.startsWith("file://") ? path.slice("file://".length) : path;
  return isAbsolute(p) ? p : resolve(ctx.baseDir, p);
}

/** Imports a JS module given as `file://path.mjs` (relative to baseDir). */
export async function importFile(ctx: ProviderContext, path: string): Promise<Record<string, unknown>> {
  return (await import(pathToFileURL(resolvePath(ctx, path)).href)) as Record<string, unknown>;
}

/** Reads the API key from the env var named in the config; a missing variable is a config error. */
export function readApiKey(
  ctx: ProviderContext,
  apiKeyEnv: string | undefined,
  providerId: string,
): string | undefined {
  if (!apiKeyEnv) return undefined;
  const key = ctx.env[apiKeyEnv];
  if (!key) {
    throw new Error(
      `${providerId}: apiKeyEnv names the environment variable ${apiKeyEnv}, which is not set; ` +
        `export ${apiKeyEnv}=... (or load it with --env-file), or remove apiKeyEnv for servers without auth`,
    );
  }
  return key;
}

/** Replaces `${NAME}` with ctx.env.NAME; returns the substituted values so they can be redacted. */
export function interpolateEnv(
  ctx: ProviderContext,
  text: string,
  where: string,
): { text: string; secrets: string[] } {
  const secrets: string[] = [];
  const out = text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = ctx.env[name];
    if (v === undefined)
      throw new Error(`${where}: environment variable ${name} is not set; export it or edit ${where}`);
    secrets.push(v);
    return v;
  });
  return { text: out, secrets };
}
