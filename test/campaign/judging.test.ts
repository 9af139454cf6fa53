import assert from "node:assert/strict";
import { test } from "node:test";
import { type CampaignJudgeSet, CampaignJudging } from "../../src/campaign/judging.js";
import { createJudge } from "../../src/providers/index.js";
import type { Judge, JudgeResult, TargetResult } from "../../src/providers/types.js";
import type { SampleRecord } from "../../src/store/types.js";

function counting(id: string, reads: "response" | "pair"): Judge & { calls: number } {
  const j = {
    id,
    reads,
    calls: 0,
    async score(_p: string[], responses: string[]): Promise<JudgeResult[]> {
      j.calls += responses.length;
      return responses.map((r) => ({
        score: r.includes("how") ? 0.9 : 0.1,
        label: "x",
        reason: `len ${r.length}`,
      }));
    },
  };
  return j;
}

async function set(): Promise<CampaignJudgeSet & { counters: ReturnType<typeof counting>[] }> {
  const judge = counting("train", "response");
  const evalJudge = counting("held", "pair");
  const extra = counting("extra", "response");
  return {
    judge,
    evalJudge,
    extra: [{ name: "extra", judge: extra }],
    refusal: await createJudge("refusal"),
    counters: [judge, evalJudge, extra],
  };
}

const answer = (text: string, error?: string): TargetResult => ({ text, latencyMs: 1, error });

/** What the store would hold after an epoch (only the fields the memory is rebuilt from). */
function records(
  inputs: string[],
  answers: TargetResult[],
  first: number,
  e: Awaited<ReturnType<CampaignJudging["score"]>>,
): SampleRecord[] {
  return answers.map((a, i) => {
    const j = e.judged[i]!;
    const ej = e.evalJudged![i]!;
    const meta = JSON.parse(
      JSON.stringify({
        judge: { label: j.label, reason: j.reason },
        evalJudge: { label: ej.label, reason: ej.reason },
        ...e.meta[i],
      }),
    );
    return {
      runId: "r",
      epoch: 1,
      index: first + i,
      seedPrompt: "",
      testCase: inputs[i]!,
      targetInput: inputs[i]!,
      response: a.text,
      judgeScore: a.error || j.error ? null : j.score,
      evalJudgeScore: a.error || ej.error ? null : ej.score,
      rewards: null,
      error: a.error ?? null,
      timings: {},
      meta,
    };
  });
}

test("campaign judging: each judge asked once per distinct input; failed answers not judged; meta for the record", async () => {
  const s = await set();
  const judging = new CampaignJudging(s);
  const inputs = ["a", "b", "c", "d"];
  const answers = [
    answer("Sorry, I did not understand that."),
    answer("Sorry, I did not understand that."),
    answer("I can't help with that."),
    answer("", "timeout"),
  ];
  const e = await judging.score(inputs, answers, 10);
  assert.deepEqual(
    s.counters.map((c) => c.calls),
    [2, 3, 2],
  ); // the pair-keyed judge sees 3 distinct pairs
  assert.equal(e.judged[3]!.error, "not judged: timeout");
  assert.deepEqual(e.meta[1]!.reused, { judge: 10, "judges.extra": 10, refusal: 10 });
  assert.deepEqual(e.meta[2]!.refusal, { refused: true, score: 1, reason: "i can't help" });
  assert.deepEqual((e.meta[0]!.judges as Record<string, unknown>).extra, {
    score: 0.1,
    label: "x",
    reason: "len 33",
  });
  assert.equal(e.meta[3]!.refusal, undefined);
  assert.deepEqual(judging.stats().judge, { asked: 3, called: 2 });
});

test("campaign judging: memories rebuilt from stored samples reuse exactly what an uninterrupted run reuses", async () => {
  const epochs = [
    { inputs: ["a", "b"], answers: [answer("Here is how."), answer("Sure.")] },
    { inputs: ["c", "a"], answers: [answer("Sure."), answer("Here is how.")] },
  ];
  const live = new CampaignJudging(await set());
  const first = await live.score(epochs[0]!.inputs, epochs[0]!.answers, 0);
  const stored = records(epochs[0]!.inputs, epochs[0]!.answers, 0, first);
  const resumedSet = await set();
  const resumed = new CampaignJudging(resumedSet);
  resumed.remember(stored);
  const a = await live.score(epochs[1]!.inputs, epochs[1]!.answers, 2);
  const b = await resumed.score(epochs[1]!.inputs, epochs[1]!.answers, 2);
  assert.deepEqual(b, a);
  assert.deepEqual(
    resumedSet.counters.map((c) => c.calls),
    [0, 1, 0],
  ); // only the held-out judge's new pair (c, Sure.)
  assert.deepEqual(b.meta[1]!.reused, { judge: 0, evalJudge: 0, "judges.extra": 0, refusal: 0 });
});
