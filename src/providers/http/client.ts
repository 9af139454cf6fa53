// The shared HTTP base every networked provider uses: bounded concurrency, request-rate limit, per-request
// timeout, retries with backoff honouring Retry-After, optional on-disk cache, and secret redaction.
// Failures come back as `{ ok: false, error }`; only programming errors throw.
import { setMaxListeners } from "node:events";
import { DiskCache, requestKey } from "./cache.js";
import { Semaphore, TokenBucket } from "./limiter.js";
import { makeRedactor, type Redactor } from "./redact.js";
import {
  describeError,
  errorCode,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryDelay,
  sleep,
} from "./retry.js";
import { type RawResponse, TimeoutError, Transport } from "./transport.js";

export interface HttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
}

export type HttpOutcome =
  | { ok: true; json: unknown; cached: boolean; latencyMs: number; attempts: number }
  | { ok: false; error: string; status?: number; latencyMs: number; attempts: number };

export interface HttpClientConfig {
  concurrency: number;
  timeoutMs: number;
  retry: RetryPolicy;
  /** Requests per second (token bucket); undefined = unlimited. */
  rateLimit?: number;
  /** Directory of the response cache; undefined = no cache. */
  cacheDir?: string;
  /** Values to redact from every error and log line (API keys, secret header values). */
  secrets: readonly (string | undefined)[];
  log?: (message: string) => void;
  /** Each retry's short cause and redacted line; when set, retries are not logged. */
  onRetry?: (notice: { cause: string; message: string }) => void;
  /** Injectable for tests; defaults to Math.random. */
  random?: () => number;
}

const SNIPPET = 300;

export class HttpClient {
  private readonly slots: Semaphore;
  private readonly bucket?: TokenBucket;
  private readonly cache?: DiskCache;
  private readonly transport: Transport;
  private readonly ownSignals = new WeakMap<AbortSignal, AbortSignal>();
  readonly redact: Redactor;

  constructor(private readonly config: HttpClientConfig) {
    this.slots = new Semaphore(config.concurrency);
    if (config.rateLimit !== undefined) this.bucket = new TokenBucket(config.rateLimit);
    if (config.cacheDir) this.cache = new DiskCache(config.cacheDir);
    this.redact = makeRedactor(config.secrets);
    this.transport = new Transport(config.concurrency);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.transport.close();
  }

  /**
   * This client's own signal following the caller's. Every request in flight (and every retry wait) listens
   * for an abort; on the caller's signal, shared by all providers of a campaign, that is more listeners
   * than Node's leak warning allows (10) at -j 11 and up. The caller's signal gets one listener per client;
   * ours holds at most one per concurrency slot.
   */
  private own(signal: AbortSignal | undefined): AbortSignal | undefined {
    if (!signal) return undefined;
    let own = this.ownSignals.get(signal);
    if (!own) {
      const controller = new AbortController();
      setMaxListeners(this.config.concurrency + 10, controller.signal);
      if (signal.aborted) controller.abort(signal.reason);
      else signal.addEventListener("abort", () => controller.abort(signal.reason), { once: true });
      own = controller.signal;
      this.ownSignals.set(signal, own);
    }
    return own;
  }

  /** POSTs (by default) JSON and returns the parsed JSON response, or an error after the retries. */
  async requestJson(req: HttpRequest, callerSignal?: AbortSignal): Promise<HttpOutcome> {
    const signal = this.own(callerSignal);
    const started = performance.now();
    const method = req.method ?? (req.body === undefined ? "GET" : "POST");
    const key = this.cache ? requestKey({ url: req.url, method, body: req.body }) : "";
    if (this.cache) {
      const hit = await this.cache.get(key);
      if (hit !== undefined) return { ok: true, json: hit, cached: true, latencyMs: 0, attempts: 0 };
    }
    const outcome = await this.slots.run(() => this.attemptAll(req, method, started, signal));
    if (outcome.ok && this.cache) {
      try {
        await this.cache.set(key, outcome.json);
      } catch (err) {
        // A cache that cannot be written must not fail the request.
        this.config.log?.(this.redact(`response cache ${this.config.cacheDir}: ${(err as Error).message}`));
      }
    }
    return outcome;
  }

  private async attemptAll(
    req: HttpRequest,
    method: string,
    started: number,
    signal?: AbortSignal,
  ): Promise<HttpOutcome> {
    const { retry } = this.config;
    const where = this.redact(`${method} ${req.url}`);
    const fail = (error: string, attempts: number, status?: number): HttpOutcome => ({
      ok: false,
      error: this.redact(error),
      status,
      latencyMs: performance.now() - started,
      attempts,
    });
    let lastError = "";
    let lastStatus: number | undefined;
    for (let attempt = 0; attempt <= retry.retries; attempt++) {
      if (signal?.aborted) return fail(`${where}: aborted`, attempt);
      try {
        await this.bucket?.take(signal);
      } catch {
        return fail(`${where}: aborted`, attempt);
      }
      const result = await this.attemptOnce(req, method, signal);
      if (result.kind === "ok") {
        return {
          ok: true,
          json: result.json,
          cached: false,
          latencyMs: performance.now() - started,
          attempts: attempt + 1,
        };
      }
      if (result.kind === "aborted") return fail(`${where}: aborted`, attempt + 1);
      lastError = `${where}: ${result.message}`;
      lastStatus = result.status;
      if (!result.retryable) return fail(lastError, attempt + 1, lastStatus);
      if (attempt === retry.retries) break;
      const delay = retryDelay(attempt, retry, result.retryAfterMs, this.config.random ?? Math.random);
      const message = this.redact(`${lastError}; retry ${attempt + 1}/${retry.retries} in ${delay} ms`);
      if (this.config.onRetry) this.config.onRetry({ cause: result.cause, message });
      else this.config.log?.(message);
      try {
        await sleep(delay, signal);
      } catch {
        return fail(`${where}: aborted`, attempt + 1);
      }
    }
    return fail(`${lastError} (gave up after ${retry.retries + 1} attempts)`, retry.retries + 1, lastStatus);
  }

  private async attemptOnce(
    req: HttpRequest,
    method: string,
    signal?: AbortSignal,
  ): Promise<
    | { kind: "ok"; json: unknown }
    | { kind: "aborted" }
    | {
        kind: "failed";
        message: string;
        /** Short, for summaries: "HTTP 429", "timeout", "ECONNRESET", "invalid JSON". */
        cause: string;
        retryable: boolean;
        status?: number;
        retryAfterMs?: number;
      }
  > {
    const headers: Record<string, string> = { accept: "application/json" };
    for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
    if (req.body !== undefined) headers["content-type"] ??= "application/json";
    let res: RawResponse;
    try {
      res = await this.transport.send(req.url, {
        method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        timeoutMs: this.config.timeoutMs,
        signal,
      });
    } catch (err) {
      if (signal?.aborted) return { kind: "aborted" };
      if (err instanceof TimeoutError)
        return { kind: "failed", message: err.message, cause: "timeout", retryable: true };
      return {
        kind: "failed",
        message: describeError(err),
        cause: errorCode(err) ?? "network error",
        retryable: isRetryableError(err),
      };
    }
    const { status, text } = res;
    const retryAfter = [res.headers["retry-after"]].flat()[0] ?? null;
    if (status < 200 || status >= 300) {
      return {
        kind: "failed",
        message: `HTTP ${status}: ${text.slice(0, SNIPPET)}`,
        cause: `HTTP ${status}`,
        retryable: isRetryableStatus(status),
        status,
        retryAfterMs: parseRetryAfter(retryAfter, Date.now()),
      };
    }
    try {
      // Redacted before parsing, so an echoed key never reaches results or the cache.
      return { kind: "ok", json: JSON.parse(this.redact(text)) };
    } catch {
      // A truncated or garbled body is usually transient (proxy hiccup): retry it.
      return {
        kind: "failed",
        message: `invalid JSON in response: ${text.slice(0, SNIPPET)}`,
        cause: "invalid JSON",
        retryable: true,
        status,
      };
    }
  }
}
