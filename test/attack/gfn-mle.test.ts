import assert from "node:assert/strict";
import { test } from "node:test";
import { type CollectedCase, HighRewardSet, mleExamples, mleSmooth } from "../../src/attack/gfn/mle.js";
import { DecoderPolicy, lmBatchFeeds, lmLossGraph } from "../../src/models/index.js";
import { TINY } from "../models/helpers.js";

/** Mean over the rows' non-prompt positions of -log softmax(logits)[next token], from the model's logits. */
async function maskedNll(policy: DecoderPolicy, rows: number[][], promptLengths: number[]): Promise<number> {
  let sum = 0;
  let n = 0;
  for (const [b, row] of rows.entries()) {
    const { data, dims } = await policy.logits([row]);
    const V = dims[2]!;
    for (let t = Math.max(1, promptLengths[b]!); t < row.length; t++) {
      const logits = data.subarray((t - 1) * V, t * V);
      const max = Math.max(...logits);
      const lse = max + Math.log(logits.reduce((a, x) => a + Math.exp(x - max), 0));
      sum += lse - logits[row[t]!]!;
      n++;
    }
  }
  return sum / n;
}

test("the sft loss with prompt lengths is the mean NLL of the test-case tokens only", async () => {
  const policy = await DecoderPolicy.load(TINY, { trainable: { kind: "lora", r: 2, alpha: 4 }, threads: 1 });
  try {
    const rows = [
      [5, 6, 7, 8, 9, 10],
      [11, 12, 13],
      [20, 21, 22, 23],
    ];
    const promptLengths = [3, 1, 4];
    const r = await policy.runCached(
      "t",
      () => lmLossGraph(policy, 3, 16),
      lmBatchFeeds(rows, 16, policy.tokenizer.padId, promptLengths),
    );
    const want = await maskedNll(policy, rows, promptLengths);
    const got = Number(r.loss!.data[0]);
    assert.ok(Math.abs(got - want) < 1e-5, `loss ${got} vs ${want}`);
  } finally {
    await policy.release();
  }
});

test("the high-reward set keeps one case per text (the best score) and drops the lowest past capacity", () => {
  const c = (text: string, judgeScore: number): CollectedCase => ({
    promptIds: [1],
    responseIds: [2, 3],
    terminator: [],
    text,
    judgeScore,
  });
  const set = new HighRewardSet(2);
  set.add(c("a", 0.6));
  set.add(c("a", 0.9));
  set.add(c("a", 0.7));
  set.add(c("b", 0.5));
  set.add(c("c", 0.8));
  assert.deepEqual(
    set
      .list()
      .map((x) => [x.text, x.judgeScore])
      .sort(),
    [
      ["a", 0.9],
      ["c", 0.8],
    ],
  );
  const copy = new HighRewardSet(2);
  copy.loadState(structuredClone(set.state()));
  assert.deepEqual(copy.list(), set.list());
  // examples: z + x + what ends a case cut at the length limit, the prompt as context
  assert.deepEqual(mleExamples([{ ...c("d", 1), terminator: [99] }], 64), [
    { ids: [1, 2, 3, 99], promptLength: 1 },
  ]);
});

test("MLE smoothing raises the initial attacker's likelihood of the collected cases", async () => {
  const policy = await DecoderPolicy.load(TINY, {
    trainable: { kind: "lora", r: 4, alpha: 8 },
    reference: false,
    threads: 1,
  });
  try {
    const cases: CollectedCase[] = [
      [30, 31, 32, 33],
      [40, 41, 42],
      [50, 51, 52, 53, 54],
    ].map((responseIds, i) => ({
      promptIds: [7, 8, 9],
      responseIds,
      terminator: [],
      text: `case ${i}`,
      judgeScore: 0.9,
    }));
    const rows = cases.map((c) => [...c.promptIds, ...c.responseIds]);
    const before = await maskedNll(policy, rows, [3, 3, 3]);
    const r = await mleSmooth(policy, cases, { steps: 30, lr: 3e-3, batchSize: 3, seed: 1 });
    const after = await maskedNll(policy, rows, [3, 3, 3]);
    assert.equal(r.examples, 3);
    assert.ok(after < before - 1, `NLL per token ${before} -> ${after}`);
  } finally {
    await policy.release();
  }
});
