import assert from "node:assert/strict";
import { test } from "node:test";
import { DecoderPolicy, type Trainable } from "../../src/models/index.js";
import { type PpoConfig, PpoTrainer, type Rollout } from "../../src/rl/index.js";

// B's tiny random GPT-2 (vocab 300, 2 layers, d 32, 4 heads); tiny Llama / Qwen3 (grouped KV heads, RoPE)
const TINY = new URL("../models/fixtures/tiny-gpt2/", import.meta.url).pathname;
const LLAMA = new URL("../models/fixtures/tiny-llama/", import.meta.url).pathname;
const QWEN3 = new URL("../models/fixtures/tiny-qwen3/", import.meta.url).pathname;
const ALL_PROJECTIONS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
const PROMPTS = ["the cat", "a dog is", "hello", "we"];
const GEN = { maxNewTokens: 8, temperature: 1 };

async function setup(trainable: Trainable, config: Partial<PpoConfig> = {}, model = TINY) {
  const policy = await DecoderPolicy.load(model, { trainable, valueHead: true, seed: 1, threads: 1 });
  const trainer = new PpoTrainer(policy, {
    config: { batchSize: 32, chunkSize: 64, seed: 5, threads: 1, ...config },
  });
  const close = async () => {
    await trainer.release();
    await policy.release();
  };
  return { policy, trainer, close };
}

const prompts = (n: number) => Array.from({ length: n }, (_, i) => PROMPTS[i % PROMPTS.length]!);
/** Known optimum 1: the fraction of response tokens with an even id. */
const evenScore = (r: Rollout) => r.responseIds.filter((x) => x % 2 === 0).length / r.responseIds.length;
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

for (const [model, trainable] of [
  [TINY, { kind: "lora", r: 4, alpha: 8 }],
  [TINY, { kind: "top", k: 1 }],
  [QWEN3, { kind: "lora", r: 4, alpha: 8, targets: ALL_PROJECTIONS }],
  [LLAMA, { kind: "top", k: 1 }],
] as [string, Trainable][]) {
  const name = model.split("/").filter(Boolean).at(-1);
  test(`${name} ${trainable.kind}: reference == policy before any update; rollout log-probs and values == the experience forward's`, async () => {
    const { trainer, close } = await setup(trainable, {}, model);
    try {
      const { rollouts } = await trainer.rollout(prompts(16), GEN);
      // the rollouts' policy log-probs and values come from generate()'s KV-cache decoding graphs (left padded
      // to another width); the experience graph is an independent full forward over prompt + response
      const exp = await trainer.experience(
        rollouts.map((r) => ({ promptIds: r.promptIds, responseIds: r.responseIds })),
      );
      rollouts.forEach((r, b) => {
        const L = r.responseIds.length;
        assert.equal(r.logprobs.length, L);
        const forward = (x: Float32Array) => x.subarray(b * exp.R, b * exp.R + L);
        assert.ok(
          maxAbsDiff(r.logprobs, forward(exp.logprobs)) < 1e-5,
          `logp vs forward ${maxAbsDiff(r.logprobs, forward(exp.logprobs))}`,
        );
        assert.ok(
          maxAbsDiff(r.values, forward(exp.values)) < 1e-5,
          `values vs forward ${maxAbsDiff(r.values, forward(exp.values))}`,
        );
        // LoRA B starts at zero / the top block starts at its loaded value: the reference is the same model
        // (same forward: equal to float32 rounding)
        assert.ok(
          maxAbsDiff(forward(exp.logprobs), forward(exp.refLogprobs)) < 1e-6,
          `forward logp vs ref ${maxAbsDiff(forward(exp.logprobs), forward(exp.refLogprobs))}`,
        );
        assert.ok(
          maxAbsDiff(r.logprobs, r.refLogprobs) < 1e-5,
          `logp vs ref ${maxAbsDiff(r.logprobs, r.refLogprobs)}`,
        );
        assert.ok(Math.abs(r.kl) < 1e-4);
      });
    } finally {
      await close();
    }
  });
}

test("full training: the reference stays the initial model (frozen wte head) while the policy moves", async () => {
  const { trainer, close } = await setup({ kind: "full" }, { lr: 1e-2 });
  try {
    const { rollouts } = await trainer.rollout(prompts(32), GEN);
    const pairs = rollouts.map((r) => ({ promptIds: r.promptIds, responseIds: r.responseIds }));
    const before = await trainer.experience(pairs);
    const beforeRef = before.refLogprobs.slice();
    const beforeLogp = before.logprobs.slice();
    assert.ok(maxAbsDiff(beforeLogp, beforeRef) < 1e-6);
    const res = await trainer.step(rollouts, rollouts.map(evenScore));
    // the first minibatch sees exactly the rollout policy: ratio 1, nothing clipped
    const first = res.minibatches[0]!;
    assert.ok(Math.abs(first.approxKl) < 1e-6, `approx_kl ${first.approxKl}`);
    assert.ok(Math.abs(first.ratioMean - 1) < 1e-5, `ratio ${first.ratioMean}`);
    assert.equal(first.clipfrac, 0);
    assert.equal(res.minibatches.length, 4);
    const after = await trainer.experience(pairs);
    assert.ok(maxAbsDiff(after.refLogprobs, beforeRef) < 1e-5, "reference moved");
    assert.ok(maxAbsDiff(after.logprobs, beforeLogp) > 1e-3, "policy did not move");
  } finally {
    await close();
  }
});

for (const [model, trainable, lr] of [
  [TINY, { kind: "full" }, 1e-2],
  [QWEN3, { kind: "lora", r: 8, alpha: 16, targets: ALL_PROJECTIONS }, 3e-2],
] as [string, Trainable, number][]) {
  const name = model.split("/").filter(Boolean).at(-1);
  test(`${name} ${trainable.kind}: a reward with a known optimum (even token ids) rises clearly`, async () => {
    const { trainer, close } = await setup(trainable, { lr }, model);
    try {
      const means: number[] = [];
      for (let it = 0; it < 10; it++) {
        const { rollouts } = await trainer.rollout(prompts(64), GEN);
        const res = await trainer.step(rollouts, rollouts.map(evenScore));
        means.push(res.meanScore);
        assert.equal(res.perSample.length, 64);
        assert.ok(Number.isFinite(res.loss.loss));
      }
      const start = (means[0]! + means[1]!) / 2;
      const end = (means[8]! + means[9]!) / 2;
      assert.ok(end > start + 0.2, `mean score ${means.map((m) => m.toFixed(3)).join(" ")}`);
    } finally {
      await close();
    }
  });
}

async function twoSteps(trainer: PpoTrainer) {
  const out = [];
  for (let i = 0; i < 2; i++) {
    const { rollouts } = await trainer.rollout(prompts(32), GEN);
    const res = await trainer.step(rollouts, rollouts.map(evenScore));
    out.push({ samples: rollouts.map((r) => r.responseIds), losses: res.minibatches.map((m) => m.loss) });
  }
  return out;
}

test("same seed -> same samples and losses; state()/loadState() resumes exactly", async () => {
  const cfg = { lr: 3e-3, klTarget: 1, klHorizon: 100 }; // adaptive controller: its state must resume too
  const a = await setup({ kind: "lora", r: 4, alpha: 8 }, cfg);
  const b = await setup({ kind: "lora", r: 4, alpha: 8 }, cfg);
  const c = await setup({ kind: "lora", r: 4, alpha: 8 }, cfg);
  try {
    const ra = await twoSteps(a.trainer);
    const rb = await twoSteps(b.trainer);
    assert.deepEqual(rb, ra);
    assert.notDeepEqual(ra[1]!.samples, ra[0]!.samples);

    // resume: C takes A's state after one step, then must reproduce A's second step exactly
    const a2 = await setup({ kind: "lora", r: 4, alpha: 8 }, cfg);
    try {
      const { rollouts } = await a2.trainer.rollout(prompts(32), GEN);
      await a2.trainer.step(rollouts, rollouts.map(evenScore));
      const saved = structuredClone(a2.trainer.state());
      c.trainer.loadState(saved);
      assert.equal(c.trainer.klCoef, a2.trainer.klCoef);
      const { rollouts: rc } = await c.trainer.rollout(prompts(32), GEN);
      const resC = await c.trainer.step(rc, rc.map(evenScore));
      assert.deepEqual(
        rc.map((r) => r.responseIds),
        ra[1]!.samples,
      );
      assert.deepEqual(
        resC.minibatches.map((m) => m.loss),
        ra[1]!.losses,
      );
    } finally {
      await a2.close();
    }
  } finally {
    await a.close();
    await b.close();
    await c.close();
  }
});

test("step() rejects mismatched or non-finite scores", async () => {
  const { trainer, close } = await setup({ kind: "top", k: 1 });
  try {
    const { rollouts } = await trainer.rollout(prompts(4), GEN);
    await assert.rejects(trainer.step(rollouts, [1]), /1 scores for 4 rollouts/);
    await assert.rejects(trainer.step(rollouts, [1, 2, Number.NaN, 0]), /score 2 is NaN/);
  } finally {
    await close();
  }
});
