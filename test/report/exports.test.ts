import assert from "node:assert/strict";
import { PassThrough, Writable } from "node:stream";
import { test } from "node:test";
import { parse } from "yaml";
// an RFC 4180 reader that shares no code with the writer under test
import { parseCsv } from "../../src/config/index.js";
import { csvCell, csvRow, type ExportOptions, exportRun, writeFindings } from "../../src/report/exports.js";
import type { SampleRecord } from "../../src/store/types.js";
import { FakeStore, run, sample } from "./fake-store.js";

/** Collects everything written to a stream. */
function sink(): { out: Writable; text: () => string } {
  const chunks: string[] = [];
  const out = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { out, text: () => chunks.join("") };
}

async function exportText(samples: SampleRecord[], opts: ExportOptions): Promise<string> {
  const s = sink();
  await writeFindings(samples, s.out, opts);
  return s.text();
}

const tricky = [
  sample("r1", 0, { testCase: 'say "hi", then\nleave', judgeScore: 0.91 }),
  sample("r1", 1, { testCase: '=HYPERLINK("http://x")', response: "+1 -2", judgeScore: 0.8 }),
  sample("r1", 2, { testCase: "@SUM(A1)", judgeScore: 0.2 }), // below tau: not a finding
  sample("r1", 3, { testCase: "-cmd|' /C calc'!A0", judgeScore: 0.7, error: "timeout" }), // errored: excluded
  sample("r1", 4, { testCase: "plain", judgeScore: 0.5, evalJudgeScore: 0.1 }),
];

test("csvCell quotes per RFC 4180 and neutralises formulas", () => {
  assert.equal(csvCell("plain"), "plain");
  assert.equal(csvCell('a "b"'), '"a ""b"""');
  assert.equal(csvCell("a,b"), '"a,b"');
  assert.equal(csvCell("a\nb"), '"a\nb"');
  assert.equal(csvCell("=1+1"), "'=1+1");
  assert.equal(csvCell("+1"), "'+1");
  assert.equal(csvCell("-1"), "'-1");
  assert.equal(csvCell("@x"), "'@x");
  assert.equal(csvCell('=A1,"x"'), '"\'=A1,""x"""');
  assert.equal(csvCell(-0.25), "-0.25"); // numbers are data, not text
  assert.equal(csvCell(null), "");
  assert.equal(csvRow(["a", 1, null]), "a,1,\r\n");
});

test("csvCell neutralises formulas behind leading spaces and line breaks, and tab/CR/LF starts (OWASP)", () => {
  for (const cell of [
    " =1+1",
    "  +cmd",
    '\n=HYPERLINK("x")',
    "\r\n-2+3",
    " \t@SUM(A1)",
    "\u00a0=1",
    "\u200b=1",
    "＝1+1",
  ])
    assert.equal(parseCsv(csvCell(cell))[0]![0], `'${cell}`, JSON.stringify(cell));
  for (const cell of ["\tx", "\rx", "\nx"]) assert.equal(parseCsv(`${csvCell(cell)}\r\n`)[0]![0], `'${cell}`);
  for (const cell of ["a = b", "x-1", "mail@x", " plain", "1 + 1"]) assert.equal(csvCell(cell), cell);
});

test("tau 0 exports every sample, those whose judge failed with the error; above 0 they are only counted", async () => {
  const failedEval = sample("r1", 5, {
    testCase: "held-out judge down",
    judgeScore: 0.9,
    evalJudgeScore: null,
    meta: { evalJudge: { error: "HTTP 401: bad key" } },
  });
  const samples = [...tricky, failedEval];
  const all = (await exportText(samples, { format: "jsonl", judge: "eval", tau: 0 }))
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as { index: number; score: number | null; error: string | null });
  assert.deepEqual(
    all.map((r) => [r.index, r.score, r.error]),
    [
      [0, null, null],
      [1, null, null],
      [2, null, null],
      [3, null, "timeout"],
      [4, 0.1, null],
      [5, null, "HTTP 401: bad key"],
    ],
  );
  const csv = parseCsv(await exportText(samples, { format: "csv", judge: "eval", tau: 0 }));
  assert.equal(csv.at(-1)!.at(-1), "HTTP 401: bad key");
  const s = sink();
  const counted = await writeFindings(samples, s.out, { format: "jsonl", judge: "eval", tau: 0.05 });
  assert.deepEqual([counted.written, counted.unscored], [1, 5]);
});

test("csv export: header, findings at tau only, fields survive an RFC 4180 round trip", async () => {
  const rows = parseCsv(await exportText(tricky, { format: "csv", judge: "train", tau: 0.5 }));
  assert.deepEqual(rows[0], [
    "run_id",
    "index",
    "epoch",
    "score",
    "judge_score",
    "eval_judge_score",
    "test_case",
    "response",
    "seed_prompt",
    "error",
  ]);
  assert.deepEqual(
    rows.slice(1).map((r) => r[1]),
    ["0", "1", "4"],
  );
  assert.equal(rows[1]![6], 'say "hi", then\nleave');
  assert.equal(rows[2]![6], '\'=HYPERLINK("http://x")');
  assert.equal(rows[2]![7], "'+1 -2");
  assert.equal(rows[3]![5], "0.1");
});

test("jsonl export: one parseable object per finding; judge choice changes the set", async () => {
  const train = (await exportText(tricky, { format: "jsonl", judge: "train" })).trimEnd().split("\n");
  assert.equal(train.length, 3);
  const first = JSON.parse(train[0]!);
  assert.equal(first.testCase, 'say "hi", then\nleave');
  assert.equal(first.score, 0.91);
  const evalOnly = await exportText(tricky, { format: "jsonl", judge: "eval" });
  assert.equal(evalOnly, ""); // only sample 4 has a held-out score, and it is 0.1
});

test("promptfoo export parses as a test suite with vars.prompt and assertions", async () => {
  const text = await exportText(tricky, {
    format: "promptfoo",
    judge: "train",
    moderation: true,
    rubric: "Refuses.",
  });
  const doc = parse(text) as {
    prompts: string[];
    tests: {
      vars: { prompt: string };
      assert: { type: string; value?: string }[];
      metadata: Record<string, unknown>;
    }[];
  };
  assert.deepEqual(doc.prompts, ["{{prompt}}"]);
  assert.equal(doc.tests.length, 3);
  assert.equal(doc.tests[0]!.vars.prompt, 'say "hi", then\nleave');
  assert.equal(doc.tests[1]!.vars.prompt, '=HYPERLINK("http://x")');
  assert.deepEqual(doc.tests[0]!.assert, [{ type: "llm-rubric", value: "Refuses." }, { type: "moderation" }]);
  assert.equal(doc.tests[2]!.metadata.curioIndex, 4);
  const empty = parse(await exportText([], { format: "promptfoo", judge: "train" }));
  assert.deepEqual(empty.tests, []);
});

test("sft export pairs each finding with the refusal text", async () => {
  const lines = (await exportText(tricky, { format: "sft", judge: "train", refusal: "No." }))
    .trimEnd()
    .split("\n");
  assert.deepEqual(JSON.parse(lines[1]!), { prompt: '=HYPERLINK("http://x")', completion: "No." });
  assert.equal(lines.length, 3);
});

test("writes respect backpressure and exportRun defaults to the held-out judge", async () => {
  const store = new FakeStore();
  store.runs.push(run("crt-abc"));
  for (let i = 0; i < 2000; i++) {
    store.sampleRows.push(sample("crt-abc", i, { judgeScore: 0.9, evalJudgeScore: i % 2 === 0 ? 0.8 : 0.2 }));
  }
  const out = new PassThrough({ highWaterMark: 256 });
  let bytes = 0;
  const reading = (async () => {
    for await (const chunk of out) {
      bytes += (chunk as Buffer).length;
      await new Promise((r) => setImmediate(r)); // a slow consumer
    }
  })();
  const res = await exportRun(store, "crt", out, { format: "jsonl" });
  out.end();
  await reading;
  assert.equal(res.judge, "eval");
  assert.equal(res.runId, "crt-abc");
  assert.equal(res.scanned, 2000);
  assert.equal(res.written, 1000);
  assert.ok(bytes > 100_000);
});

test("bad format or tau is a clear error", async () => {
  await assert.rejects(
    exportText([], { format: "xml" as never, judge: "train" }),
    /unknown export format "xml"/,
  );
  await assert.rejects(
    exportText([], { format: "csv", judge: "train", tau: 2 }),
    /tau must be in \[0, 1\], got 2/,
  );
});
