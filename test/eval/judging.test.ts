import assert from "node:assert/strict";
import { test } from "node:test";
import { cohenKappa, judgeAgreement, pairwiseAgreement } from "../../src/eval/agreement.js";
import { JudgingScan, judgeColumns } from "../../src/eval/judging.js";
import { humanPrecision, outcomeRates, refusalShare, wilsonInterval } from "../../src/eval/outcomes.js";
import { markFingerprint } from "../../src/store/marks.js";
import type { HumanMark, SampleRecord } from "../../src/store/types.js";
import { sample } from "../report/fake-store.js";

const close = (a: number | null, b: number, eps = 1e-4) =>
  assert.ok(a !== null && Math.abs(a - b) < eps, `${a} vs ${b}`);

/** Scores that reproduce a 2x2 table: both unsafe, only A, only B, neither. */
function fromTable(both: number, onlyA: number, onlyB: number, neither: number) {
  const a: number[] = [];
  const b: number[] = [];
  const push = (n: number, x: number, y: number) => {
    for (let i = 0; i < n; i++) {
      a.push(x);
      b.push(y);
    }
  };
  push(both, 0.9, 0.8);
  push(onlyA, 0.7, 0.1);
  push(onlyB, 0.2, 0.6);
  push(neither, 0.1, 0.3);
  return { a: { name: "A", scores: a }, b: { name: "B", scores: b } };
}

test("Cohen's kappa: the three worked examples of Wikipedia's article, computed by hand", () => {
  // 20/5/10/15: p_o = 0.7, p_e = 0.5*0.6 + 0.5*0.4 = 0.5 -> 0.4
  let t = fromTable(20, 5, 10, 15);
  const r = judgeAgreement(t.a, t.b, 0.5);
  assert.deepEqual(r.confusion, { both: 20, onlyA: 5, onlyB: 10, neither: 15 });
  close(r.observed, 0.7);
  close(r.kappa, 0.4);
  // 45/15/25/15: p_o = 0.6, p_e = 0.6*0.7 + 0.4*0.3 = 0.54 -> 0.06 / 0.46
  t = fromTable(45, 15, 25, 15);
  close(judgeAgreement(t.a, t.b, 0.5).kappa, 0.06 / 0.46);
  // 25/35/5/35: p_o = 0.6, p_e = 0.6*0.3 + 0.4*0.7 = 0.46 -> 0.14 / 0.54
  t = fromTable(25, 35, 5, 35);
  close(judgeAgreement(t.a, t.b, 0.5).kappa, 0.14 / 0.54);
});

test("kappa: undefined for one shared class, 0 or -1 where defined, no NaN anywhere", () => {
  const allUnsafe = cohenKappa({ both: 9, onlyA: 0, onlyB: 0, neither: 0 });
  assert.equal(allUnsafe.kappa, null);
  assert.match(allUnsafe.note ?? "", /undefined: both judges call every sample unsafe/);
  assert.match(cohenKappa({ both: 0, onlyA: 0, onlyB: 0, neither: 4 }).note ?? "", /every sample safe/);
  assert.match(
    cohenKappa({ both: 0, onlyA: 0, onlyB: 0, neither: 0 }).note ?? "",
    /no sample was scored by both/,
  );
  // A calls all unsafe, B splits: agreement equals chance
  assert.equal(cohenKappa({ both: 3, onlyA: 3, onlyB: 0, neither: 0 }).kappa, 0);
  // opposite calls on a balanced set: complete disagreement
  assert.equal(cohenKappa({ both: 0, onlyA: 5, onlyB: 5, neither: 0 }).kappa, -1);
  // one judge says everything is unsafe, the other everything safe: p_e = 0, kappa = 0 - 0 / 1
  assert.equal(cohenKappa({ both: 0, onlyA: 6, onlyB: 0, neither: 0 }).kappa, 0);
});

test("agreement: unscored samples are left out; disagreements by gap; every pair", () => {
  const a = { name: "A", scores: [0.9, 0.1, null, 0.6, 0.2, 0.95] };
  const b = { name: "B", scores: [0.8, 0.7, 0.9, 0.4, 0.3, 0.05] };
  const r = judgeAgreement(a, b, 0.5, 2);
  assert.equal(r.n, 5);
  assert.equal(r.disagreementCount, 3);
  assert.deepEqual(
    r.disagreements.map((d) => [d.position, d.unsafeBy]),
    [
      [5, "a"],
      [1, "b"],
    ],
  );
  assert.throws(() => judgeAgreement(a, { name: "C", scores: [1] }, 0.5), /A has 6 scores but C has 1/);
  const pairs = pairwiseAgreement([a, b, { name: "C", scores: [1, 1, 1, 1, 1, 1] }], 0.5);
  assert.deepEqual(
    pairs.map((p) => `${p.a}-${p.b}`),
    ["A-B", "A-C", "B-C"],
  );
});

test("outcomes: a refusal is refused whatever the judge says; rates over the scored samples", () => {
  const r = outcomeRates(
    [
      { score: 0.9, refused: false },
      { score: 0.9, refused: true },
      { score: 0.1, refused: true },
      { score: 0.2, refused: false },
      { score: null, refused: false },
    ],
    0.5,
  );
  assert.deepEqual(r.counts, { unsafe: 1, refused: 2, benign: 1 });
  assert.equal(r.labelled, 4);
  assert.deepEqual(r.rates, { unsafe: 0.25, refused: 0.5, benign: 0.25 });
  assert.equal(outcomeRates([], 0.5).rates, null);
});

test("Wilson interval and the 'mostly refusals' flag", () => {
  // 0 of 10 at 95%: the textbook interval [0, 0.2775]
  const w = wilsonInterval(0, 10)!;
  close(w.low, 0);
  close(w.high, 0.2775);
  // 4 of 4 by hand: centre (1 + z^2/8) / (1 + z^2/4), half z/(1 + z^2/4) * sqrt(z^2/64)
  const z2 = 1.96 ** 2;
  close(
    wilsonInterval(4, 4)!.low,
    (1 + z2 / 8) / (1 + z2 / 4) - (1.96 / (1 + z2 / 4)) * Math.sqrt(z2 / 64),
    1e-12,
  );
  const unsafe = (n: number, refusals: number) =>
    Array.from({ length: n }, (_, i) => ({ score: 0.9, refused: i < refusals }));
  assert.equal(refusalShare(unsafe(4, 4), 0.5).flagged, true);
  assert.equal(refusalShare(unsafe(3, 3), 0.5).flagged, false); // too few to be sure
  assert.equal(refusalShare(unsafe(20, 15), 0.5).flagged, true);
  assert.equal(refusalShare(unsafe(20, 14), 0.5).flagged, false);
  const none = refusalShare([{ score: 0.1, refused: true }], 0.5);
  assert.deepEqual([none.unsafeVerdicts, none.share, none.flagged], [0, null, false]);
});

test("human-checked precision: confirmed share of the judge's checked unsafe verdicts; misses", () => {
  const p = humanPrecision(
    [
      { score: 0.9, mark: "confirmed" },
      { score: 0.8, mark: "false-positive" },
      { score: 0.7, mark: "confirmed" },
      { score: 0.6, mark: null },
      { score: 0.1, mark: "confirmed" },
      { score: 0.2, mark: "false-positive" },
    ],
    0.5,
  );
  assert.deepEqual(p, { checked: 3, confirmed: 2, falsePositives: 1, precision: 2 / 3, missed: 1 });
  assert.equal(humanPrecision([{ score: 0.9, mark: null }], 0.5).precision, null);
});

const rec = (index: number, over: Partial<SampleRecord>): SampleRecord =>
  sample("r", index, {
    testCase: `case ${index}`,
    response: "Sure, here it is.",
    judgeScore: null,
    ...over,
  });

test("JudgingScan: columns from the config, recorded or phrase-read refusals, marks with fingerprints", () => {
  const config = {
    judge: { id: "lexicon" },
    evalJudge: { id: "llm-judge" },
    judges: [{ id: "x", name: "strict" }],
  };
  const cols = judgeColumns(config, true);
  assert.deepEqual(
    cols.map((c) => c.label),
    ["training judge (lexicon)", "held-out judge (llm-judge)", "strict"],
  );
  const samples = [
    rec(0, { judgeScore: 0.9, evalJudgeScore: 0.8, meta: { judges: { strict: { score: 0.7 } } } }),
    rec(1, { judgeScore: 0.9, evalJudgeScore: 0.1, response: "I'm sorry, but I can't help with that." }),
    rec(2, {
      judgeScore: 0.2,
      evalJudgeScore: 0.9,
      meta: { refusal: { refused: true }, judges: { strict: { score: 0.9 } } },
    }),
    rec(3, { judgeScore: null, error: "target: timeout", response: "" }),
  ];
  const marks: HumanMark[] = [
    {
      runId: "r",
      index: 0,
      verdict: "confirmed",
      note: "",
      markedAt: "",
      fingerprint: markFingerprint("case 0", "Sure, here it is."),
    },
    { runId: "r", index: 1, verdict: "false-positive", note: "", markedAt: "", fingerprint: "stale" },
  ];
  const scan = new JudgingScan(config, marks);
  for (const s of samples) scan.add(s);
  const sum = scan.summary(0.5);
  assert.deepEqual(scan.columns(), cols);
  const noEval = new JudgingScan({ judge: { id: "lexicon" } });
  noEval.add(rec(0, { judgeScore: 0.5 }));
  assert.deepEqual(
    noEval.columns().map((c) => c.key),
    ["judge"],
  );
  noEval.add(rec(1, { judgeScore: 0.5, evalJudgeScore: 0.5 }));
  assert.deepEqual(
    noEval.columns().map((c) => c.key),
    ["judge", "evalJudge"],
  );
  assert.deepEqual(sum.refusalSource, { recorded: 1, phrases: 3 });
  assert.deepEqual(sum.outcomes.counts, { unsafe: 1, refused: 2, benign: 0 });
  assert.deepEqual(sum.marks, { confirmed: 1, falsePositive: 0, stale: 1 });
  const training = sum.perJudge[0]!;
  assert.deepEqual([training.refusals.unsafeVerdicts, training.refusals.refusals], [2, 1]);
  assert.deepEqual([training.human.checked, training.human.precision], [1, 1]);
  const trainVsHeld = sum.agreement[0]!;
  assert.equal(trainVsHeld.n, 3);
  assert.deepEqual(trainVsHeld.disagreements.map((d) => d.index).sort(), [1, 2]);
  const heldVsStrict = sum.agreement[2]!;
  assert.equal(heldVsStrict.n, 2);
  assert.equal(heldVsStrict.kappa, null); // both call both samples unsafe
});
