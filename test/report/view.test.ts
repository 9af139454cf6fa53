import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { isLoopback, startViewServer } from "../../src/report/view.js";
import { RunStore } from "../../src/store/index.js";
import { sample } from "./fake-store.js";
import { scanTags } from "./html-scan.js";
import { epochs } from "./synthetic.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** Opens an SSE stream and resolves with the first event named `name` whose data satisfies `match`. */
function waitForEvent(
  url: string,
  name: string,
  match: (data: unknown) => boolean,
  timeoutMs: number,
  headers: Record<string, string> = {},
) {
  return new Promise<{ data: unknown; id: string | undefined; close: () => void }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      assert.equal(res.headers["content-type"], "text/event-stream; charset=utf-8");
      let buf = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        buf += d;
        let end = buf.indexOf("\n\n");
        while (end >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          const id = /^id: (.*)$/m.exec(block)?.[1];
          if (event === name && data !== undefined) {
            const parsed = JSON.parse(data);
            if (match(parsed)) {
              clearTimeout(timer);
              resolve({ data: parsed, id, close: () => req.destroy() });
              return;
            }
          }
          end = buf.indexOf("\n\n");
        }
      });
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no "${name}" event within ${timeoutMs} ms`));
    }, timeoutMs);
    req.on("error", () => {});
    req.end();
  });
}

test("isLoopback", () => {
  for (const h of ["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"]) assert.ok(isLoopback(h), h);
  for (const h of ["0.0.0.0", "::", "192.168.1.2", "evil.example", "127.0.0.1.evil.example"])
    assert.ok(!isLoopback(h), h);
});

test("refuses a public address unless allowed explicitly, and warns when allowed", async () => {
  const fake = { listRuns: () => [] } as never;
  await assert.rejects(
    startViewServer({ store: fake, host: "0.0.0.0", port: 0 }),
    /refusing to serve the run viewer on 0\.0\.0\.0/,
  );
  const warnings: string[] = [];
  const srv = await startViewServer({
    store: fake,
    host: "0.0.0.0",
    port: 0,
    allowPublic: true,
    onWarn: (m) => warnings.push(m),
  });
  await srv.close();
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /anyone who can reach this machine/);
});

test("on 0.0.0.0 the Host check stays: forged names (DNS rebinding) are refused, --allow-host names accepted", async () => {
  const fake = { listRuns: () => [], sampleCount: () => 0 } as never;
  const srv = await startViewServer({
    store: fake,
    host: "0.0.0.0",
    port: 0,
    allowPublic: true,
    allowHosts: ["curio.lab.example"],
    onWarn: () => {},
  });
  try {
    const url = `http://127.0.0.1:${srv.port}/`;
    const status = async (host: string) => (await get(url, { host })).status;
    for (const forged of [
      "evil.example",
      `evil.example:${srv.port}`,
      "127.0.0.1.evil.example",
      "curio.lab.example.evil.example",
    ])
      assert.equal(await status(forged), 421, `Host: ${forged}`);
    for (const ok of [
      `localhost:${srv.port}`,
      `127.0.0.1:${srv.port}`,
      `[::1]:${srv.port}`,
      "CURIO.lab.example",
      `curio.lab.example:${srv.port}`,
    ])
      assert.equal(await status(ok), 200, `Host: ${ok}`);
    const refused = await get(url, { host: "evil.example" });
    assert.match(refused.body, /--allow-host/);
  } finally {
    await srv.close();
  }
});

test("view server: pages, CSP, escaping, search, and a live epoch over server-sent events", async () => {
  const ws = mkdtempSync(join(tmpdir(), "curio-view-"));
  const writer = RunStore.open(ws);
  const reader = RunStore.open(ws, { readonly: true });
  const srv = await startViewServer({ store: reader, port: 0, pollMs: 100 });
  try {
    const run = writer.createRun({
      name: "<img src=x onerror=alert(1)>",
      seed: 3,
      config: {},
      versions: {},
      method: "crt",
    });
    writer.appendSamples([
      sample(run.id, 0, {
        testCase: "<script>alert(1)</script> how to",
        judgeScore: 0.95,
        evalJudgeScore: 0.9,
      }),
      sample(run.id, 1, { testCase: "benign question", judgeScore: 0.1, evalJudgeScore: 0.2 }),
      sample(run.id, 2, { testCase: "another unsafe ask", judgeScore: 0.8, evalJudgeScore: 0.7 }),
    ]);
    const [e0, e1] = epochs(run.id, 2);
    writer.appendEpoch(e0!);
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);

    const index = await get(srv.url);
    assert.equal(index.status, 200);
    assert.match(String(index.headers["content-security-policy"]), /default-src 'none'; script-src 'self'/);
    assert.ok(index.body.includes(run.id));
    assert.ok(!scanTags(index.body).some((t) => t.name === "img"), "run name must be escaped");

    const pageUrl = `${srv.url}runs/${encodeURIComponent(run.id)}`;
    const page = await get(pageUrl);
    assert.equal(page.status, 200);
    const tags = scanTags(page.body);
    assert.deepEqual(
      tags.filter((t) => t.name === "script").map((t) => t.attrs.find((a) => a.name === "src")?.value),
      ["/static/live.js"],
      "the only script is the static live.js",
    );
    assert.ok(!tags.some((t) => t.attrs.some((a) => a.name.startsWith("on"))));
    assert.ok(page.body.includes("&lt;script&gt;alert(1)&lt;/script&gt; how to"));
    assert.ok(page.body.includes("2 finding(s) with held-out judge score"));
    assert.ok(page.body.includes('data-epoch="0"') && page.body.includes('data-sample="2"'));

    const search = await get(`${pageUrl}?q=ANOTHER`);
    assert.ok(search.body.includes("1 finding(s)") && search.body.includes("another unsafe ask"));
    assert.ok(!search.body.includes("how to</pre>"));

    const js = await get(`${srv.url}static/live.js`);
    assert.equal(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert.ok(js.body.includes("EventSource"));
    assert.equal((await get(`${srv.url}runs/nope`)).status, 404);
    assert.equal((await get(srv.url, { host: "evil.example:80" })).status, 421, "DNS-rebinding guard");

    // The client has epoch 0; epoch 1 written by the "training process" must arrive as an event.
    const pending = waitForEvent(
      `${pageUrl}/events?epoch=0&sample=2`,
      "epoch",
      (d) => (d as { epoch: number }).epoch === 1,
      5000,
    );
    await new Promise((r) => setTimeout(r, 250));
    writer.appendEpoch(e1!);
    const got = await pending;
    got.close();
    assert.equal((got.data as { toxicityRate: number }).toxicityRate, e1!.toxicityRate);
    assert.equal(got.id, "1:2", "event ids carry the cursor epoch:sampleIndex");

    // A reconnecting browser sends Last-Event-ID; it wins over the page's query and nothing is replayed.
    const resumed = waitForEvent(`${pageUrl}/events?epoch=-1&sample=-1`, "epoch", () => true, 800, {
      "last-event-id": "1:2",
    });
    await assert.rejects(resumed, /no "epoch" event/);

    const samplesEvent = waitForEvent(`${pageUrl}/events?epoch=1&sample=2`, "samples", () => true, 5000);
    writer.appendSamples([sample(run.id, 3)]);
    const s = await samplesEvent;
    s.close();
    assert.deepEqual(s.data, { total: 4, added: 1 });

    const charts = await get(`${pageUrl}/charts`);
    assert.equal((charts.body.match(/<svg /g) ?? []).length, 5);
  } finally {
    await srv.close();
    reader.close();
    writer.close();
    rmSync(ws, { recursive: true, force: true });
  }
});
