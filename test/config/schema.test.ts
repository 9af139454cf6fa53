import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError, parseConfig } from "../../src/config/index.js";

const minimal = { target: { id: "openai:chat:m" }, judge: { id: "lexicon" } };

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw, "curio.yaml");
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    assert.equal(e.exitCode, 2);
    return e.problems;
  }
  assert.fail("expected a ConfigError");
}

test("defaults are the CRT paper's settings (crt-spec tables)", () => {
  const c = parseConfig(minimal);
  assert.equal(c.method, "crt");
  assert.equal(c.workspace, ".curio");
  // targets left out: the model family's default (c_attn for the paper's GPT-2)
  assert.deepEqual(c.redteam.trainable, { type: "lora", r: 32, alpha: 16, dropout: 0 });
  assert.deepEqual(c.redteam.generation, {
    maxNewTokens: 10,
    temperature: 0.7,
    topP: 0.92,
    topK: 0,
    stop: [],
  });
  assert.equal(c.rewards.toxicity, 1);
  assert.equal(c.rewards.selfBleu, -1);
  assert.equal(c.rewards.cosine, -1);
  assert.equal(c.rewards.gibberish, 1);
  assert.equal(c.rewards.tdiv, 0);
  assert.equal(c.rewards.entropy, 0.01);
  assert.equal(c.rewards.klBeta, 0.001);
  assert.equal(c.rewards.clip, 10);
  assert.equal(c.rewards.cosineKnn, null);
  assert.deepEqual(c.rewards.quirks, { eosInNoveltyText: true, zeroRewardShortGenerations: true });
  assert.equal(c.ppo.numRollouts, 128);
  assert.equal(c.ppo.batchSize, 64);
  assert.equal(c.ppo.ppoEpochs, 4);
  assert.equal(c.ppo.lr, 3e-5);
  assert.deepEqual(c.ppo.betas, [0.9, 0.95]);
  assert.equal(c.ppo.eps, 1e-8);
  assert.equal(c.ppo.weightDecay, 1e-6);
  assert.equal(c.ppo.gamma, 1);
  assert.equal(c.ppo.lam, 0.95);
  assert.equal(c.ppo.cliprange, 0.2);
  assert.equal(c.ppo.cliprangeValue, 0.2);
  assert.equal(c.ppo.vfCoef, 1);
  assert.equal(c.ppo.kl.type, "fixed");
  assert.equal(c.thresholds.success, 0.5);
  assert.equal(c.evalJudge, null);
});

test("a method sets reward defaults; explicit keys still win", () => {
  const rl = parseConfig({ ...minimal, method: "rl" });
  assert.deepEqual(
    [rl.rewards.selfBleu, rl.rewards.cosine, rl.rewards.entropy, rl.rewards.toxicity],
    [0, 0, 0, 1],
  );
  const tdiv = parseConfig({ ...minimal, method: "rl-tdiv" });
  assert.equal(tdiv.rewards.tdiv, -5);
  const temp2 = parseConfig({ ...minimal, method: "rl-temp2" });
  assert.equal(temp2.redteam.generation.temperature, 2);
  assert.equal(temp2.redteam.generation.topP, 0.92);
  const mixed = parseConfig({ ...minimal, method: "rl", rewards: { entropy: 0.5 } });
  assert.equal(mixed.rewards.entropy, 0.5);
  assert.equal(mixed.rewards.selfBleu, 0);
});

test("validation messages name the key path, the expectation and the bad value", () => {
  assert.deepEqual(problems({ ...minimal, ppo: { lr: -1 } }), ["ppo.lr: expected a number > 0, got -1"]);
  assert.deepEqual(problems({ ...minimal, seed: 1.5 }), ["seed: expected an integer, got 1.5"]);
  assert.deepEqual(problems({ ...minimal, redteam: { generation: { topP: 1.5 } } }), [
    "redteam.generation.topP: expected a number <= 1, got 1.5",
  ]);
  assert.deepEqual(problems({ target: { id: "x" } }), [
    "judge: required, expected an object { id: ..., ...options }",
  ]);
  assert.deepEqual(problems({ ...minimal, target: "openai" }), ['target: expected an object, got "openai"']);
  assert.deepEqual(problems({ ...minimal, method: "rl-tdv" }), [
    'method: expected one of "crt" | "rl" | "rl-tdiv" | "rl-temp2" | "zero-shot" | "few-shot" | "gfn" | "corpus", got "rl-tdv" (did you mean "rl-tdiv"?)',
  ]);
  assert.deepEqual(problems({ ...minimal, redteam: { trainable: { type: "lorra" } } }), [
    'redteam.trainable.type: expected one of "full" | "lora" | "top", got "lorra"',
  ]);
  assert.deepEqual(problems({ ...minimal, redteam: { trainable: { type: "top", k: 0 } } }), [
    "redteam.trainable.k: expected a number > 0, got 0",
  ]);
  assert.deepEqual(problems({ ...minimal, ppo: { betas: [0.9] } }), [
    "ppo.betas: expected a list with >= 2 items, got [0.9]",
  ]);
  assert.deepEqual(problems({ ...minimal, redteam: { seedPrompts: { examples: 5 } } }), [
    "redteam.seedPrompts.examples: expected a list or a string or an object, got 5",
  ]);
  const typo = problems({ ...minimal, ppo: { lR: 1e-4 } });
  assert.equal(typo.length, 1);
  assert.match(typo[0]!, /^ppo\.lR: unknown key \(did you mean "lr"\?\); allowed here: epochs, numRollouts/);
  assert.deepEqual(problems({ ...minimal, ppo: { kl: { type: "adaptive" } } }), [
    "ppo.kl.target: a positive number is required when ppo.kl.type is adaptive (e.g. 6)",
  ]);
  assert.deepEqual(problems({ ...minimal, ppo: { batchSize: 256 } }), [
    "ppo.batchSize: must be <= ppo.numRollouts (128) (got 256)",
  ]);
  // Several problems at once, each on its own line.
  assert.equal(problems({ ...minimal, seed: -1, concurrency: 0, cache: "yes" }).length, 3);
});

test("provider specs keep their options (validated later by the provider registry)", () => {
  const c = parseConfig({
    ...minimal,
    target: { id: "openai:chat:m", baseUrl: "http://h/v1", max_tokens: 30 },
  });
  assert.deepEqual(c.target, { id: "openai:chat:m", baseUrl: "http://h/v1", max_tokens: 30 });
  assert.deepEqual(c.embedder, { id: "transformers-embed" });
});
