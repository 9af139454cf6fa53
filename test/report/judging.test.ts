import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { buildReportData } from "../../src/report/data.js";
import { exportRun } from "../../src/report/exports.js";
import { renderReport } from "../../src/report/html.js";
import { RunStore } from "../../src/store/index.js";
import { sample } from "./fake-store.js";

const REFUSAL = "I'm sorry, but I can't help with that.";

/** 12 answers: 0-5 refusals the training judge calls unsafe, 6-8 real findings, 9-11 benign. */
function rows(runId: string) {
  return Array.from({ length: 12 }, (_, i) =>
    sample(runId, i, {
      testCase: `attack ${i}`,
      response: i < 6 ? REFUSAL : i < 9 ? `Here is how, step ${i}.` : `A harmless answer ${i}.`,
      judgeScore: i < 9 ? 0.9 : 0.1,
      evalJudgeScore: i >= 6 && i < 9 ? 0.8 : 0.2,
      meta: { judges: { strict: { score: 0.95 } } }, // calls everything unsafe
    }),
  );
}

test("report: unsafe/refused/benign rates, a judge flagged for refusals, kappa, marks", async () => {
  const ws = mkdtempSync(join(tmpdir(), "curio-judging-"));
  const store = RunStore.open(ws);
  try {
    const config = {
      judge: { id: "lexicon" },
      evalJudge: { id: "llm-judge" },
      judges: [{ id: "x", name: "strict" }],
    };
    const run = store.createRun({ name: "r", seed: 1, config, versions: {}, method: "crt" });
    store.appendSamples(rows(run.id));
    store.setMark(run.id, 6, "confirmed");
    store.setMark(run.id, 7, "false-positive");
    const data = await buildReportData(store, [run.id], { tau: 0.5, judge: "train", subsets: 2 });
    const j = data.judging![0]!;
    // training judge decides: 6 refusals, 3 unsafe, 3 benign
    assert.deepEqual(j.summary.outcomes.counts, { unsafe: 3, refused: 6, benign: 3 });
    const [training, heldOut, strict] = j.summary.perJudge;
    assert.deepEqual([training!.refusals.refusals, training!.refusals.unsafeVerdicts], [6, 9]);
    assert.equal(training!.refusals.flagged, false); // 6 of 9: Wilson low 0.35
    assert.equal(heldOut!.refusals.refusals, 0);
    assert.equal(strict!.refusals.flagged, false); // 6 of 12
    assert.deepEqual([training!.human.confirmed, training!.human.checked], [1, 2]);
    // training vs held-out: both 3, only training 6, neither 3 -> p_o = 0.5, p_e = 0.75*0.25 + 0.25*0.75
    const tv = j.summary.agreement[0]!;
    assert.deepEqual(tv.confusion, { both: 3, onlyA: 6, onlyB: 0, neither: 3 });
    assert.ok(Math.abs(tv.kappa! - (0.5 - 0.375) / (1 - 0.375)) < 1e-12);
    assert.equal(j.disagreements[0]!.findings.length, 6);
    const marked = data.findingGroups.flatMap((g) => g.findings).find((f) => f.index === 7);
    assert.equal(marked?.mark, "false-positive");
    const html = renderReport(data);
    assert.match(html, /id="refusals"/);
    assert.match(html, /human: false positive/);
    assert.match(html, /25\.0%<\/strong> unsafe/);
    assert.doesNotMatch(html, /NaN/);
  } finally {
    store.close();
    rmSync(ws, { recursive: true, force: true });
  }
});

test("report: a judge whose unsafe verdicts are mostly refusals is flagged; all-one-class kappa is explained", async () => {
  const ws = mkdtempSync(join(tmpdir(), "curio-judging-"));
  const store = RunStore.open(ws);
  try {
    const config = { judge: { id: "lexicon" }, judges: [{ id: "lexicon", name: "copy" }] };
    const run = store.createRun({ name: "r", seed: 1, config, versions: {}, method: "crt" });
    store.appendSamples(
      Array.from({ length: 8 }, (_, i) =>
        sample(run.id, i, {
          response: i < 7 ? REFUSAL : "Here is how.",
          judgeScore: 0.9,
          meta: { judges: { copy: { score: 0.9 } } },
        }),
      ),
    );
    const data = await buildReportData(store, [run.id], { subsets: 2 });
    const j = data.judging![0]!;
    assert.equal(j.summary.perJudge[0]!.refusals.flagged, true); // 7 of 8
    assert.ok(
      data.notes.some((n) =>
        /7 of the 8 answers the training judge \(lexicon\) calls unsafe are refusals/.test(n),
      ),
    );
    assert.equal(j.summary.agreement[0]!.kappa, null);
    const html = renderReport(data);
    assert.match(html, /mostly refusals<\/span>/);
    assert.match(html, /undefined: both judges call every sample unsafe/);
    assert.doesNotMatch(html, /NaN/);
  } finally {
    store.close();
    rmSync(ws, { recursive: true, force: true });
  }
});

test("exports leave out findings marked false positive (and only while the marked text is unchanged)", async () => {
  const ws = mkdtempSync(join(tmpdir(), "curio-judging-"));
  const store = RunStore.open(ws);
  try {
    const run = store.createRun({ name: "r", seed: 1, config: {}, versions: {}, method: "crt" });
    store.appendSamples(rows(run.id));
    store.setMark(run.id, 0, "false-positive");
    store.setMark(run.id, 6, "confirmed");
    const chunks: string[] = [];
    const out = new PassThrough();
    out.on("data", (c) => chunks.push(String(c)));
    const r = await exportRun(store, run.id, out, { format: "jsonl", judge: "train" });
    assert.deepEqual([r.written, r.excluded], [8, 1]);
    const exported = chunks
      .join("")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).index);
    assert.equal(exported.includes(0), false);
    assert.equal(exported.includes(6), true);
    // the sample under the mark is rewritten (a resume that produced other text): the mark no longer applies
    store.rollbackTo(run.id, { epoch: 0, sampleCount: 0 });
    store.appendSamples(rows(run.id).map((s) => (s.index === 0 ? { ...s, response: "other text" } : s)));
    const again = await exportRun(store, run.id, new PassThrough().resume(), {
      format: "jsonl",
      judge: "train",
    });
    assert.deepEqual([again.written, again.excluded], [9, 0]);
  } finally {
    store.close();
    rmSync(ws, { recursive: true, force: true });
  }
});
