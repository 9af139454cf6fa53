import assert from "node:assert/strict";
import { test } from "node:test";
import { type GfnRewardConfig, GfnTrainer, rewardTerms } from "../../src/attack/gfn/index.js";
import { DecoderPolicy, decoderConfig, randomWeights, type TextTokenizer } from "../../src/models/index.js";
import { trainerConfig } from "./gfn-helpers.js";

// A toy with a known answer: a one-block GPT-2 over the tokens a, b, c and end-of-text writes strings of one or
// two letters. The reward is known for every string, so the distribution trajectory balance should reach is
// known too: P(x) = R(x) / sum R. Trained through GfnTrainer.update (fresh samples, replay buffer, log Z), the
// policy's exact probabilities and its sample frequencies must match it.
const LETTERS = ["", "a", "b", "c"];
const R: Record<string, number> = {
  a: 1,
  b: 2,
  c: 3,
  aa: 4,
  ab: 1,
  ac: 0.5,
  ba: 6,
  bb: 2,
  bc: 1,
  ca: 3,
  cb: 8,
  cc: 0.5,
};
const Z = Object.values(R).reduce((a, b) => a + b, 0);
const MAX_R = Math.max(...Object.values(R));
const tokenizer: TextTokenizer = {
  encode: (text) => [...text].map((c) => LETTERS.indexOf(c)),
  decode: (ids) => ids.map((i) => LETTERS[i]).join(""),
  eosId: 0,
  eosIds: [0],
  padId: 0,
  bosId: 0,
  addsBos: false,
  vocabSize: 4,
  chatTemplate: null,
  tokenId: (t) => (LETTERS.indexOf(t) > 0 ? LETTERS.indexOf(t) : undefined),
};
// the paper's reward with the judge term alone: log R = log(score) for score = R(x) / max R, and a floor for
// anything else (the empty string, three letters cut at the length limit)
const reward: GfnRewardConfig = {
  beta: 1,
  gamma: { start: 1e12, end: 1e12, horizon: 0 },
  temperature: { start: 1, end: 1, horizon: 0 },
  scoreFloor: 1e-5,
  minLength: 0,
  shortPenalty: 0,
};

function toyPolicy(): DecoderPolicy {
  const cfg = decoderConfig("gpt2", {
    vocabSize: 4,
    maxPositions: 16,
    layers: 1,
    width: 32,
    heads: 4,
    tiedHead: false,
    bosTokenId: 0,
    eosTokenIds: [0],
  });
  const weights = randomWeights(cfg, 3);
  // input embeddings far larger than GPT-2's std 0.02 init: the four tokens start distinguishable, so the block
  // learns to condition on the first letter in tens of steps rather than hundreds; the untied head keeps its
  // small init, so the first policy is close to uniform and explores every string
  for (const name of ["wte.weight", "wpe.weight"]) {
    const d = weights.get(name).data;
    for (let i = 0; i < d.length; i++) d[i] = 30 * d[i]!;
  }
  return DecoderPolicy.fromWeights(cfg, weights, tokenizer, { trainable: { kind: "full" }, threads: 1 });
}

test("trajectory balance on a toy reward: the policy samples strings in proportion to R(x) (TV < 0.05)", async () => {
  const policy = toyPolicy();
  const trainer = new GfnTrainer(
    policy,
    trainerConfig({
      reward,
      lr: 1e-2,
      logZLr: 0.1,
      batchSize: 16,
      replay: { capacity: 64, tolerance: 0, sampling: "priority", rankBy: "score" },
      exploration: { probability: 0.5, low: 1, high: 2 },
    }),
  );
  const prompts = Array.from({ length: 16 }, () => [0]);
  try {
    let last = Number.NaN;
    for (let epoch = 0; epoch < 200; epoch++) {
      const trajs = await trainer.sample(prompts, { maxNewTokens: 3 });
      const ref = await trainer.referenceLogprobs(trajs);
      const scored = trajs.map((t, i) => {
        const score = t.finishReason === "eos" ? (R[t.text] ?? 0) / MAX_R : 0;
        return { traj: t, terms: rewardTerms(score, ref[i]!, reward), judgeScore: score, text: t.text };
      });
      last = (await trainer.update(scored, epoch / 200)).online.loss;
    }
    assert.ok(last < 0.1, `the trajectory-balance loss went down to ${last}`);
    // the policy's exact probability of every rewarded string (teacher-forced, end-of-text included)
    const strings = Object.keys(R);
    const exact = await trainer.minibatch(
      strings.map((s) => ({ promptIds: [0], responseIds: [...tokenizer.encode(s), 0], logReward: 0 })),
      strings.length,
    );
    assert.ok(
      Math.abs(exact.logZ[0]! - Math.log(Z / MAX_R)) < 0.1,
      `log Z ${exact.logZ[0]} vs log(sum R / max R) = ${Math.log(Z / MAX_R)}`,
    );
    const tvExact = strings.reduce(
      (a, s, i) => a + Math.abs(Math.exp(exact.sumLogpf[i]!) - R[s]! / Z) / 2,
      0,
    );
    assert.ok(tvExact < 0.04, `total variation of P_theta from R / sum R: ${tvExact}`);

    // and what it samples at temperature 1
    const counts = new Map<string, number>();
    const N = 4096;
    for (let s = 0; s < N / 256; s++) {
      const gens = await policy.generate(
        Array.from({ length: 256 }, () => [0]),
        { maxNewTokens: 3, seed: 7000 + s },
      );
      for (const g of gens) {
        const key = g.finishReason === "eos" ? g.text : `${g.text}...`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    const keys = new Set([...strings, ...counts.keys()]);
    const tvSamples = [...keys].reduce(
      (a, k) => a + Math.abs((counts.get(k) ?? 0) / N - (R[k] ?? 0) / Z) / 2,
      0,
    );
    assert.ok(tvSamples < 0.05, `total variation of ${N} samples from R / sum R: ${tvSamples}`);
  } finally {
    await trainer.release();
    await policy.release();
  }
});
