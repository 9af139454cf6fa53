// One copy of the frozen weights per process: every session of a policy (every graph kind and shape bucket,
// the trainer's too) reads the policy's own arrays, so the compiled models carry no weights.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DecoderPolicy, decodeWeightMode, PREPACKED_DECODE_MAX_BYTES } from "../../src/models/index.js";
import { PpoTrainer } from "../../src/rl/index.js";
import { TINY } from "./helpers.js";

test("sessions of one policy share its weight arrays: an in-place change reaches every bucket and the trainer", async () => {
  const policy = await DecoderPolicy.load(TINY, {
    trainable: { kind: "lora", r: 2, alpha: 4 },
    valueHead: true,
  });
  const trainer = new PpoTrainer(policy, { config: { batchSize: 2, chunkSize: 2 } });
  const rows = [
    [5, 6, 7],
    [8, 9, 10],
  ];
  const pairs = rows.map((r) => ({ promptIds: r.slice(0, 2), responseIds: r.slice(2) }));
  const before = {
    one: (await policy.logits(rows.slice(0, 1))).data.slice(),
    two: (await policy.logits(rows)).data.slice(), // another shape bucket: another session
    greedy: (await policy.generate([rows[0]!], { maxNewTokens: 3, greedy: true }))[0]!.ids,
    exp: (await trainer.experience(pairs)).refLogprobs.slice(),
  };
  const wte = policy.weights.get("wte.weight").data;
  const saved = wte.slice();
  for (let i = 0; i < wte.length; i++) wte[i] = wte[i]! * -3 + 0.01 * (i % 13); // a different model
  try {
    const after = {
      one: (await policy.logits(rows.slice(0, 1))).data,
      two: (await policy.logits(rows)).data,
      exp: (await trainer.experience(pairs)).refLogprobs,
    };
    assert.notDeepEqual(after.one, before.one, "the B=1 session sees the change");
    assert.notDeepEqual(after.two, before.two, "so does the B=2 session");
    assert.notDeepEqual(after.exp, before.exp, "and the trainer's experience session (the reference policy)");
    assert.deepEqual(
      after.two.subarray(0, after.one.length),
      after.one,
      "both buckets compute the same model",
    );
  } finally {
    wte.set(saved);
  }
  assert.deepEqual(
    (await policy.logits(rows.slice(0, 1))).data,
    before.one,
    "restored in place, restored everywhere",
  );
  assert.deepEqual(
    (await policy.generate([rows[0]!], { maxNewTokens: 3, greedy: true }))[0]!.ids,
    before.greedy,
  );
  await Promise.all([policy.release(), trainer.release()]);
});

test("decoding sessions prepack the weights of models up to 1 GiB by default, and share them above", async () => {
  assert.equal(PREPACKED_DECODE_MAX_BYTES, 2 ** 30);
  // GPT-2 small's 124M float32 weights, SmolLM2-135M's 135M, SmolLM2-360M's 362M, Qwen2.5-0.5B's 494M
  assert.equal(decodeWeightMode("auto", 124e6 * 4), "initializers");
  assert.equal(decodeWeightMode("auto", 135e6 * 4), "initializers");
  assert.equal(decodeWeightMode("auto", 362e6 * 4), "inputs");
  assert.equal(decodeWeightMode("auto", 494e6 * 4), "inputs");
  assert.equal(decodeWeightMode("inputs", 1), "inputs", "a setting is used as given");
  assert.equal(decodeWeightMode("initializers", 2 ** 40), "initializers");
  const tiny = await DecoderPolicy.load(TINY, { trainable: { kind: "none" } });
  const shared = await DecoderPolicy.load(TINY, { trainable: { kind: "none" }, decodeWeights: "inputs" });
  try {
    assert.equal(tiny.decodeWeights, "initializers");
    assert.equal(shared.decodeWeights, "inputs");
    // the two modes decode the same tokens
    const prompt = [[5, 6, 7]];
    assert.deepEqual(
      (await tiny.generate(prompt, { maxNewTokens: 6, greedy: true }))[0]!.ids,
      (await shared.generate(prompt, { maxNewTokens: 6, greedy: true }))[0]!.ids,
    );
  } finally {
    await Promise.all([tiny.release(), shared.release()]);
  }
});
