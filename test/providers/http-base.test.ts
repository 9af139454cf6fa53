import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { canonicalJson, DiskCache, requestKey } from "../../src/providers/http/cache.js";
import { Semaphore, TokenBucket } from "../../src/providers/http/limiter.js";
import { makeRedactor } from "../../src/providers/http/redact.js";
import {
  backoffDelay,
  isRetryableError,
  isRetryableStatus,
  parseRetryAfter,
  retryDelay,
} from "../../src/providers/http/retry.js";

const policy = { retries: 3, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 5000 };

test("Retry-After: delta seconds and HTTP dates", () => {
  const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
  assert.equal(parseRetryAfter("120", now), 120_000);
  assert.equal(parseRetryAfter("1.5", now), 1500);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:28:07 GMT", now), 7000);
  assert.equal(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now), 0); // in the past: retry now
  assert.equal(parseRetryAfter("soon", now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test("full-jitter backoff: uniform below min(cap, base*2^k); Retry-After wins, capped", () => {
  assert.equal(
    backoffDelay(0, policy, () => 0.5),
    50,
  );
  assert.equal(
    backoffDelay(2, policy, () => 0.5),
    200,
  );
  assert.equal(
    backoffDelay(10, policy, () => 0.999),
    999,
  ); // capped at maxDelayMs = 1000
  assert.equal(
    backoffDelay(3, policy, () => 0),
    0,
  );
  assert.equal(
    retryDelay(0, policy, 3000, () => 0.5),
    3000,
  );
  assert.equal(
    retryDelay(0, policy, 60_000, () => 0.5),
    5000,
  );
});

test("which failures are retried", () => {
  for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
  for (const s of [400, 401, 403, 404, 422]) assert.equal(isRetryableStatus(s), false, String(s));
  const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
  assert.equal(isRetryableError(new TypeError("fetch failed", { cause: reset })), true);
  assert.equal(isRetryableError(new Error("socket hang up")), true);
  assert.equal(isRetryableError(Object.assign(new Error("x"), { code: "ECONNREFUSED" })), true);
  assert.equal(isRetryableError(new TypeError("Invalid URL")), false);
});

test("semaphore never exceeds its limit and serves waiters in order", async () => {
  const sem = new Semaphore(3);
  let active = 0;
  let peak = 0;
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      sem.run(async () => {
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      }),
    ),
  );
  assert.equal(peak, 3);
  assert.deepEqual(order, [...Array(12).keys()]);
  assert.throws(() => new Semaphore(0), /concurrency must be an integer >= 1/);
});

test("token bucket: burst, then one token per 1/rate seconds (fake clock)", async () => {
  let now = 0;
  const bucket = new TokenBucket(10, 2, () => now);
  await bucket.take();
  await bucket.take();
  // The bucket is empty; advancing the clock 100 ms refills exactly one token.
  now = 100;
  await bucket.take();
  let third = false;
  const pending = bucket.take().then(() => {
    third = true;
  });
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(third, false);
  now = 200;
  await pending;
  assert.equal(third, true);
});

test("disk cache: key ignores key order, round-trips JSON, atomic files", async () => {
  assert.equal(canonicalJson({ b: 1, a: { d: 2, c: 3 } }), '{"a":{"c":3,"d":2},"b":1}');
  const k1 = requestKey({ url: "u", method: "POST", body: { a: 1, b: 2 } });
  const k2 = requestKey({ url: "u", method: "POST", body: { b: 2, a: 1 } });
  assert.equal(k1, k2);
  assert.notEqual(k1, requestKey({ url: "u", method: "POST", body: { a: 1, b: 3 } }));
  const dir = await mkdtemp(join(tmpdir(), "curio-cache-"));
  const cache = new DiskCache(dir);
  assert.equal(await cache.get(k1), undefined);
  await cache.set(k1, { text: "hi" });
  assert.deepEqual(await cache.get(k1), { text: "hi" });
  const sub = await readdir(join(dir, k1.slice(0, 2)));
  assert.deepEqual(sub, [`${k1}.json`]);
  assert.equal(await readFile(join(dir, k1.slice(0, 2), sub[0]), "utf8"), '{"text":"hi"}');
});

test("redactor removes secrets and their URL-encoded forms", () => {
  const r = makeRedactor(["sk-abc/123+xyz", undefined, "ab"]);
  assert.equal(r("key sk-abc/123+xyz here"), "key *** here");
  assert.equal(r("q=sk-abc%2F123%2Bxyz"), "q=***");
  assert.equal(r("ab stays (too short to be a key)"), "ab stays (too short to be a key)");
});
