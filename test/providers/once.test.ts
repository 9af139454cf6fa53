import assert from "node:assert/strict";
import { test } from "node:test";
import { JudgeOnce, type OnceResult } from "../../src/providers/judges/once.js";
import type { Judge, JudgeResult } from "../../src/providers/types.js";

/** A judge that counts what it is asked; "fail" answers error; scores are the answer's length / 100. */
function counting(reads?: "response" | "pair"): Judge & { seen: string[] } {
  const seen: string[] = [];
  return {
    id: "counting",
    reads,
    seen,
    async score(prompts, responses): Promise<JudgeResult[]> {
      return responses.map((r, i) => {
        seen.push(`${prompts[i]}|${r}`);
        return r === "fail"
          ? { score: 0, error: "judge down" }
          : { score: r.length / 100, label: "x", latencyMs: 5 };
      });
    },
  };
}

const strip = (rs: OnceResult[]) => rs.map((r) => [r.score, r.reusedFrom ?? null, r.error ?? null]);

test("JudgeOnce: identical inputs in a batch are asked once; verdicts given earlier in the run are reused", async () => {
  const judge = counting();
  const once = new JudgeOnce(judge);
  const first = await once.score(["p", "p", "q"], ["same", "same", "same"], [0, 1, 2]);
  assert.deepEqual(judge.seen, ["p|same", "q|same"]); // pairs: (p, same) twice, (q, same) once
  assert.deepEqual(strip(first), [
    [0.04, null, null],
    [0.04, 0, null],
    [0.04, null, null],
  ]);
  const second = await once.score(["q", "r"], ["same", "new"], [3, 4]);
  assert.deepEqual(judge.seen.slice(2), ["r|new"]);
  assert.deepEqual(strip(second), [
    [0.04, 2, null],
    [0.03, null, null],
  ]);
  assert.equal(second[0]!.latencyMs, 0);
  assert.equal(second[0]!.label, "x");
  assert.deepEqual(once.stats, { asked: 5, called: 3 });
});

test("JudgeOnce: a judge of the answer alone is asked once per distinct answer", async () => {
  const judge = counting("response");
  const once = new JudgeOnce(judge);
  await once.score(["a", "b", "c", "d"], ["Sorry?", "Sorry?", "Sorry?", "ok"], [0, 1, 2, 3]);
  assert.deepEqual(judge.seen, ["a|Sorry?", "d|ok"]);
});

test("JudgeOnce: errors are shared within a batch but asked again in the next", async () => {
  const judge = counting();
  const once = new JudgeOnce(judge);
  const a = await once.score(["p", "p"], ["fail", "fail"], [0, 1]);
  assert.deepEqual(strip(a), [
    [0, null, "judge down"],
    [0, 0, "judge down"],
  ]);
  await once.score(["p"], ["fail"], [2]);
  assert.equal(judge.seen.length, 2);
  assert.equal(once.size, 0);
});

test("JudgeOnce: the memory drops its oldest verdicts; replaying stored verdicts in order rebuilds it exactly", async () => {
  const batches = [
    { p: ["a", "b", "a"], r: ["1", "22", "1"] },
    { p: ["c", "d"], r: ["333", "4444"] },
    { p: ["a", "c", "e"], r: ["1", "333", "55555"] },
  ];
  const live = new JudgeOnce(counting(), 3);
  const stored: { prompt: string; response: string; result: OnceResult; index: number }[] = [];
  let next = 0;
  for (const b of batches.slice(0, 2)) {
    const indices = b.r.map(() => next++);
    const out = await live.score(b.p, b.r, indices);
    for (const [i, result] of out.entries()) {
      stored.push({ prompt: b.p[i]!, response: b.r[i]!, result, index: indices[i]! });
    }
  }
  // a resumed run: a fresh wrapper fed the stored samples that made a call, in index order
  const judge = counting();
  const resumed = new JudgeOnce(judge, 3);
  for (const s of stored) {
    if (s.result.reusedFrom === undefined)
      resumed.remember(resumed.key(s.prompt, s.response), s.result, s.index);
  }
  const last = batches[2]!;
  const a = await live.score(last.p, last.r, [5, 6, 7]);
  const b = await resumed.score(last.p, last.r, [5, 6, 7]);
  assert.deepEqual(strip(a), strip(b));
  // (a, 1) was the oldest of four verdicts and was dropped: asked again; (c, 333) is reused from sample 3
  assert.deepEqual(judge.seen, ["a|1", "e|55555"]);
  assert.deepEqual(strip(b)[1], [0.03, 3, null]);
  assert.throws(() => new JudgeOnce(counting(), -1), /non-negative integer, got -1/);
  await assert.rejects(live.score(["a"], ["b", "c"], [0]), /1 prompts, 2 answers and 1 indices/);
});
