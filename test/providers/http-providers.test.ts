// The generic http target and http-classifier judge against a real local JSON API.
import assert from "node:assert/strict";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createJudge, createTarget } from "../../src/providers/index.js";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: unknown;
}
const received: Received[] = [];
let base = "";
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    const raw = Buffer.concat(chunks).toString("utf8");
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : undefined;
    received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(payload));
    };
    if (req.url?.startsWith("/fail")) return send(500, { error: `token was ${req.headers["x-api-token"]}` });
    if (req.url?.startsWith("/generate")) {
      const input = (body as { input?: string })?.input ?? decodeURIComponent(req.url.split("q=")[1] ?? "");
      return send(200, { data: { outputs: [{ text: `reply to ${input}` }] } });
    }
    if (req.url === "/classify") {
      const text = (body as { text: string }).text;
      if (text.includes("list"))
        return send(200, [
          [
            { label: "NOT_HATE", score: 0.3 },
            { label: "HATE", score: 0.7 },
          ],
        ]);
      if (text.includes("number")) return send(200, { result: 0.25 });
      if (text.includes("object")) return send(200, { result: { score: "0.6", label: "toxic" } });
      return send(200, { result: 3 });
    }
    send(404, {});
  });
});
before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const tricky = 'He said "hi"\n\tand left \\ {{prompt}} é';

test("http target: JSON text body template gets the prompt JSON-escaped; response path", async () => {
  const target = await createTarget({
    id: "http",
    url: `${base}/generate`,
    body: '{"input": "{{prompt}}", "params": {"max_new_tokens": 30}}',
    responsePath: "data.outputs.0.text",
  });
  received.length = 0;
  const [r] = await target.respond([tricky]);
  assert.equal(r.error, undefined);
  assert.equal(r.text, `reply to ${tricky}`);
  assert.deepEqual(received[0].body, { input: tricky, params: { max_new_tokens: 30 } });
  assert.equal(received[0].method, "POST");
});

test(`http target: object body template, \${ENV} headers, GET with {{prompt}} in the URL`, async () => {
  const env = { API_TOKEN: "tok-very-secret-123" };
  const target = await createTarget(
    {
      id: "http",
      url: `${base}/generate`,
      headers: { "X-Api-Token": `\${API_TOKEN}` },
      body: { input: "{{prompt}}", meta: { note: "len {{prompt}}" } },
      responsePath: "data.outputs.0.text",
    },
    { env },
  );
  received.length = 0;
  const [r] = await target.respond(["abc"]);
  assert.equal(r.text, "reply to abc");
  assert.deepEqual(received[0].body, { input: "abc", meta: { note: "len abc" } });
  assert.equal(received[0].headers["x-api-token"], "tok-very-secret-123");
  const get = await createTarget({
    id: "http",
    method: "GET",
    url: `${base}/generate?q={{prompt}}`,
    responsePath: "data.outputs.0.text",
  });
  received.length = 0;
  const [g] = await get.respond(["a b&c"]);
  assert.equal(received[0].url, "/generate?q=a%20b%26c");
  assert.equal(g.text, "reply to a b&c");
  // A failing endpoint echoing the secret header: the error is redacted.
  const failing = await createTarget(
    {
      id: "http",
      url: `${base}/fail`,
      headers: { "X-Api-Token": `\${API_TOKEN}` },
      body: {},
      responsePath: "x",
      retries: 0,
    },
    { env },
  );
  const [f] = await failing.respond(["p"]);
  assert.match(f.error!, /HTTP 500/);
  assert.equal(f.error!.includes(env.API_TOKEN), false);
});

test("http target: transform function loaded from a file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "curio-http-"));
  await writeFile(
    join(dir, "shout.mjs"),
    "export default (json, { prompt }) => json.data.outputs[0].text.toUpperCase() + ' (' + prompt.length + ')';\n",
  );
  const target = await createTarget(
    { id: "http", url: `${base}/generate`, body: { input: "{{prompt}}" }, transform: "file://shout.mjs" },
    { baseDir: dir },
  );
  const [r] = await target.respond(["abcd"]);
  assert.equal(r.text, "REPLY TO ABCD (4)");
});

test("http target: config errors name the fix; a missing answer is an error result", async () => {
  await assert.rejects(
    createTarget({ id: "http", url: `${base}/generate`, body: '{"input": {{prompt}}}', responsePath: "a" }),
    /not valid JSON after filling placeholders.*put \{\{prompt\}\} inside a JSON string/,
  );
  await assert.rejects(
    createTarget({ id: "http", url: `${base}/generate` }),
    /give responsePath .* or transform/,
  );
  await assert.rejects(
    createTarget({ id: "http", url: "x", headers: { a: `\${NOT_SET_VAR}` }, responsePath: "a" }, { env: {} }),
    /environment variable NOT_SET_VAR is not set/,
  );
  const wrongPath = await createTarget({
    id: "http",
    url: `${base}/generate`,
    body: {},
    responsePath: "data.nope",
  });
  const [r] = await wrongPath.respond(["x"]);
  assert.match(
    r.error!,
    /no string answer: responsePath "data\.nope": no "nope" under "data" \(keys there: outputs\)/,
  );
});

test("http-classifier: a wrong responsePath names the path and what is there; unsafeLabel only for label lists", async () => {
  const make = (responsePath: string, unsafeLabel?: string) =>
    createJudge({
      id: "http-classifier",
      url: `${base}/classify`,
      body: { text: "{{response}}" },
      responsePath,
      unsafeLabel,
    });
  const [missing] = await (await make("score")).score([""], ["number"]);
  assert.match(missing.error!, /responsePath "score": no "score" under the answer \(keys there: result\)/);
  assert.doesNotMatch(missing.error!, /unsafeLabel/);
  const [labels] = await (await make("0")).score([""], ["list"]);
  assert.match(labels.error!, /a list of labels \(NOT_HATE, HATE\); set unsafeLabel to the unsafe one/);
  const [picked] = await (await make("0", "HATE")).score([""], ["list"]);
  assert.equal(picked.score, 0.7);
});

test("a token in the URL never becomes a cache path; the cache lives under the given root (the workspace)", async () => {
  const root = await mkdtemp(join(tmpdir(), "curio-cache-root-"));
  const token = "tok-0123456789abcdef";
  const target = await createTarget(
    {
      id: "http",
      url: `${base}/generate?key=${token}`,
      body: { input: "{{prompt}}" },
      responsePath: "data.outputs.0.text",
      cache: true,
    },
    { cacheRoot: root, secrets: [token] },
  );
  const [first] = await target.respond(["cached?"]);
  const [again] = await target.respond(["cached?"]);
  assert.equal(first.text, "reply to cached?");
  assert.equal(again.cached, true);
  const paths = (await readdir(root, { recursive: true })).map(String);
  assert.ok(paths.length >= 2, paths.join(", "));
  assert.ok(
    paths.every((p) => !p.includes(token) && !p.includes("generate") && !p.includes("127.0.0.1")),
    paths.join(", "),
  );
  assert.match(paths[0]!, /^http-[0-9a-f]{16}/);
});

test("http-classifier: numbers, {score,label} objects, [{label,score}] lists; out-of-range is an error", async () => {
  const judge = await createJudge({
    id: "http-classifier",
    url: `${base}/classify`,
    body: { text: "{{response}}", context: "{{prompt}}" },
    responsePath: "result",
  });
  const results = await judge.score(["p1", "p2", "p3"], ["number", "object", "bad"]);
  assert.deepEqual(
    results.map((r) => [r.score, r.label, r.error === undefined]),
    [
      [0.25, undefined, true],
      [0.6, "toxic", true],
      [0, undefined, false],
    ],
  );
  assert.match(results[2].error!, /expected a score in \[0,1\], got 3/);
  const hf = await createJudge({
    id: "http-classifier",
    url: `${base}/classify`,
    body: '{"text": "{{response}}"}',
    responsePath: "",
    unsafeLabel: "hate",
  });
  const [l] = await hf.score([""], ["list"]);
  assert.equal(l.score, 0.7);
  assert.equal(l.label, "hate");
});
