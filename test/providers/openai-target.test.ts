// The OpenAI-compatible targets against a real local server that injects faults.
import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createTarget } from "../../src/providers/index.js";
import { ALPACA_TEMPLATE } from "../../src/providers/templates.js";
import { type FakeServer, startFakeServer } from "./helpers/openai-server.js";

let server: FakeServer;
before(async () => {
  server = await startFakeServer();
});
after(() => server.close());

const fast = { retries: 3, backoffBaseMs: 5, backoffMaxMs: 20 };

async function withFreshServer<T>(fn: (s: FakeServer) => Promise<T>, delayMs = 0): Promise<T> {
  const s = await startFakeServer({ delayMs });
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

test("chat: answers in prompt order, concurrency limit honoured server-side", () =>
  withFreshServer(async (s) => {
    const target = await createTarget({ id: "openai:chat:tiny", baseUrl: s.url, concurrency: 3 });
    const prompts = Array.from({ length: 20 }, (_, i) => `prompt ${i}`);
    const results = await target.respond(prompts);
    assert.deepEqual(
      results.map((r) => r.text),
      prompts.map((p) => `echo: ${p}`),
    );
    assert.equal(s.maxInFlight, 3);
    assert.equal(s.seen.length, 20);
    assert.ok(results.every((r) => r.error === undefined && r.latencyMs >= 90 && r.cached === false));
    assert.deepEqual(results[5].usage, {
      promptTokens: "prompt 5".length,
      completionTokens: "echo: prompt 5".length,
    });
  }, 100));

test("chat: request body carries model, system prompt, sampling and extra body", async () => {
  const target = await createTarget({
    id: "openai:chat:my-model",
    baseUrl: server.url,
    systemPrompt: "be brief",
    temperature: 0.7,
    top_p: 0.9,
    max_tokens: 30,
    stop: ["\n"],
    extraBody: { repetition_penalty: 1.1 },
  });
  const start = server.seen.length;
  await target.respond(["hello"]);
  const body = server.seen[start].body;
  assert.equal(server.seen[start].path, "/chat/completions");
  assert.deepEqual(body, {
    model: "my-model",
    messages: [
      { role: "system", content: "be brief" },
      { role: "user", content: "hello" },
    ],
    temperature: 0.7,
    top_p: 0.9,
    max_tokens: 30,
    stop: ["\n"],
    repetition_penalty: 1.1,
  });
});

test("429 with Retry-After (seconds and HTTP date) is honoured, then succeeds", async () => {
  const target = await createTarget({ id: "openai:chat:m", baseUrl: server.url, ...fast });
  const t0 = performance.now();
  const [secs, date] = await target.respond(["a [429:1]", "b [429date:1]"]);
  const elapsed = performance.now() - t0;
  assert.equal(secs.text, "echo: a [429:1]");
  assert.equal(date.text, "echo: b [429date:1]");
  // Backoff alone would wait < 20 ms; Retry-After says 1 s and (date, second precision) 1-2 s.
  assert.ok(elapsed >= 1000, `elapsed ${elapsed}`);
});

test("500, dropped connection, malformed JSON and timeouts are retried", async () => {
  // Timeouts are generous against a 1.5 s stall so a loaded machine does not time out healthy answers.
  const target = await createTarget({ id: "openai:chat:m", baseUrl: server.url, ...fast, timeoutMs: 700 });
  const prompts = ["x [500:2]", "y [drop:2]", "z [badjson:1]", "w [slow:1]"];
  const start = server.seen.length;
  const results = await target.respond(prompts);
  assert.deepEqual(
    results.map((r) => r.error ?? r.text),
    prompts.map((p) => `echo: ${p}`),
  );
  const count = (p: string) =>
    server.seen.slice(start).filter((s) => JSON.stringify(s.body).includes(p)).length;
  assert.equal(count("x [500:2]"), 3);
  assert.equal(count("y [drop:2]"), 3);
  assert.equal(count("z [badjson:1]"), 2);
  assert.equal(count("w [slow:1]"), 2);
});

test("persistent faults become error results after the retries; 4xx is not retried", async () => {
  const target = await createTarget({ id: "openai:chat:m", baseUrl: server.url, ...fast, retries: 2 });
  const prompts = ["ok", "p [500:9]", "q [drop:9]", "r [badjson:9]", "t [400]"];
  const start = server.seen.length;
  const results = await target.respond(prompts);
  assert.equal(results[0].text, "echo: ok");
  assert.match(results[1].error!, /HTTP 500.*gave up after 3 attempts/);
  assert.match(results[2].error!, /fetch failed|socket|other side closed|ECONNRESET/i);
  assert.match(results[3].error!, /invalid JSON in response/);
  assert.match(results[4].error!, /HTTP 400/);
  assert.ok(results.slice(1).every((r) => r.text === ""));
  const count = (p: string) =>
    server.seen.slice(start).filter((s) => JSON.stringify(s.body).includes(p)).length;
  assert.equal(count("p [500:9]"), 3);
  assert.equal(count("t [400]"), 1);
  const slow = await createTarget({
    id: "openai:chat:m",
    baseUrl: server.url,
    ...fast,
    retries: 1,
    timeoutMs: 300,
  });
  const [stalled] = await slow.respond(["s [slow:9]"]);
  assert.match(stalled.error!, /timed out after 300 ms.*gave up after 2 attempts/);
});

test("connection refused is an error result, not a throw", async () => {
  const target = await createTarget({
    id: "openai:chat:m",
    baseUrl: "http://127.0.0.1:9/v1",
    ...fast,
    retries: 1,
  });
  const [r] = await target.respond(["hi"]);
  assert.equal(r.text, "");
  assert.match(r.error!, /ECONNREFUSED|fetch failed/);
});

test("abort signal cancels in-flight and queued requests", () =>
  withFreshServer(async (s) => {
    const target = await createTarget({ id: "openai:chat:m", baseUrl: s.url, concurrency: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const t0 = performance.now();
    const results = await target.respond(["a", "b", "c", "d"], { signal: controller.signal });
    // Without the abort the two rounds of 1 s answers would take >= 2 s.
    assert.ok(performance.now() - t0 < 1900);
    assert.ok(results.every((r) => /aborted/.test(r.error ?? "")));
  }, 1000));

test("retries are reported one by one with a short cause (for the per-epoch summary), not logged", async () => {
  const notices: { cause: string; message: string }[] = [];
  const logs: string[] = [];
  const target = await createTarget(
    { id: "openai:chat:m", baseUrl: server.url, ...fast, timeoutMs: 700 },
    { onRetry: (n) => notices.push(n), log: (m) => logs.push(m) },
  );
  const results = await target.respond([
    "p [429:1]",
    "q [500:2]",
    "r [slow:1]",
    "s [drop:1]",
    "t [badjson:1]",
  ]);
  assert.ok(results.every((r) => !r.error));
  const causes: Record<string, number> = {};
  for (const n of notices) causes[n.cause] = (causes[n.cause] ?? 0) + 1;
  assert.deepEqual(causes, { "HTTP 429": 1, "HTTP 500": 2, timeout: 1, ECONNRESET: 1, "invalid JSON": 1 });
  assert.ok(notices.every((n) => /retry \d\/3 in \d+ ms$/.test(n.message)));
  assert.deepEqual(logs, []);
});

test("one abort signal shared by 64 requests in flight: no MaxListenersExceededWarning, abort still works", () =>
  withFreshServer(async (s) => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on("warning", onWarning);
    try {
      const target = await createTarget({ id: "openai:chat:m", baseUrl: s.url, concurrency: 64, ...fast });
      const judgeLike = await createTarget({ id: "openai:chat:m", baseUrl: s.url, concurrency: 64, ...fast });
      const controller = new AbortController();
      const prompts = Array.from({ length: 64 }, (_, i) => `p${i} [500:1]`);
      const [a, b] = await Promise.all([
        target.respond(prompts, { signal: controller.signal }),
        judgeLike.respond(prompts, { signal: controller.signal }),
      ]);
      assert.ok([...a, ...b].every((r) => !r.error));
      setTimeout(() => controller.abort(), 50);
      s.delayMs = 2000;
      const t0 = performance.now();
      const stopped = await target.respond(["late"], { signal: controller.signal });
      assert.match(stopped[0]!.error!, /aborted/);
      assert.ok(performance.now() - t0 < 1500);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings.filter((w) => w.name === "MaxListenersExceededWarning").map(String), []);
    } finally {
      process.off("warning", onWarning);
    }
  }, 20));

test("rate limit: requests per second (token bucket)", () =>
  withFreshServer(async (s) => {
    const target = await createTarget({
      id: "openai:chat:m",
      baseUrl: s.url,
      rateLimit: 20,
      concurrency: 16,
    });
    const t0 = performance.now();
    await target.respond(Array.from({ length: 30 }, (_, i) => `r${i}`));
    // A burst of 20, then 10 more at 50 ms each: >= 450 ms.
    assert.ok(performance.now() - t0 >= 440, `elapsed ${performance.now() - t0}`);
  }));

test("completion: template applied, prompts batched per request, choices matched by index", () =>
  withFreshServer(async (s) => {
    const target = await createTarget({
      id: "openai:completion:gpt2-alpaca",
      baseUrl: s.url,
      template: "alpaca",
      batchSize: 4,
      max_tokens: 30,
    });
    const prompts = Array.from({ length: 10 }, (_, i) => `How do I do thing ${i}?`);
    const results = await target.respond(prompts);
    const wrap = (x: string) =>
      "Below is an instruction that describes a task. Write a response that appropriately completes the request." +
      `\n\n### Instruction:\n${x}\n\n### Response:\n`;
    assert.equal(ALPACA_TEMPLATE.replace("{x}", "X"), wrap("X"));
    assert.deepEqual(
      results.map((r) => r.text),
      prompts.map((p) => `echo: ${wrap(p)}`),
    );
    assert.equal(s.seen.length, 3);
    assert.deepEqual(s.seen[2].body.prompt, [wrap(prompts[8]), wrap(prompts[9])]);
    assert.equal(s.seen[0].path, "/completions");
  }));

test("cache: off by default; when on, a repeat is served from disk", () =>
  withFreshServer(async (s) => {
    const dir = await mkdtemp(join(tmpdir(), "curio-cache-"));
    const uncached = await createTarget({ id: "openai:chat:m", baseUrl: s.url });
    await uncached.respond(["same"]);
    await uncached.respond(["same"]);
    assert.equal(s.seen.length, 2);
    const cached = await createTarget({ id: "openai:chat:m", baseUrl: s.url, cache: true, cacheDir: dir });
    const first = await cached.respond(["same", "other"]);
    const second = await cached.respond(["same", "other"]);
    assert.equal(s.seen.length, 4);
    assert.deepEqual(
      second.map((r) => [r.text, r.cached]),
      [
        ["echo: same", true],
        ["echo: other", true],
      ],
    );
    assert.deepEqual(
      first.map((r) => r.cached),
      [false, false],
    );
  }));

test("the API key never appears in errors, logs, results or cache files", () =>
  withFreshServer(async (s) => {
    const key = "sk-test-SECRET-0123456789abcdef";
    const dir = await mkdtemp(join(tmpdir(), "curio-cache-"));
    const logs: string[] = [];
    // The server echoes the Authorization header in 400/500 bodies and in the answer text.
    s.chatReply = (user, _body) => `${user} / ${s.seen.at(-1)?.headers.authorization}`;
    const target = await createTarget(
      {
        id: "openai:chat:m",
        baseUrl: `${s.url}`,
        apiKeyEnv: "MY_KEY",
        cache: true,
        cacheDir: dir,
        ...fast,
        retries: 1,
      },
      { env: { MY_KEY: key }, log: (m) => logs.push(m) },
    );
    const results = await target.respond(["fine", "bad [400]", "flaky [500:9]"]);
    assert.equal(s.seen[0].headers.authorization, `Bearer ${key}`);
    assert.equal(results[0].text, "fine / Bearer ***");
    assert.match(results[1].error!, /Bearer \*\*\*/);
    assert.ok(logs.length > 0 && logs.some((l) => l.includes("Bearer ***")));
    const files: string[] = [];
    for (const sub of await readdir(dir)) {
      for (const f of await readdir(join(dir, sub))) files.push(await readFile(join(dir, sub, f), "utf8"));
    }
    assert.ok(files.length > 0);
    const everything = JSON.stringify({ results, logs, files });
    assert.equal(everything.includes(key), false);
    assert.equal(everything.includes("SECRET-0123"), false);
  }));

test("a missing API key env var is a clear config error", async () => {
  await assert.rejects(
    createTarget({ id: "openai:chat:m", apiKeyEnv: "NOPE_KEY" }, { env: {} }),
    /NOPE_KEY, which is not set; export NOPE_KEY=/,
  );
});

test("mixed transient faults at concurrency 8: nothing lost, nothing reordered", () =>
  withFreshServer(async (s) => {
    const faults = ["", "[500:1]", "[drop:1]", "[badjson:1]", "[429date:0]", "[500:2]"];
    const prompts = Array.from({ length: 60 }, (_, i) => `n${i} ${faults[(i * 7) % faults.length]}`);
    const target = await createTarget({ id: "openai:chat:m", baseUrl: s.url, concurrency: 8, ...fast });
    const results = await target.respond(prompts);
    assert.deepEqual(
      results.map((r) => r.error ?? r.text),
      prompts.map((p) => `echo: ${p}`),
    );
    assert.ok(s.maxInFlight <= 8);
    // 10 prompts of each kind: 0 + 10 + 10 + 10 + 0 + 20 retries.
    assert.equal(s.seen.length, 60 + 50);
  }, 5));
