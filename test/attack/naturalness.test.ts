// Naturalness N(x) = mean_t log p(x_t | BOS, x_<t) from the reference model, checked against the public
// loadCausalLM logits (a different graph: full logits, log-softmax computed here in float64); and the scorer
// that shares the red team's loaded policy against one that loads the model apart.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { ReferenceNaturalness } from "../../src/attack/index.js";
import { type CausalLM, DecoderPolicy, loadCausalLM, type Trainable } from "../../src/index.js";
import { Rng } from "../../src/util/rng.js";
import { ROOT } from "../campaign/helpers.js";

const TINY = join(ROOT, "test/models/fixtures/tiny-gpt2");

async function byHand(lm: CausalLM, text: string): Promise<number> {
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
}

const words = [
  "the",
  "cat",
  "sat",
  "on",
  "mat",
  "dog",
  "a",
  "red",
  "sun",
  "and",
  "blue",
  "moon",
  "over",
  "sea",
];
/** Texts of 0 to 16 words, more than one call's rows, in no order of length. */
function unevenTexts(n: number): string[] {
  const rng = new Rng(7);
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: (i * 7) % 17 }, () => words[Math.floor(rng.next() * words.length)]).join(" "),
  );
}

test("N(x) is the mean per-token log-likelihood after BOS, batched over uneven lengths; empty text gives null", async () => {
  const texts = [
    "the cat sat on the mat",
    "dog",
    "",
    "a red sun and a blue moon over the sea",
    ...unevenTexts(20),
  ];
  const scorer = await ReferenceNaturalness.load(TINY);
  const lm = await loadCausalLM(TINY);
  try {
    const got = await scorer.naturalness(texts);
    for (const [i, text] of texts.entries()) {
      if (text === "") {
        assert.equal(got[i], null);
        continue;
      }
      const want = await byHand(lm, text);
      assert.ok(Math.abs(got[i]! - want) < 1e-4, `${text}: ${got[i]} vs ${want}`);
      assert.ok(got[i]! < 0);
    }
  } finally {
    await scorer.release();
    await lm.release();
  }
});

test("the scorer over the red team's policy scores its reference model (as loaded, not as trained), sharing it", async () => {
  const texts = unevenTexts(20);
  const apart = await ReferenceNaturalness.load(TINY);
  const want = await apart.naturalness(texts);
  await apart.release();
  const rng = new Rng(3);
  const trainables: Trainable[] = [{ kind: "lora", r: 4, alpha: 8, targets: ["c_attn"] }, { kind: "full" }];
  for (const trainable of trainables) {
    const policy = await DecoderPolicy.load(TINY, { trainable, valueHead: true, threads: 1 });
    // training moved every trainable tensor (LoRA's B included) far from its loaded value
    for (const p of policy.params()) for (let i = 0; i < p.data.length; i++) p.data[i]! += rng.next() - 0.5;
    const shared = new ReferenceNaturalness(policy);
    try {
      const got = await shared.naturalness(texts);
      got.forEach((v, i) => {
        if (want[i] === null) assert.equal(v, null);
        else assert.ok(Math.abs(v! - want[i]!) < 1e-5, `${trainable.kind} ${i}: ${v} vs ${want[i]}`);
      });
      const trained = await policy.logits([[1, 2, 3]]);
      assert.ok(trained.data.every(Number.isFinite));
      await shared.release();
      // the policy is the attacker's: releasing the scorer leaves it usable
      const again = await policy.logits([[1, 2, 3]]);
      assert.deepEqual(again.data, trained.data);
    } finally {
      await policy.release();
    }
  }
});
