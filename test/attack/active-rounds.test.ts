import assert from "node:assert/strict";
import { test } from "node:test";
import { DEFAULT_REFUSALS } from "../../src/attack/active/options.js";
import { ActiveRounds } from "../../src/attack/active/rounds.js";
import type { Judge, SafetyPair, TrainableTarget } from "../../src/providers/index.js";

/** A target that answers "UNSAFE" to its vulnerable prompts and learns each refusal it is tuned on exactly. */
function fakeTarget(vulnerable: string[]) {
  const unsafe = new Set(vulnerable);
  const tunedOn: SafetyPair[][] = [];
  let queries = 0;
  const target: TrainableTarget = {
    id: "fake",
    async respond(prompts) {
      queries += prompts.length;
      return prompts.map((p) => ({ text: unsafe.has(p) ? "UNSAFE" : "no", latencyMs: 0 }));
    },
    async safetyTune(pairs) {
      tunedOn.push([...pairs]);
      for (const p of pairs) unsafe.delete(p.prompt);
      return { losses: [2, 1], examples: pairs.length };
    },
    async saveModel() {},
  };
  return { target, tunedOn, queries: () => queries };
}
const judge: Judge = {
  id: "fake-judge",
  async score(_p, responses) {
    return responses.map((r) => ({ score: r === "UNSAFE" ? 0.9 : 0.1 }));
  },
};
const options = {
  heldOut: 0.25,
  refusals: DEFAULT_REFUSALS,
  maxPairs: 100,
  tau: 0.5,
  tune: { lora: { r: 2, alpha: 4 }, lr: 1e-3, steps: 1, batchSize: 4, seed: 0 },
};
const attacks = (from: number, n: number) => Array.from({ length: n }, (_, i) => `attack ${from + i}`);

test("a round holds out a quarter of its new attacks, tunes on the rest (with every earlier round's) and measures both", async () => {
  const { target, tunedOn, queries } = fakeTarget(attacks(0, 20));
  const rounds = new ActiveRounds(options, 7);
  // epoch 1: 8 successes (one repeated, one below tau, one empty); epoch 2: 4 more
  rounds.collect([...attacks(0, 8), "attack 0", "attack 19", ""], [...Array(9).fill(0.8), 0.2, 0.9]);
  rounds.collect(attacks(8, 4), [0.7, 0.7, 0.7, null]);
  const r1 = await rounds.run(2, target, judge);
  assert.deepEqual(
    { found: r1.found, heldOut: r1.heldOut, pairs: r1.pairs, before: r1.asrBefore, after: r1.asrAfter },
    { found: 11, heldOut: 3, pairs: 8, before: 1, after: 1 },
    "held-out attacks were not tuned on: the fake target still fails them",
  );
  assert.equal(r1.asrTrainedAfter, 0, "the attacks it was tuned on are refused");
  assert.equal(r1.queries, 3 + 3 + 8);
  assert.equal(queries(), r1.queries);
  assert.ok(tunedOn[0]!.every((p) => DEFAULT_REFUSALS.includes(p.response)));

  // round 2: an attack of round 1 found again is not new; the new ones join the tuning set with round 1's
  rounds.collect(["attack 3", ...attacks(12, 4)], [0.9, 0.9, 0.9, 0.9, 0.9]);
  const r2 = await rounds.run(4, target, judge);
  assert.equal(r2.found, 4);
  assert.equal(r2.heldOut, 1);
  assert.equal(r2.pairs, 8 + 3, "every earlier round's training attacks are tuned on again");
  assert.equal(new Set(tunedOn[1]!.map((p) => p.prompt)).size, 11);
  assert.deepEqual(
    rounds.records.map((r) => [r.round, r.epoch]),
    [
      [1, 2],
      [2, 4],
    ],
  );
});

test("a round with no successes measures nothing and tunes nothing; the state restores mid-round exactly", async () => {
  const rounds = new ActiveRounds(options, 3);
  const empty = await rounds.run(1, fakeTarget([]).target, judge);
  assert.deepEqual([empty.found, empty.pairs, empty.asrBefore, empty.queries], [0, 0, null, 0]);

  rounds.collect(attacks(0, 6), Array(6).fill(0.9));
  const copy = new ActiveRounds(options, 99);
  copy.loadState(structuredClone(rounds.state()));
  const a = fakeTarget(attacks(0, 6));
  const b = fakeTarget(attacks(0, 6));
  assert.deepEqual(await copy.run(2, b.target, judge), await rounds.run(2, a.target, judge));
  assert.deepEqual(b.tunedOn, a.tunedOn, "the same split and the same refusals");
  assert.throws(() => new ActiveRounds({ ...options, refusals: [] }, 1), /refusal list is empty/);
});
