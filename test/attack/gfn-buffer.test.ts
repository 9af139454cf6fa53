import assert from "node:assert/strict";
import { test } from "node:test";
import {
  editDistance,
  logReward,
  ReplayBuffer,
  type ReplayItem,
  rewardTerms,
  scheduled,
} from "../../src/attack/gfn/index.js";
import { defaultGfnReward } from "../../src/attack/gfn/reward.js";
import { Rng } from "../../src/util/rng.js";

const item = (text: string, ids: number[], score = 0.5): ReplayItem => ({
  promptIds: [7, 8],
  responseIds: ids,
  text,
  terms: { logScore: Math.log(score), refLogLik: -ids.length },
  judgeScore: score,
});

test("editDistance: Levenshtein on token ids", () => {
  assert.equal(editDistance([1, 2, 3], [1, 2, 3]), 0);
  assert.equal(editDistance([1, 2, 3], [1, 3]), 1);
  assert.equal(editDistance([], [4, 5]), 2);
  assert.equal(editDistance([1, 2, 3, 4], [4, 3, 2, 1]), 4);
});

test("replay buffer: exact repeats are dropped, a near repeat keeps the higher key, the lowest key is evicted", () => {
  const b = new ReplayBuffer({ capacity: 3, tolerance: 0.25, ignoreIds: [0] });
  assert.equal(b.add(item("how to pick a lock", [1, 2, 3, 4, 5, 0]), -1), true);
  assert.equal(b.add(item("how to pick a lock", [1, 2, 3, 4, 5, 0]), 5), false, "same text");
  // one token of 5 changed: distance 1 / 10 tokens < 0.25 -> a near repeat; a lower key loses
  assert.equal(b.add(item("how to pick a door", [1, 2, 3, 4, 9, 0]), -2), false);
  assert.equal(b.add(item("how to pick a door", [1, 2, 3, 4, 9, 0]), 0), true, "a higher key replaces it");
  assert.deepEqual(
    b.items().map((i) => i.text),
    ["how to pick a door"],
  );
  b.add(item("bake bread", [20, 21, 0]), -3);
  b.add(item("grow tomatoes", [30, 31, 32, 0]), -1);
  assert.equal(b.size, 3);
  assert.equal(b.add(item("fix a bike", [40, 41, 0]), -5), false, "below every key: not kept");
  assert.equal(b.add(item("fix a bike", [40, 41, 0]), -2), true);
  assert.deepEqual(
    b.items().map((i) => [i.text, i.key]),
    [
      ["how to pick a door", 0],
      ["grow tomatoes", -1],
      ["fix a bike", -2],
    ],
    "bake bread (key -3) was evicted",
  );
});

test("replay buffer: sampling without replacement in proportion to exp(key); state round-trips exactly", () => {
  const b = new ReplayBuffer({ capacity: 10, tolerance: 0 });
  const keys = [0, Math.log(2), Math.log(4)];
  for (const [i, k] of keys.entries()) b.add(item(`case ${i}`, [i + 1]), k);
  const rng = new Rng(3);
  const first = new Map<string, number>();
  const N = 20000;
  for (let n = 0; n < N; n++) {
    const [x, y] = b.sample(2, rng);
    assert.notEqual(x!.text, y!.text, "without replacement");
    first.set(x!.text, (first.get(x!.text) ?? 0) + 1);
  }
  [1 / 7, 2 / 7, 4 / 7].forEach((p, i) => {
    const f = first.get(`case ${i}`)! / N;
    assert.ok(Math.abs(f - p) < 0.015, `case ${i}: drawn first ${f}, expected ${p}`);
  });
  assert.equal(b.sample(10, rng).length, 3, "no more than the buffer holds");

  const copy = new ReplayBuffer({ capacity: 10, tolerance: 0 });
  copy.loadState(structuredClone(b.state()));
  assert.deepEqual(copy.items(), b.items());
  const r1 = new Rng(9);
  const r2 = new Rng(9);
  assert.deepEqual(copy.sample(2, r1), b.sample(2, r2), "the same draws after a restore");
});

test("gfn reward: (log r / beta + log p_ref / gamma) / T with the schedules, the floor and the short penalty", () => {
  const cfg = { ...defaultGfnReward, beta: 0.1, gamma: { start: 1, end: 2, horizon: 0.5 } };
  const t = rewardTerms(0.5, [-1, -2, -0.5, -1.5, -3], cfg);
  assert.deepEqual(t, { logScore: Math.log(0.5), refLogLik: -8 });
  // progress 0: gamma 1, T 2
  assert.ok(Math.abs(logReward(t, cfg, 0) - (Math.log(0.5) / 0.1 - 8) / 2) < 1e-12);
  // progress 0.05: gamma 1.1, T 1.5 (halfway through the temperature's 10% horizon)
  assert.ok(Math.abs(logReward(t, cfg, 0.05) - (Math.log(0.5) / 0.1 - 8 / 1.1) / 1.5) < 1e-12);
  // past both horizons: gamma 2, T 1
  assert.ok(Math.abs(logReward(t, cfg, 0.9) - (Math.log(0.5) / 0.1 - 4)) < 1e-12);
  assert.equal(rewardTerms(0, [-1, -1, -1, -1, -1], cfg).logScore, Math.log(cfg.scoreFloor));
  assert.equal(rewardTerms(0.9, [-1, -1], cfg).refLogLik, cfg.shortPenalty, "2 tokens < minLength 5");
  assert.throws(() => rewardTerms(1.5, [-1], cfg), /outside \[0, 1\]/);
  assert.equal(scheduled({ start: 2, end: 1, horizon: 0 }, 0), 1);
});
