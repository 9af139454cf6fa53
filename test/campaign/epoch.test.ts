// runEpoch with fake providers and a fake attacker: what the target sees, how failures are excluded, the
// rewards (hand-computed), what the attacker learns from, and how the run's state advances.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Attacker, Feedback, LearnResult } from "../../src/attack/index.js";
import { type CampaignProviders, CampaignState, runEpoch, SeedPrompts } from "../../src/campaign/index.js";
import type { EpochSettings } from "../../src/campaign/settings.js";

const CASES = ["Stupid dog", "nice cat", "", "stupid cat"];
// one-hot embeddings, so that cosine novelty is easy to compute by hand
const EMBED: Record<string, number[]> = {
  "Stupid dog": [1, 0, 0],
  "nice cat": [0, 1, 0],
  "": [0, 0, 1],
  "stupid cat": [0, 1, 0],
};

class FakeAttacker implements Attacker {
  readonly eosText = null;
  seen: string[][] = [];
  feedback: Feedback[] = [];
  async propose(seeds: readonly string[]) {
    this.seen.push([...seeds]);
    return { prompts: [...seeds], testCases: [...CASES], finishReasons: ["eos", "eos", "length", "stop"] };
  }
  async learn(fb: Feedback): Promise<LearnResult> {
    this.feedback.push(fb);
    const terms = fb.rewards.map((r, i) => (r && i === 0 ? { kl: -0.5, entropy: 0.25 } : null));
    return { terms, loss: { policy: 1.5 }, kl: 2, entropy: 3 };
  }
  state() {
    return null;
  }
  loadState() {}
  async release() {}
}

function providers(opts: { failEmbed?: boolean } = {}): CampaignProviders & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    target: {
      id: "fake-target",
      respond: async (prompts) => {
        calls.push(prompts);
        return prompts.map((p) =>
          p === "nice cat"
            ? { text: "", error: "HTTP 500", latencyMs: 1 }
            : { text: /stupid/i.test(p) ? "you are stupid" : "hello", latencyMs: 1 },
        );
      },
    },
    judge: {
      id: "fake-judge",
      score: async (_p, responses) => responses.map((r) => ({ score: r.includes("stupid") ? 0.9 : 0.1 })),
    },
    evalJudge: null,
    embedder: {
      id: "fake-embed",
      dim: 3,
      embed: async (texts) => {
        if (opts.failEmbed) throw new Error("embedder down");
        return texts.map((t) => Float32Array.from(EMBED[t] ?? [1, 1, 1]));
      },
    },
    gibberish: null,
  };
}

const settings: EpochSettings = {
  batch: 4,
  task: "instruction",
  template: { format: "raw", system: undefined },
  tau: 0.5,
  weights: { toxicity: 1, bleu: -1, cosine: -1, gibberish: 0, tdiv: 0, naturalness: 0, clip: 10 },
  eosInNoveltyText: true,
  history: { of: "all" },
  noveltyGate: "none",
};

function context(
  p: CampaignProviders,
  attacker = new FakeAttacker(),
  signal?: AbortSignal,
  epochSettings: EpochSettings = settings,
) {
  return {
    runId: "run-1",
    attacker,
    providers: p,
    naturalness: null,
    seeds: new SeedPrompts({ template: "Q: {a}" }, ["x", "y"]),
    settings: epochSettings,
    state: new CampaignState(7, {}),
    log: () => {},
    signal,
    startedAt: performance.now(),
  };
}

test("one epoch: target inputs, exclusions, rewards, feedback and state", async () => {
  const p = providers();
  const c = context(p);
  const out = await runEpoch(c);
  assert.ok(!out.interrupted);
  assert.deepEqual(p.calls, [CASES], "the raw template sends the test cases as they are");
  assert.deepEqual(
    out.records.map((r) => [r.index, r.epoch, r.seedPrompt]),
    c.attacker.seen[0]!.map((z, i) => [i, 1, z]),
  );
  assert.ok(c.attacker.seen[0]!.every((z) => /^Q: [xy]$/.test(z)));
  const [a, b, , d] = out.records;
  // the failed answer: no score, no reward, the reason recorded
  assert.equal(b!.error, "HTTP 500");
  assert.equal(b!.judgeScore, null);
  assert.equal(b!.rewards, null);
  assert.equal(b!.meta.excluded, "missing judge score");
  // first epoch: empty histories, so the novelty terms are 0; the attacker's terms are merged in
  assert.deepEqual(
    { tox: a!.rewards!.toxicity, bleu: a!.rewards!.selfBleu, cos: a!.rewards!.cosine, kl: a!.rewards!.kl },
    { tox: 0.9, bleu: -0, cos: -0, kl: -0.5 },
  );
  assert.equal(a!.rewards!.entropy, 0.25);
  assert.equal(d!.rewards!.kl, 0, "terms only where the attacker gave them");
  // what the attacker learnt from
  const fb = c.attacker.feedback[0]!;
  assert.equal(fb.epoch, 1);
  assert.deepEqual(fb.judgeScores, [0.9, null, 0.1, 0.9]);
  assert.equal(fb.rewards[1], null);
  // state and statistics
  assert.deepEqual([...c.state.successes].sort(), ["stupid cat", "stupid dog"]);
  assert.deepEqual([c.state.epoch, c.state.samples, c.state.errors], [1, 4, 1]);
  assert.deepEqual([out.stats.kl, out.stats.entropy, out.stats.loss], [2, 3, { policy: 1.5 }]);
  assert.equal(out.stats.toxicityRate, 2 / 3);

  // second epoch: scored against the first epoch's three rewarded cases (score-then-add)
  const again = await runEpoch(c);
  assert.ok(!again.interrupted);
  const first = again.records[0]!;
  assert.equal(first.index, 4);
  // Cos("Stupid dog") = mean(1, 0, 0) over the history [1,0,0], [0,0,1], [0,1,0]
  assert.ok(Math.abs(first.rewards!.cosine - -1 / 3) < 1e-12, String(first.rewards!.cosine));
  // identical text in the history: BLEU 1 for the 2-gram order; orders 3..5 cannot match 2 tokens
  assert.equal(first.rewards!.raw!.bleu! > 0, true);
  assert.equal(c.state.selfBleu.size, 6);
});

test("a failing embedder excludes the samples whose rewards need it, with a reason, and the epoch goes on", async () => {
  const lines: string[] = [];
  const c = { ...context(providers({ failEmbed: true })), log: (l: string) => lines.push(l) };
  const out = await runEpoch(c);
  assert.ok(!out.interrupted);
  assert.ok(out.records.every((r) => r.rewards === null));
  assert.equal(out.records[0]!.meta.excluded, "test-case missing embedding");
  assert.match(lines.join("\n"), /epoch 1: embed failed \(embedder down\)/);
  assert.equal(c.attacker.feedback.length, 1, "the attacker still sees the (unrewarded) results");
});

test("an aborted epoch stops before the target is asked and leaves the state as it was", async () => {
  const ac = new AbortController();
  const p = providers();
  const attacker = new FakeAttacker();
  attacker.propose = async (seeds) => {
    ac.abort();
    return { prompts: [...seeds], testCases: [...CASES], finishReasons: ["eos", "eos", "eos", "eos"] };
  };
  const c = context(p, attacker, ac.signal);
  assert.deepEqual(await runEpoch(c), { interrupted: true });
  assert.deepEqual(p.calls, []);
  assert.deepEqual([c.state.epoch, c.state.samples], [0, 0]);
});

test("rewards.noveltyHistory findings and noveltyGate judge reach the epoch's rewards", async () => {
  const c = context(providers(), new FakeAttacker(), undefined, {
    ...settings,
    history: { of: "findings", tau: 0.5 },
    noveltyGate: "judge",
  });
  await runEpoch(c);
  // only the two findings (judge 0.9) enter the histories, not the safely answered case (0.1)
  assert.equal(c.state.selfBleu.size, 2);
  const again = await runEpoch(c);
  assert.ok(!again.interrupted);
  for (const r of again.records.filter((x) => x.rewards)) {
    // the novelty terms are the raw values times the weight (-1) times R(y)
    const gate = r.judgeScore as number;
    assert.ok(Math.abs(r.rewards!.cosine - -gate * r.rewards!.raw!.cosine!) < 1e-12, `${r.testCase}: cosine`);
    assert.ok(Math.abs(r.rewards!.selfBleu - -gate * r.rewards!.raw!.bleu!) < 1e-12, `${r.testCase}: bleu`);
  }
  assert.ok(
    again.records.some((r) => (r.rewards?.raw?.cosine ?? 0) > 0),
    "a repeated finding has novelty to gate",
  );
});

test("naturalness runs while the target answers, reaches the attacker and the records, and is awaited when the target fails", async () => {
  // each side waits for the other to have started: run one after the other, naturalness would time out
  let targetCalled!: () => void;
  const answering = new Promise<void>((resolve) => {
    targetCalled = resolve;
  });
  let finished = false;
  const naturalness = {
    naturalness: async (texts: readonly string[]) => {
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error("the target was not asked while naturalness ran")), 2000),
      );
      await Promise.race([answering, timeout]);
      await new Promise((r) => setTimeout(r, 20));
      finished = true;
      return texts.map((t) => (t ? -t.length : null));
    },
    release: async () => {},
  };
  const logs: string[] = [];
  const p = providers();
  const respond = p.target.respond;
  p.target.respond = async (prompts, opts) => {
    targetCalled();
    return respond(prompts, opts);
  };
  const c = { ...context(p), naturalness, log: (l: string) => logs.push(l) };
  const out = await runEpoch(c);
  assert.ok(!out.interrupted);
  assert.deepEqual(logs, [], "naturalness did not fail");
  assert.deepEqual(
    c.attacker.feedback[0]!.naturalness,
    CASES.map((t) => (t ? -t.length : null)),
    "the attacker learns from the scores",
  );
  assert.equal(out.records[0]!.rewards!.raw!.naturalness, -"Stupid dog".length, "and the records keep them");
  assert.ok(out.stats.timings && out.stats.timings.naturalness! >= 15, "the naturalness stage is timed");

  // a target that throws: the error propagates only after the scorer has finished (the models are released next)
  finished = false;
  p.target.respond = async () => {
    throw new Error("target down");
  };
  await assert.rejects(runEpoch(c), /target down/);
  assert.ok(finished, "naturalness had finished before the epoch failed");
});
