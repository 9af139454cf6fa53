// `curio run` on a tiny real campaign against real HTTP servers on 127.0.0.1: a judge that needs a
// credential keeps getting it after --resume; retries under faults are summed per epoch (and match what the
// server refused); held-out judge failures are counted; bad settings are refused before a run is recorded.
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, test } from "node:test";
import { unusedExamplesNote } from "../../src/attack/source.js";
import { parseConfig } from "../../src/config/index.js";
import { RunStore } from "../../src/store/index.js";
import { tinyConfig, writeConfig } from "../campaign/helpers.js";
import { curio } from "./helpers.js";

const TOKEN = "judge-token-0123456789";
process.env.CURIO_TEST_JUDGE_TOKEN = TOKEN;

/** A JSON API on 127.0.0.1: `answer` gives the status and body of each request. */
async function serve(answer: (req: IncomingMessage, body: string) => [number, unknown]) {
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const [status, payload] = answer(req, body);
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const lines = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

test("--resume keeps the judge's credential (never [redacted]), also after curio.yaml changed; the probe is recorded", {
  timeout: 120_000,
}, async () => {
  const auth: string[] = [];
  const url = await serve((req) => {
    if (req.url?.startsWith("/eval"))
      return req.url.endsWith(`key=${TOKEN}`) ? [200, { score: 0.5 }] : [401, {}];
    auth.push(String(req.headers.authorization));
    return req.headers.authorization === `Bearer ${TOKEN}`
      ? [200, { score: 0.25 }]
      : [401, { error: "bad token" }];
  });
  const judge = {
    id: "http-classifier",
    url: `${url}/classify`,
    headers: { Authorization: "Bearer ${CURIO_TEST_JUDGE_TOKEN}", "X-Secret": "${CURIO_TEST_JUDGE_TOKEN}" },
    body: { text: "{{response}}" },
    responsePath: "score",
    retries: 0,
  };
  // the held-out judge's answers are cached, and its URL holds the token
  const evalJudge = {
    id: "http-classifier",
    url: `${url}/eval?key=\${CURIO_TEST_JUDGE_TOKEN}`,
    body: { text: "{{response}}" },
    responsePath: "score",
    cache: true,
  };
  const { path, workspace } = writeConfig(tinyConfig({ judge, evalJudge, cache: true }));
  const first = await curio(["run", "-c", path, "--max-epochs", "1", "--json"]);
  assert.equal(first.code, 0, first.stderr);
  const runId = lines(first.stdout).at(-1)!.runId as string;

  const resumed = await curio(["run", "-c", path, "--resume", runId, "--max-epochs", "2", "--seed", "99"]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.doesNotMatch(resumed.stderr, /differs/, "the same config, compared in its recorded form");
  assert.match(resumed.stderr, /--seed 99 is ignored: run \S+ continues with its own seed 7/);
  assert.match(resumed.stderr, /running epochs 2 to 2 \(--max-epochs\)/);

  writeFileSync(path, readFileSync(path, "utf8").replace("name: tiny", "name: renamed"));
  const changed = await curio(["run", "-c", path, "--resume", runId, "--max-epochs", "3"]);
  assert.equal(changed.code, 0, changed.stderr);
  assert.match(changed.stderr, /with the config it started with: curio\.yaml differs at name/);
  assert.ok(auth.length > 3 * 8, `${auth.length} judge requests`);
  assert.deepEqual([...new Set(auth)], [`Bearer ${TOKEN}`], "every request carried the real token");

  const store = RunStore.open(workspace, { readonly: true });
  try {
    const run = store.getRun(runId);
    assert.equal(run.status, "completed");
    assert.equal(store.sampleCount(runId), 3 * 8);
    const headers = (run.config as { judge: { headers: Record<string, string> } }).judge.headers;
    assert.deepEqual(headers, { Authorization: "[redacted]", "X-Secret": "[redacted]" });
    assert.equal(run.name, "tiny", "the run keeps the config it started with");
    assert.deepEqual(run.probe?.target, { id: "scripted", prompt: "Hello", response: "hello", latencyMs: 0 });
    assert.equal(run.probe?.judge.score, 0.25);
  } finally {
    store.close();
  }
  assert.ok(!readFileSync(join(workspace, "curio.db")).includes(TOKEN), "the token is not in the store");
  // the held-out judge's answers are cached in the workspace, in a folder named by a hash, not by the URL
  const cached = readdirSync(join(workspace, "cache"), { recursive: true }).map(String);
  assert.match(cached[0]!, /^http-classifier-[0-9a-f]{16}$/);
  assert.ok(
    cached.length > 1 && cached.every((p) => !p.includes(TOKEN) && !p.includes("classify")),
    cached.join(),
  );
});

test("under faults: retries summed per epoch equal the server's refusals; nothing lost; held-out judge failures counted", {
  timeout: 120_000,
}, async () => {
  let requests = 0;
  let refused = 0;
  const failedOnce = new Set<string>();
  const target = await serve((_req, body) => {
    // every third request fails, each request body at most once: the client's first retry succeeds
    if (++requests % 3 === 0 && !failedOnce.has(body)) {
      failedOnce.add(body);
      refused++;
      return [500, { error: "overloaded" }];
    }
    return [200, { choices: [{ message: { role: "assistant", content: "you are stupid" } }] }];
  });
  const judgeDown = await serve(() => [401, { error: "invalid api key" }]);
  const config = tinyConfig({
    target: { id: "openai:chat:m", baseUrl: `${target}/v1`, retries: 3, backoffBaseMs: 1, backoffMaxMs: 2 },
    evalJudge: {
      id: "http-classifier",
      url: judgeDown,
      body: { text: "{{response}}" },
      responsePath: "score",
      retries: 0,
    },
  });
  const { path, workspace } = writeConfig(config);
  const r = await curio(["run", "-c", path, "--max-epochs", "3", "-j", "16", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const records = lines(r.stdout);
  const epochs = records.filter((x) => x.type === "epoch") as {
    retries: { count: number; causes: Record<string, number> };
    evalJudgeErrors: number;
    errors: number;
  }[];
  const retried = epochs.reduce((a, e) => a + e.retries.count, 0);
  assert.equal(retried, refused, "every refused request was retried once and counted once");
  assert.ok(epochs.every((e) => Object.keys(e.retries.causes).every((c) => c === "HTTP 500")));
  assert.ok(epochs.every((e) => e.errors === 0 && e.evalJudgeErrors === 8));
  assert.doesNotMatch(r.stderr, /retry \d+\/3/, "no line per retry by default");
  assert.doesNotMatch(r.stderr, /MaxListenersExceededWarning/);
  const result = records.at(-1)!;
  assert.deepEqual([result.errors, result.evalJudgeErrors], [0, 24]);

  const store = RunStore.open(workspace, { readonly: true });
  const runId = result.runId as string;
  assert.deepEqual(
    [...store.samples(runId)].map((s) => s.index),
    Array.from({ length: 24 }, (_, i) => i),
  );
  assert.equal(store.sampleSummary(runId, 0.5).evalJudgeErrors, 24);
  store.close();

  const text = await curio(["run", "-c", path, "--resume", runId, "--max-epochs", "4", "--verbose"]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^epoch 4\/4 .* held-out judge errors 8 .*retries \d+ \(HTTP 500 x\d+\)/m);
  assert.match(text.stderr, /HTTP 500: .*; retry 1\/3 in \d+ ms/, "--verbose prints each retry");
  assert.match(text.stdout, /: 4 epochs, 32 test cases, \d+ unique successes, 32 held-out judge errors in /);
});

test("settings that cannot run are refused before a run is recorded", { timeout: 60_000 }, async () => {
  const base = tinyConfig();
  const redteam = base.redteam as Record<string, unknown>;
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      "maxNewTokens",
      { redteam: { ...redteam, generation: { maxNewTokens: 1e9 } } },
      /redteam\.generation\.maxNewTokens: 1000000000 new tokens do not fit the red-team model's 64 positions/,
    ],
    [
      "seed file",
      { redteam: { ...redteam, seedPrompts: { examples: "missing.jsonl" } } },
      /redteam\.seedPrompts\.examples: cannot read .*missing\.jsonl \(ENOENT\)/,
    ],
    ["model", { redteam: { ...redteam, model: "./no-such-model" } }, /no-such-model/],
  ];
  for (const [name, overrides, message] of cases) {
    const { path, workspace } = writeConfig(tinyConfig(overrides));
    const r = await curio(["run", "-c", path]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, message, name);
    assert.doesNotMatch(r.stderr, /internal error/, name);
    const store = RunStore.open(workspace);
    assert.deepEqual(store.listRuns(), [], `${name}: no run recorded`);
    store.close();
  }
});

test("the sandbox world's red team says so when it leaves the configured seed examples unused", () => {
  const world = (examples?: unknown) =>
    parseConfig({
      target: { id: "world" },
      judge: { id: "world-lexicon" },
      redteam: { model: "world:redteam", ...(examples ? { seedPrompts: { examples } } : {}) },
    });
  assert.equal(unusedExamplesNote(world()), null);
  assert.match(
    unusedExamplesNote(world("data/missing.jsonl"))!,
    /examples \(data\/missing\.jsonl\) is not used/,
  );
  assert.match(unusedExamplesNote(world(["my question"]))!, /is not used: the sandbox world's red team/);
  assert.equal(unusedExamplesNote(parseConfig({ ...tinyConfig(), workspace: "x" })), null);
});
