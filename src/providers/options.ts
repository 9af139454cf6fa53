// Option schemas shared by the networked providers (zod is the single source of truth: defaults and
// descriptions here feed validation and the generated docs), and the HttpClient built from them.
import { join } from "node:path";
import { z } from "zod";
import type { ProviderContext } from "./context.js";
import { HttpClient } from "./http/client.js";

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
    .describe("Cache directory (default .curio/cache/<provider> under the base dir)."),
  apiKeyEnv: z
    .string()
    .optional()
    .describe("Name of the env var holding the API key (sent as Bearer token)."),
};

const httpOptionsSchema = z.object(httpOptionShape);
export type HttpOptions = Omit<z.output<typeof httpOptionsSchema>, "apiKeyEnv">;

export function makeHttpClient(
  opts: HttpOptions,
  ctx: ProviderContext,
  cacheName: string,
  secrets: readonly (string | undefined)[],
): HttpClient {
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
      ? (opts.cacheDir ?? join(ctx.baseDir, ".curio", "cache", cacheName.replace(/[^A-Za-z0-9._-]+/g, "_")))
      : undefined,
    secrets: [...secrets, ...(ctx.secrets ?? [])],
    log: ctx.log,
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

/** Reads `a.b.0.c` from parsed JSON; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  let cur: unknown = value;
  for (const part of path.split(".").filter((p) => p !== "")) {
    if (cur == null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
