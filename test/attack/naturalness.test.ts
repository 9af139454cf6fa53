// Naturalness N(x) = mean_t log p(x_t | BOS, x_<t) from the reference model, checked against the public
// loadCausalLM logits (a different graph: full logits, log-softmax computed here in float64).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ReferenceNaturalness } from "../../src/attack/index.js";
import { loadCausalLM } from "../../src/index.js";
import { ROOT } from "../campaign/helpers.js";

const TINY = join(ROOT, "test/models/fixtures/tiny-gpt2");

async function byHand(text: string): Promise<number> {
  const lm = await loadCausalLM(TINY);
  try {
    const ids = [lm.config.bosTokenId, ...lm.tokenizer.encode(text)];
    const { data, dims } = await lm.logits([ids]);
    const V = dims[2]!;
    let sum = 0;
    for (let t = 1; t < ids.length; t++) {
      const row = data.subarray((t - 1) * V, t * V);
      let max = Number.NEGATIVE_INFINITY;
      for (const v of row) max = Math.max(max, v);
      let z = 0;
      for (const v of row) z += Math.exp(v - max);
      sum += row[ids[t]!]! - max - Math.log(z);
    }
    return sum / (ids.length - 1);
  } finally {
    await lm.release();
  }
}

test("N(x) is the mean per-token log-likelihood after BOS, batched over uneven lengths; empty text gives null", async () => {
  const texts = ["the cat sat on the mat", "dog", "", "a red sun and a blue moon over the sea"];
  const scorer = await ReferenceNaturalness.load(TINY);
  try {
    const got = await scorer.naturalness(texts);
    assert.equal(got[2], null);
    for (const i of [0, 1, 3]) {
      const want = await byHand(texts[i]!);
      assert.ok(Math.abs(got[i]! - want) < 1e-4, `${texts[i]}: ${got[i]} vs ${want}`);
      assert.ok(got[i]! < 0);
    }
  } finally {
    await scorer.release();
  }
});
