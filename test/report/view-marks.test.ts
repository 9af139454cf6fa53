// Marking findings in `curio view`, over real HTTP: the write is a same-origin form POST with the page's
// token, nothing else changes a mark, and the mark lands in the run store.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startViewServer } from "../../src/report/view.js";
import { RunStore } from "../../src/store/index.js";
import { sample } from "./fake-store.js";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(url: string, method: string, headers: Record<string, string>, body = ""): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const FORM = "application/x-www-form-urlencoded";

async function withViewer(
  marking: boolean,
  fn: (ctx: { base: string; origin: string; runId: string; rw: RunStore }) => Promise<void>,
) {
  const ws = mkdtempSync(join(tmpdir(), "curio-marks-"));
  const rw = RunStore.open(ws);
  const run = rw.createRun({ name: "r", seed: 1, config: {}, versions: {}, method: "crt" });
  rw.appendSamples(Array.from({ length: 4 }, (_, i) => sample(run.id, i, { judgeScore: 0.9 })));
  const ro = RunStore.open(ws, { readonly: true });
  const server = await startViewServer({ store: ro, port: 0, marks: marking ? rw : undefined });
  try {
    await fn({
      base: server.url.replace(/\/$/, ""),
      origin: server.url.replace(/\/$/, ""),
      runId: run.id,
      rw,
    });
  } finally {
    await server.close();
    ro.close();
    rw.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? "";

test("view marks: a same-origin form POST with the page's token marks the finding and redirects back", async () => {
  await withViewer(true, async ({ base, origin, runId, rw }) => {
    const page = await send(`${base}/runs/${runId}?tau=0.5`, "GET", {});
    assert.equal(page.status, 200);
    assert.match(page.body, /<form class="mark" method="post"/);
    const token = tokenOf(page.body);
    assert.ok(token.length >= 40);
    const body = new URLSearchParams({
      token,
      index: "2",
      verdict: "false-positive",
      note: "a refusal",
      tau: "0.5",
    });
    const r = await send(
      `${base}/runs/${runId}/marks`,
      "POST",
      { origin, "content-type": FORM },
      body.toString(),
    );
    assert.equal(r.status, 303, r.body);
    assert.equal(r.headers.location, `/runs/${runId}?tau=0.5#sample-2`);
    assert.deepEqual(
      rw.marks(runId).map((m) => [m.index, m.verdict, m.note]),
      [[2, "false-positive", "a refusal"]],
    );
    const after = await send(`${base}/runs/${runId}`, "GET", {});
    assert.match(after.body, /id="sample-2">[\s\S]*?<span class="badge bad">false positive<\/span>/);
    // clear it again, this time without Origin but with Sec-Fetch-Site: same-origin
    const clear = new URLSearchParams({ token, index: "2", verdict: "clear" });
    const c = await send(
      `${base}/runs/${runId}/marks`,
      "POST",
      { "sec-fetch-site": "same-origin", "content-type": FORM },
      clear.toString(),
    );
    assert.equal(c.status, 303);
    assert.deepEqual(rw.marks(runId), []);
  });
});

test("view marks: cross-site, tokenless, GET, wrong type, oversized, bad host and bad input change nothing", async () => {
  await withViewer(true, async ({ base, origin, runId, rw }) => {
    const token = tokenOf((await send(`${base}/runs/${runId}`, "GET", {})).body);
    const form = (over: Record<string, string> = {}) =>
      new URLSearchParams({ token, index: "1", verdict: "confirmed", ...over }).toString();
    const post = (headers: Record<string, string>, body = form()) =>
      send(`${base}/runs/${runId}/marks`, "POST", { "content-type": FORM, ...headers }, body);

    const evil = await post({ origin: "http://evil.example" });
    assert.equal(evil.status, 403);
    assert.match(evil.body, /cross-origin request from http:\/\/evil\.example/);
    assert.equal((await post({ "sec-fetch-site": "cross-site" })).status, 403);
    const noToken = await post({ origin }, form({ token: "" }));
    assert.equal(noToken.status, 403);
    assert.match(noToken.body, /missing or wrong form token/);
    assert.equal((await post({ origin }, form({ token: `${token.slice(1)}x` }))).status, 403);
    const get = await send(`${base}/runs/${runId}/marks?${form()}`, "GET", {});
    assert.equal(get.status, 404);
    assert.equal((await send(`${base}/runs/${runId}?${form()}`, "GET", {})).status, 200); // no side effect
    const json = await post(
      { origin, "content-type": "application/json" },
      JSON.stringify({ token, index: 1 }),
    );
    assert.equal(json.status, 415);
    assert.equal((await post({ origin }, `${form()}&note=${"x".repeat(9000)}`)).status, 413);
    const rebound = await post({ origin: "http://attacker.example:80", host: "attacker.example" });
    assert.equal(rebound.status, 421);
    assert.equal(
      (await send(`${base}/runs/${runId}/marks`, "PUT", { origin, "content-type": FORM }, form())).status,
      405,
    );
    assert.deepEqual(rw.marks(runId), [], "nothing above wrote a mark");

    const missing = await post({ origin }, form({ index: "99" }));
    assert.equal(missing.status, 404);
    assert.match(missing.body, /has no sample #99/);
    assert.equal((await post({ origin }, form({ verdict: "maybe" }))).status, 400);
    assert.equal((await post({ origin }, form({ index: "-1" }))).status, 400);
    const noRun = await send(`${base}/runs/nope/marks`, "POST", { origin, "content-type": FORM }, form());
    assert.equal(noRun.status, 404);
  });
});

test("view marks: a viewer without a mark writer shows marks but offers no buttons", async () => {
  await withViewer(false, async ({ base, origin, runId, rw }) => {
    rw.setMark(runId, 0, "confirmed");
    const page = await send(`${base}/runs/${runId}`, "GET", {});
    assert.doesNotMatch(page.body, /<form class="mark"/);
    assert.match(page.body, /<span class="badge ok">confirmed<\/span>/);
    const r = await send(
      `${base}/runs/${runId}/marks`,
      "POST",
      { origin, "content-type": FORM },
      "token=x&index=1&verdict=confirmed",
    );
    assert.equal(r.status, 403);
  });
});
