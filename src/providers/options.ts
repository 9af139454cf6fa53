// Option schemas shared by the networked providers (zod is the single source of truth: defaults and
// descriptions here feed validation and the generated docs), and the HttpClient built from them.
import { join } from "node:path";
import { z } from "zod";
import type { ProviderContext } from "./context.js";
import { cacheFolder } from "./http/cache.js";
import { HttpClient } from "./http/client.js";
import { makeRedactor } from "./http/redact.js";

export const httpOptionShape = {
  concurrency: z.number().int().min(1).default(8).describe("Requests in flight at once (the CLI's -j)."),
  timeoutMs: z
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe("Per-request timeout, ms (a timeout is retried)."),
  retries: z
    .number()
    .int()
    .min(0)
    .default(4)
    .describe("Retries on 429, 5xx, dropped connections, timeouts, bad JSON."),
  backoffBaseMs: z
    .number()
    .nonnegative()
    .default(500)
    .describe("Backoff base: retry k waits uniform(0, base*2^k)."),
  backoffMaxMs: z.number().nonnegative().default(30_000).describe("Cap of one backoff wait, ms."),
  maxRetryAfterMs: z.number().nonnegative().default(60_000).describe("Cap on a server's Retry-After, ms."),
  rateLimit: z
    .number()
    .positive()
    .optional()
    .describe("Max requests per second (token bucket); unset = no limit."),
  cache: z
    .boolean()
    .default(false)
    .describe("Cache responses on disk (off by default: sampled outputs vary)."),
  cacheDir: z
    .string()
    .optional()
    .describe("Cache directory (default: <workspace>/cache/<provider kind>-<hash of its URL>)."),
  apiKeyEnv: z
    .string()
    .optional()
    .describe("Name of the env var holding the API key (sent as Bearer token)."),
};

const httpOptionsSchema = z.object(httpOptionShape);
export type HttpOptions = Omit<z.output<typeof httpOptionsSchema>, "apiKeyEnv">;

/**
 * The provider's HTTP client. `identity` names it for its cache folder: the provider kind and what
 * tells two of that kind apart (URL, model), which is hashed, never written out (a URL may hold a token).
 */
export function makeHttpClient(
  opts: HttpOptions,
  ctx: ProviderContext,
  identity: { kind: string; key: string },
  secrets: readonly (string | undefined)[],
): HttpClient {
  const allSecrets = [...secrets, ...(ctx.secrets ?? [])];
  const cacheRoot = ctx.cacheRoot ?? join(ctx.baseDir, ".curio", "cache");
  return new HttpClient({
    concurrency: opts.concurrency,
    timeoutMs: opts.timeoutMs,
    retry: {
      retries: opts.retries,
      baseDelayMs: opts.backoffBaseMs,
      maxDelayMs: opts.backoffMaxMs,
      maxRetryAfterMs: opts.maxRetryAfterMs,
    },
    rateLimit: opts.rateLimit,
    cacheDir: opts.cache
      ? (opts.cacheDir ?? join(cacheRoot, cacheFolder(identity.kind, identity.key, makeRedactor(allSecrets))))
      : undefined,
    secrets: allSecrets,
    log: ctx.log,
    onRetry: ctx.onRetry,
  });
}

/** Runs `fn` over items with results in input order (the client bounds the real concurrency). */
export function mapInOrder<T, R>(
  items: readonly T[],
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  return Promise.all(items.map((item, i) => fn(item, i)));
}

/** Splits into consecutive chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Why `path` finds nothing in `value`: the deepest step that exists and the keys there, e.g.
 * `responsePath "data.nope": no "nope" under "data" (keys there: outputs)`.
 */
export function describeMissingPath(value: unknown, path: string): string {
  const parts = path.split(".").filter((p) => p !== "");
  let cur: unknown = value;
  let at = "the answer";
  for (const [i, part] of parts.entries()) {
    const next = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[part] : undefined;
    if (next === undefined) {
      const keys = cur !== null && typeof cur === "object" ? Object.keys(cur as object) : [];
      const where =
        keys.length > 0
          ? ` (keys there: ${keys.slice(0, 12).join(", ")})`
          : ` (it is ${JSON.stringify(cur)?.slice(0, 60)})`;
      return `responsePath "${path}": no "${part}" under ${at}${where}`;
    }
    cur = next;
    at = `"${parts.slice(0, i + 1).join(".")}"`;
  }
  return `responsePath "${path}" found ${JSON.stringify(cur)?.slice(0, 80)}`;
}

/** Reads `a.b.0.c` from parsed JSON; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split(".").filter((p) => p !== "")) {
    if (cur == null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
