// transformers.js adapters on tiny BERT-like ONNX models the test writes (Hugging Face layout), against a
// plain-JS reference of the same tiny network.
import assert from "node:assert/strict";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, test } from "node:test";
import { createEmbedder, createGibberish, createJudge, createTarget } from "../../src/providers/index.js";
import {
  referenceIds,
  seededFloats,
  type TinyWeights,
  VOCAB,
  writeTinyBert,
  writeTinyCausalLM,
} from "./helpers/tiny-hf.js";

const H = 4;
const V = VOCAB.length;

/** Mean over tokens of E[id] + TT[0]. */
function pooled(w: TinyWeights, text: string): number[] {
  const ids = referenceIds(text);
  const out = new Array(H).fill(0);
  for (const id of ids) for (let j = 0; j < H; j++) out[j] += (w.E[id * H + j] + w.TT[j]) / ids.length;
  return out;
}

function referenceProbs(w: TinyWeights, text: string, C: number): number[] {
  const p = pooled(w, text);
  const logits = Array.from(
    { length: C },
    (_, c) => w.b![c] + p.reduce((a, x, j) => a + x * w.W![j * C + c], 0),
  );
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / s);
}

const weights = (C: number, seed: number): TinyWeights => ({
  hidden: H,
  E: seededFloats(V * H, seed),
  TT: seededFloats(2 * H, seed + 1),
  W: Float32Array.from(seededFloats(H * C, seed + 2), (x) => 3 * x),
  b: seededFloats(C, seed + 3),
});

const texts = ["you are kind", "the cat sat.", "you are an awful idiot! i hate the cat"];
let root = "";
before(async () => {
  root = await mkdtemp(join(tmpdir(), "curio-tiny-"));
});

test("transformers-classifier: softmax P(unsafeLabel) of the response, batched across padding", async () => {
  const w = weights(2, 11);
  const dir = await writeTinyBert(join(root, "clf"), w, ["nothate", "hate"]);
  const judge = await createJudge({
    id: `transformers-classifier:${dir}`,
    unsafeLabel: "HATE",
    batchSize: 2,
  });
  const results = await judge.score(["p", "p", "p"], texts);
  results.forEach((r, i) => {
    assert.equal(r.error, undefined);
    const expected = referenceProbs(w, texts[i], 2)[1];
    assert.ok(Math.abs(r.score - expected) < 1e-5, `${texts[i]}: ${r.score} vs ${expected}`);
    assert.equal(r.label, expected >= 0.5 ? "hate" : "safe");
  });
  // Default for a two-label model: label 1.
  const byDefault = await createJudge(`transformers-classifier:${dir}`);
  const [d] = await byDefault.score(["p"], [texts[2]]);
  assert.ok(Math.abs(d.score - referenceProbs(w, texts[2], 2)[1]) < 1e-5);
  await judge.close?.();
  await byDefault.close?.();
  await assert.rejects(
    createJudge({ id: `transformers-classifier:${dir}`, unsafeLabel: "toxic" }),
    /unsafeLabel "toxic" is not one of the model's labels: nothate, hate/,
  );
});

test("transformers-gibberish: 1 - P(clean) over four labels", async () => {
  const w = weights(4, 21);
  const dir = await writeTinyBert(join(root, "gib"), w, ["clean", "mild gibberish", "noise", "word salad"]);
  const scorer = await createGibberish({ id: `transformers-gibberish:${dir}`, batchSize: 8 });
  const scores = await scorer.gibberish(texts);
  scores.forEach((s, i) => {
    const expected = 1 - referenceProbs(w, texts[i], 4)[0];
    assert.ok(Math.abs(s - expected) < 1e-5, `${s} vs ${expected}`);
  });
  await scorer.close?.();
});

test("transformers-embed: masked mean pooling, L2-normalised, dim from config", async () => {
  const w = weights(2, 31);
  const dir = await writeTinyBert(join(root, "emb"), { hidden: H, E: w.E, TT: w.TT });
  const embedder = await createEmbedder({ id: `transformers-embed:${dir}`, batchSize: 3 });
  assert.equal(embedder.dim, H);
  const vectors = await embedder.embed(texts);
  vectors.forEach((v, i) => {
    const p = pooled(w, texts[i]);
    const n = Math.hypot(...p);
    for (const [j, x] of p.entries())
      assert.ok(Math.abs(v[j] - x / n) < 1e-5, `${texts[i]}[${j}]: ${v[j]} vs ${x / n}`);
  });
  await embedder.close?.();
});

test("a missing model folder or hub id without network is a clear error", async () => {
  await assert.rejects(
    createJudge({ id: `transformers-classifier:${join(root, "clf-missing")}`, offline: true }),
    /neither an existing folder nor a Hugging Face hub id|cannot get model/,
  );
  await assert.rejects(
    createJudge({
      id: "transformers-classifier:someone/some-model",
      offline: true,
      cacheDir: join(root, "cache"),
    }),
    /offline mode.*cannot get model "someone\/some-model"/,
  );
});

test("transformers target: greedy generation through the text-generation pipeline stops at EOS", async () => {
  // Bigram chain you -> are -> kind -> the -> cat -> sat -> [SEP] (EOS); unlisted words predict EOS.
  const dir = await writeTinyCausalLM(join(root, "lm"), {
    you: "are",
    are: "kind",
    kind: "the",
    the: "cat",
    cat: "sat",
  });
  const target = await createTarget({ id: `transformers:${dir}`, greedy: true, max_new_tokens: 10 });
  const results = await target.respond(["you", "the", "love"]);
  assert.deepEqual(
    results.map((r) => [r.text, r.error]),
    [
      [" are kind the cat sat", undefined],
      [" cat sat", undefined],
      ["", undefined],
    ],
  );
  const short = await createTarget({ id: `transformers:${dir}`, greedy: true, max_new_tokens: 2 });
  assert.equal((await short.respond(["you"]))[0].text, " are kind");
  await target.close?.();
  await short.close?.();
});
