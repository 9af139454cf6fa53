import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { Gpt2Policy } from "../../src/models/index.js";
import { PpoTrainer } from "../../src/rl/index.js";
import { assertClose } from "./fixture.js";

// scripts/fixtures/ppo_tiny_reference.py: one PPO minibatch on the tiny GPT-2 + LoRA + value head, float64 torch
interface TinyStep {
  lora_r: number;
  lora_alpha: number;
  prompts: number[][];
  responses: number[][];
  params: Record<string, number[]>;
  old_logprobs: number[][];
  old_values: number[][];
  advantages: number[][];
  returns: number[][];
  logprobs: number[][];
  ref_logprobs: number[][];
  values: number[][];
  loss: number;
  pg_loss: number;
  vf_loss: number;
  clipfrac: number;
  vf_clipfrac: number;
  grads: Record<string, number[]>;
}

const TINY = new URL("../models/fixtures/tiny-gpt2/", import.meta.url).pathname;
const f = JSON.parse(
  readFileSync(new URL("./fixtures/ppo_tiny_step.json", import.meta.url), "utf8"),
) as TinyStep;

test("experience graph and one PPO minibatch on the tiny GPT-2 (whole, and in micro-batches) match a float64 PyTorch transcription", async () => {
  const policy = await Gpt2Policy.load(TINY, {
    trainable: { kind: "lora", r: f.lora_r, alpha: f.lora_alpha },
    valueHead: true,
    threads: 1,
  });
  const trainer = new PpoTrainer(policy, { config: { batchSize: 3, threads: 1 } });
  try {
    const params = policy.params();
    assert.deepEqual(params.map((p) => p.name).sort(), Object.keys(f.params).sort());
    for (const p of params) p.data.set(f.params[p.name]!);

    const pairs = f.prompts.map((promptIds, i) => ({ promptIds, responseIds: f.responses[i]! }));
    const exp = await trainer.experience(pairs);
    const rows = (data: Float32Array) =>
      f.responses.flatMap((r, b) => [...data.slice(b * exp.R, b * exp.R + r.length)]);
    assertClose(rows(exp.logprobs), f.logprobs.flat(), 1e-5, "policy log-probs");
    assertClose(rows(exp.refLogprobs), f.ref_logprobs.flat(), 1e-5, "reference (adapter off) log-probs");
    assertClose(rows(exp.values), f.values.flat(), 1e-5, "values");

    // the whole minibatch in one train-graph run, one row per run, and 2 + 1 rows (the last chunk padded):
    // gradient accumulation must give the same minibatch update
    for (const microBatchSize of [null, 1, 2]) {
      trainer.config.microBatchSize = microBatchSize;
      const at = `microBatchSize ${microBatchSize}`;
      const { stats, grads } = await trainer.minibatchGradients(
        pairs.map((p, i) => ({
          ...p,
          logprobs: Float64Array.from(f.old_logprobs[i]!),
          values: Float64Array.from(f.old_values[i]!),
        })),
        f.advantages,
        f.returns,
      );
      assertClose(
        [stats.loss, stats.pgLoss, stats.vfLoss],
        [f.loss, f.pg_loss, f.vf_loss],
        1e-5,
        `${at}: loss, pg, vf`,
      );
      assertClose(
        [stats.clipfrac, stats.vfClipfrac],
        [f.clipfrac, f.vf_clipfrac],
        1e-6,
        `${at}: clip fractions`,
      );
      params.forEach((p, i) => {
        const want = f.grads[p.name]!;
        const scale = Math.max(1e-3, ...want.map(Math.abs));
        assertClose(
          grads[i]!.map((x) => x / scale),
          want.map((x) => x / scale),
          1e-5,
          `${at}: d loss / d ${p.name} (relative to max ${scale.toExponential(2)})`,
        );
      });
    }
  } finally {
    await trainer.release();
    await policy.release();
  }
});
