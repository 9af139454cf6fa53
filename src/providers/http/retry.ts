// Retry policy: exponential backoff with full jitter, Retry-After honoured, and the classification of
// which failures are worth retrying (429, 5xx, dropped connections, timeouts).

export interface RetryPolicy {
  /** Retries after the first attempt (0 = try once). */
  retries: number;
  /** Base of the exponential backoff, ms: attempt k waits uniform(0, min(maxDelayMs, baseDelayMs * 2^k)). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Upper bound on a server's Retry-After, ms (a server asking for an hour should not stall a run). */
  maxRetryAfterMs: number;
}

/** Parses Retry-After (delta seconds or an HTTP date) into a delay in ms; undefined when absent/invalid. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value == null) return undefined;
  const v = value.trim();
  if (v === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const date = Date.parse(v);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** Full-jitter backoff (AWS architecture blog): uniform in [0, min(cap, base * 2^attempt)). */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** The delay before retry number `attempt` (0-based): Retry-After when the server gave one, else backoff. */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxRetryAfterMs);
  return backoffDelay(attempt, policy, random);
}

export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** Walks an error's `cause` chain (fetch wraps the socket error) looking for a transient network failure. */
export function isRetryableError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: string; message?: string; name?: string; cause?: unknown };
    if (x.code && TRANSIENT_CODES.has(x.code)) return true;
    if (x.name === "TimeoutError") return true;
    if (/socket hang up|other side closed|fetch failed|terminated/i.test(x.message ?? "")) return true;
    e = x.cause;
  }
  return false;
}

/** The first error code in the cause chain (ECONNRESET, ...), if any. */
export function errorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A short description of a network error including the cause chain's codes, e.g. "fetch failed (ECONNRESET)". */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const x = e as { code?: string; message?: string; cause?: unknown };
    const m = x.message ?? String(e);
    parts.push(x.code && !m.includes(x.code) ? `${m} (${x.code})` : m);
    e = x.cause;
  }
  return parts.join(": ");
}

export { sleep } from "../../util/sleep.js";
