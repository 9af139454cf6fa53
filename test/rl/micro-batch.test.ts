import assert from "node:assert/strict";
import { test } from "node:test";
import { activationElements, microBatchRows, resolvePpoConfig } from "../../src/rl/index.js";

const gpt2Small = { layers: 12, width: 768, mlpWidth: 3072, heads: 12 };
const qwen25 = { layers: 24, width: 896, mlpWidth: 4864, heads: 14 };

test("activation elements: rows x T x layers x (width + MLP width + heads x T), by hand", () => {
  // 64 * 64 * 12 * (768 + 3072 + 12 * 64) = 4096 * 12 * 4608
  assert.equal(activationElements(gpt2Small, 64, 64), 226_492_416);
  // 64 * 64 * 24 * (896 + 4864 + 14 * 64) = 4096 * 24 * 6656
  assert.equal(activationElements(qwen25, 64, 64), 654_311_424);
});

test("automatic micro-batch: GPT-2 small at 64 x 64 runs whole, Qwen2.5-0.5B in chunks of 16", () => {
  assert.equal(microBatchRows(null, 64, 64, gpt2Small), 64);
  // 64 rows: 6.5e8 elements, 32: 3.3e8, 16: 1.6e8 <= 2.5e8
  assert.equal(microBatchRows(null, 64, 64, qwen25), 16);
  // longer rows shrink the chunk further; a chunk never goes below one row
  assert.equal(microBatchRows(null, 64, 256, qwen25), 4);
  assert.equal(microBatchRows(null, 3, 100_000, qwen25), 1);
});

test("a set micro-batch size is used as given, capped at the minibatch", () => {
  assert.equal(microBatchRows(8, 64, 64, qwen25), 8);
  assert.equal(microBatchRows(128, 64, 64, gpt2Small), 64);
});

test("PPO config: microBatchSize must be a positive integer or null", () => {
  assert.equal(resolvePpoConfig({}).microBatchSize, null);
  assert.throws(() => resolvePpoConfig({ microBatchSize: 0 }), /microBatchSize must be a positive integer/);
  assert.throws(() => resolvePpoConfig({ microBatchSize: 2.5 }), /microBatchSize must be a positive integer/);
});
