// The LLM judge against a local OpenAI-compatible server answering valid, fenced, partial and invalid JSON.
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createEmbedder, createJudge } from "../../src/providers/index.js";
import { extractJsonObject, repairTruncatedJson } from "../../src/providers/judges/json-extract.js";
import { type FakeServer, fakeEmbedding, startFakeServer } from "./helpers/openai-server.js";

let server: FakeServer;
let dir = "";
before(async () => {
  server = await startFakeServer();
  dir = await mkdtemp(join(tmpdir(), "curio-judge-"));
  await writeFile(join(dir, "policy.md"), "R1. No threats.\nR2. No slurs.\n");
  server.chatReply = (_last, body) => {
    const messages = body.messages as { content: string }[];
    const user = messages[0].content;
    const corrected = messages.length > 1;
    if (user.includes("RESP_VALID")) return '{"score": 0.9, "violated_rule": "R1", "reason": "a threat"}';
    if (user.includes("RESP_FENCED"))
      return 'Verdict:\n```json\n{"score": 0.2, "violated_rule": null, "reason": "fine"}\n```';
    if (user.includes("RESP_PARTIAL"))
      return '{"score": 0.75, "violated_rule": "R2", "reason": "a slur, cut off mid';
    if (user.includes("RESP_LATER"))
      return corrected ? '{"score": 1, "violated_rule": "R1", "reason": "ok now"}' : "It is bad.";
    if (user.includes("RESP_RANGE")) return '{"score": 7, "violated_rule": null, "reason": "x"}';
    return "no json here";
  };
});
after(() => server.close());

const spec = () => ({
  id: "llm-judge",
  model: "judge-model",
  baseUrl: server.url,
  policyFile: "policy.md",
  maxParseRetries: 2,
  retries: 0,
});

test("JSON extraction: plain, fenced, embedded, truncated", () => {
  assert.deepEqual(extractJsonObject('{"a": 1}'), { a: 1 });
  assert.deepEqual(extractJsonObject('text ```json\n{"a": [1, 2]}\n``` more'), { a: [1, 2] });
  assert.deepEqual(extractJsonObject('The verdict is {"a": "b"} as requested.'), { a: "b" });
  assert.deepEqual(extractJsonObject('{"score": 0.5, "reason": "unfinished'), {
    score: 0.5,
    reason: "unfinished",
  });
  assert.deepEqual(extractJsonObject('{"score": 0.5, "violated_rule": '), { score: 0.5 });
  assert.deepEqual(extractJsonObject('{"score": 0.5, "tags": ["a", "b'), { score: 0.5, tags: ["a", "b"] });
  assert.equal(repairTruncatedJson("no braces"), undefined);
  assert.equal(extractJsonObject("[1, 2]"), undefined);
});

test("valid, fenced and partial verdicts; policy and texts are in the prompt; json_schema requested", async () => {
  const judge = await createJudge(spec(), { baseDir: dir });
  const start = server.seen.length;
  const results = await judge.score(["q1", "q2", "q3"], ["RESP_VALID", "RESP_FENCED", "RESP_PARTIAL"]);
  assert.deepEqual(
    results.map((r) => [r.score, r.label, r.reason, r.error]),
    [
      [0.9, "R1", "R1: a threat", undefined],
      [0.2, "safe", "fine", undefined],
      [0.75, "R2", "R2: a slur, cut off mid", undefined],
    ],
  );
  const first = server.seen[start];
  const content = (first.body.messages as { content: string }[])[0].content;
  assert.ok(content.includes("R1. No threats.\nR2. No slurs."));
  assert.ok(content.includes("<<<\nq1\n>>>"));
  assert.ok(content.includes("<<<\nRESP_VALID\n>>>"));
  assert.equal((first.body.response_format as { type: string }).type, "json_schema");
  assert.equal(first.body.temperature, 0);
  assert.equal(server.seen.length - start, 3);
});

test("malformed answers are re-asked with a correction, then become an error result", async () => {
  const judge = await createJudge(spec(), { baseDir: dir });
  const start = server.seen.length;
  const [later] = await judge.score(["q"], ["RESP_LATER"]);
  assert.equal(later.score, 1);
  assert.equal(server.seen.length - start, 2);
  const retry = server.seen[start + 1].body.messages as { role: string; content: string }[];
  assert.deepEqual(
    retry.map((m) => m.role),
    ["user", "assistant", "user"],
  );
  assert.equal(retry[1].content, "It is bad.");
  const mid = server.seen.length;
  const [bad, range] = await judge.score(["q", "q"], ["RESP_NOTHING", "RESP_RANGE"]);
  assert.equal(server.seen.length - mid, 6); // 1 + maxParseRetries (2), for each
  assert.match(bad.error!, /malformed verdict after 3 attempts \(no JSON object in the answer/);
  assert.match(range.error!, /score must be a number in \[0,1\], got 7/);
  assert.equal(bad.score, 0);
});

test("servers without structured output: response_format is dropped after a 400", async () => {
  const s = await startFakeServer();
  s.rejectResponseFormat = true;
  s.chatReply = () => '{"score": 0.4, "violated_rule": null, "reason": "meh"}';
  try {
    const logs: string[] = [];
    const judge = await createJudge(
      {
        ...spec(),
        baseUrl: s.url,
        policy: "Be kind.",
        policyFile: undefined,
        promptTemplate: "P={{policy}} R={{response}}",
      },
      { baseDir: dir, log: (m) => logs.push(m) },
    );
    const [a, b] = await judge.score(["x", "y"], ["one", "two"]);
    assert.equal(a.error, undefined);
    assert.equal(b.error, undefined);
    assert.equal(a.score, 0.4);
    assert.equal(b.score, 0.4);
    assert.ok(logs.some((l) => /rejected response_format/.test(l)));
    const last = s.seen.at(-1)!;
    assert.equal(last.body.response_format, undefined);
    assert.equal((last.body.messages as { content: string }[])[0].content, "P=Be kind. R=two");
  } finally {
    await s.close();
  }
});

test("llm-judge config errors", async () => {
  await assert.rejects(
    createJudge({ id: "llm-judge", model: "m" }),
    /exactly one of policyFile .* or policy/,
  );
  await assert.rejects(createJudge({ id: "llm-judge", policy: "p" }), /option "model"/);
});

test("openai-embed: batched, ordered by index, L2-normalised, dim from a probe", async () => {
  const embedder = await createEmbedder({
    id: "openai-embed:e",
    baseUrl: server.url,
    batchSize: 2,
    cache: false,
  });
  assert.equal(embedder.dim, 4);
  const start = server.seen.length;
  const texts = ["hello world", "abc", "a e i o u", "zz"];
  const vectors = await embedder.embed(texts);
  assert.equal(server.seen.length - start, 2);
  vectors.forEach((v, i) => {
    const raw = fakeEmbedding(texts[i]);
    const norm = Math.hypot(...raw);
    for (const [j, x] of raw.entries()) assert.ok(Math.abs(v[j] - x / norm) < 1e-6);
  });
  const broken = await createEmbedder({
    id: "openai-embed:e",
    baseUrl: server.url,
    dimensions: 4,
    retries: 0,
    cache: false,
  });
  await assert.rejects(broken.embed(["[400]"]), /HTTP 400/);
});
