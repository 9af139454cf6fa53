import assert from "node:assert/strict";
import { test } from "node:test";
import { packBatch, padRows, roundUp } from "../../src/rl/batch.js";

test("packBatch: left-padded prompts, right-padded responses, HF position ids", () => {
  const b = packBatch(
    [
      { promptIds: [5, 6], responseIds: [7] },
      { promptIds: [8], responseIds: [9, 10] },
    ],
    { padId: 0, bucket: 2, responseBucket: 2 },
  );
  assert.deepEqual([b.B, b.P, b.R, b.T, b.rows], [2, 2, 2, 4, 2]);
  assert.deepEqual([...b.ids].map(Number), [5, 6, 7, 0, 0, 8, 9, 10]);
  assert.deepEqual([...b.attentionMask].map(Number), [1, 1, 1, 0, 0, 1, 1, 1]);
  // cumsum(mask) - 1 clamped at 0
  assert.deepEqual([...b.positionIds].map(Number), [0, 1, 2, 2, 0, 0, 1, 2]);
  assert.deepEqual([...b.labels].map(Number), [7, 0, 9, 10]);
  assert.deepEqual([...b.mask], [1, 0, 1, 1]);
});

test("packBatch: bucketing adds masked filler rows with one real token", () => {
  const b = packBatch([{ promptIds: [1, 2, 3], responseIds: [4] }], { padId: 9, bucket: 4, minR: 5 });
  // R = roundUp(5, 4) = 8; T = roundUp(3 + 8, 4) = 12; P = T - R = 4
  assert.deepEqual([b.B, b.P, b.R, b.T], [4, 4, 8, 12]);
  for (let r = 1; r < 4; r++) {
    assert.equal(Number(b.attentionMask.slice(r * b.T, (r + 1) * b.T).reduce((a, x) => a + x, 0n)), 1);
    assert.equal(
      b.mask.slice(r * b.R, (r + 1) * b.R).reduce((a, x) => a + x, 0),
      0,
    );
  }
  assert.throws(() => packBatch([{ promptIds: [], responseIds: [1] }], { padId: 0 }), /empty prompt/);
  assert.equal(roundUp(17, 16), 32);
  assert.deepEqual([...padRows([[1, 2], [3]], 2, 3)], [1, 2, 0, 3, 0, 0]);
});
