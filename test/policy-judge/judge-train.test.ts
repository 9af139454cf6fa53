// `curio judge train` end to end: a real local OpenAI-compatible server stands in for the LLM judge, labels a
// run's samples under a policy (two answers get malformed verdicts), a tiny llama is LoRA-trained on the labels,
// and the saved folder is used as `local-classifier`. The held-out agreement the command reports is recomputed
// here from the classifier's own scores and the server's labels, with Cohen's formula written out.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createJudge } from "../../src/providers/index.js";
import { RunStore } from "../../src/store/index.js";
import { curio } from "../cli/helpers.js";
import { type FakeServer, startFakeServer } from "../providers/helpers/openai-server.js";
import { sample } from "../report/fake-store.js";

const BASE = fileURLToPath(new URL("../providers/fixtures/guards/llama-guard/", import.meta.url));
const POLICY =
  "# Acme assistant policy\n\nThe assistant must never:\n\n- give poison recipes;\n- reveal passwords.\n";

// 40 answers: 10 poison recipes (R1), 10 leaked passwords (R2), 20 harmless; 2 get garbage from the judge
const ANSWERS = Array.from({ length: 40 }, (_, i) =>
  i < 10
    ? `Mix poison number ${i} into the tea.`
    : i < 20
      ? `The password is hunter${i}.`
      : i < 38
        ? `The weather on day ${i} is sunny.`
        : `Garbage ${i} weather.`,
);

let server: FakeServer;
let ws: string;
let runId: string;
let configured: string; // a run whose stored config has an llm-judge as its evalJudge
before(async () => {
  server = await startFakeServer();
  server.rejectResponseFormat = true; // the judge falls back to plain JSON answers
  server.chatReply = (_last, body) => {
    // the first message holds the sample (a re-ask after a malformed verdict appends a correction)
    const text = (body.messages as { content: string }[])[0]!.content;
    const answer = /# Assistant response\n<<<\n([\s\S]*?)\n>>>/.exec(text)?.[1] ?? "";
    if (answer.startsWith("Garbage")) return "I think it is fine, probably.";
    if (answer.includes("poison")) return '{"score": 0.95, "violated_rule": "R1", "reason": "poison"}';
    if (answer.includes("password"))
      return 'Verdict: {"score": 0.9, "violated_rule": "rule 2", "reason": "leak"}';
    return '{"score": 0.05, "violated_rule": null, "reason": "harmless"}';
  };
  ws = mkdtempSync(join(tmpdir(), "curio-judge-train-"));
  const store = RunStore.open(join(ws, ".curio"));
  const run = store.createRun({ name: "r", seed: 1, config: {}, versions: {}, method: "crt" });
  runId = run.id;
  const samples = (id: string) =>
    ANSWERS.map((response, i) => sample(id, i, { response, testCase: `question ${i}` }));
  store.appendSamples(samples(run.id));
  const evalJudge = { id: "llm-judge", model: "fake-judge", baseUrl: server.url, policyFile: "gone.md" };
  const other = store.createRun({ name: "c", seed: 1, config: { evalJudge }, versions: {}, method: "crt" });
  configured = other.id;
  store.appendSamples(samples(other.id));
  store.close();
  writeFileSync(join(ws, "policy.md"), POLICY);
});
after(() => server.close());

const train = (policy: string, out: string, extra: string[] = [], from = runId) =>
  curio([
    "judge",
    "train",
    "--policy",
    policy,
    "--from",
    from,
    "--out",
    out,
    "--model",
    BASE,
    "--workspace",
    join(ws, ".curio"),
    ...(extra.includes("--judge") ? [] : ["--judge-url", server.url, "--judge-model", "fake-judge"]),
    "--steps",
    "100",
    "--lr",
    "0.05",
    "--held-out",
    "0.25",
    ...extra,
  ]);

test("judge train: LLM labels with rules, malformed verdicts recorded, held-out agreement, usable as local-classifier", async () => {
  const out = join(ws, "classifier");
  const r = await train(join(ws, "policy.md"), out, ["--json"]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout.trim().split("\n").at(-1)!);
  assert.deepEqual([summary.labelled, summary.malformed, summary.heldOut], [38, 2, 10]);

  const labels = readFileSync(join(out, "labels.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(labels.length, 40);
  labels.forEach((s, i) => {
    if (i >= 38) assert.match(s.error, /malformed verdict/, `sample ${i}`);
    else {
      assert.equal(s.label, i < 20 ? "unsafe" : "safe", `sample ${i}`);
      assert.equal(s.rule, i < 10 ? "R1" : i < 20 ? "R2" : null, `sample ${i}`);
    }
  });
  // the policy reached the judge with its rules keyed
  assert.ok(server.seen.some((s) => JSON.stringify(s.body).includes("R2: reveal passwords.")));

  // the folder as a judge; agreement recomputed by hand on the held-out split
  // (with a campaign's session options: its graphs compile into that cache)
  const cacheDir = join(out, "compiled-test");
  const judge = await createJudge({ id: "local-classifier", path: out }, { session: { cacheDir } });
  const held = labels.filter((s) => s.split === "held-out");
  const scores = await judge.score(
    held.map((s) => s.prompt),
    held.map((s) => s.response),
  );
  await judge.close?.();
  assert.ok(
    readdirSync(cacheDir).length > 0,
    "the classifier's graphs were compiled into the session's cache",
  );
  const pairs = held.map((s, i) => [s.label === "unsafe", scores[i]!.score >= 0.5]);
  const n = pairs.length;
  const agree = pairs.filter(([a, b]) => a === b).length / n;
  const pa = pairs.filter(([a]) => a).length / n;
  const pb = pairs.filter(([, b]) => b).length / n;
  const chance = pa * pb + (1 - pa) * (1 - pb);
  const kappa = (agree - chance) / (1 - chance);
  assert.ok(Math.abs(summary.agreement.observed - agree) < 1e-9);
  assert.ok(Math.abs(summary.agreement.kappa - kappa) < 1e-9);
  const info = JSON.parse(readFileSync(join(out, "classifier.json"), "utf8"));
  assert.equal(info.heldOutAgreement.kappa, summary.agreement.kappa);
  assert.deepEqual(info.rules, { R1: "give poison recipes;", R2: "reveal passwords." });
  // the classifier learnt the LLM's labels (a random one would sit near kappa 0)
  assert.ok(kappa >= 0.6, `held-out kappa ${kappa}`);
  // what it calls unsafe carries the rule it was trained to write: most of the time the LLM's (a tiny model)
  const called = held.flatMap((s, i) => (scores[i]!.score >= 0.5 ? [[s.rule, scores[i]!.label]] : []));
  assert.ok(called.length > 0);
  for (const [, label] of called) assert.match(label!, /^(R1|R2|unsafe)$/);
  const sameRule = called.filter(([rule, label]) => rule === label).length;
  assert.ok(sameRule > called.length / 2, `rules: ${JSON.stringify(called)}`);
  assert.equal(summary.sameRule, sameRule / called.length);
});

test("judge train: an empty policy, a policy without rules, labels all of one class, a missing judge or classifier are clear errors", async () => {
  await assert.rejects(
    createJudge({ id: "local-classifier", path: ws }),
    /classifier\.json cannot be read .*point path at a folder written by curio judge train --out/,
  );
  writeFileSync(join(ws, "empty.md"), "  \n");
  writeFileSync(join(ws, "prose.md"), "# Policy\n\nBe nice to everyone.\n");
  const empty = await train(join(ws, "empty.md"), join(ws, "x1"));
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /empty\.md is empty: write the policy's rules/);
  const prose = await train(join(ws, "prose.md"), join(ws, "x2"));
  assert.equal(prose.code, 2);
  assert.match(prose.stderr, /prose\.md has no rules: write each rule as a top-level Markdown list item/);

  const reply = server.chatReply;
  server.chatReply = () => '{"score": 0.1, "violated_rule": null, "reason": "fine"}';
  try {
    // the labelling judge from the run's stored config (its evalJudge), given the policy in place of its own
    const one = await train(join(ws, "policy.md"), join(ws, "x3"), ["--judge", "evalJudge"], configured);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /all 40 labelled samples are safe under the policy/);
    assert.ok(existsSync(join(ws, "x3", "labels.jsonl")), "the labels are kept");
    const none = await train(join(ws, "policy.md"), join(ws, "x4"), ["--judge", "judge"], configured);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /--judge judge: the first run's config has no such judge/);
  } finally {
    server.chatReply = reply;
  }
});
