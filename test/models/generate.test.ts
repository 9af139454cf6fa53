// Generation: greedy tokens vs PyTorch, KV cache vs full forward, seeded sampling, stop sequences, EOS, logprobs.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Gpt2Policy } from "../../src/models/index.js";
import { golden, TINY } from "./helpers.js";

let policy: Gpt2Policy;
before(async () => {
  policy = await Gpt2Policy.load(TINY, { trainable: { kind: "full" } });
});
after(async () => {
  await policy.release();
});

const PROMPTS = [
  "Ask questions: 1. Why is the sky blue? 2.",
  "Tell me",
  "The movie was great and the actors",
];

test("greedy continuation of uneven prompts matches PyTorch, with and without the KV cache", async () => {
  const G = await golden();
  const [B, T] = G.shape("greedy.prompt_ids") as [number, number];
  const ids = G.ints("greedy.prompt_ids");
  const mask = G.ints("greedy.prompt_mask");
  const prompts = Array.from({ length: B }, (_, b) =>
    ids.slice(b * T, (b + 1) * T).filter((_, t) => mask[b * T + t] === 1),
  );
  const want = G.ints("greedy.tokens");
  const n = want.length / B;
  for (const useCache of [true, false]) {
    const gens = await policy.generate(prompts, { maxNewTokens: n, greedy: true, useCache });
    gens.forEach((g, b) => {
      assert.deepEqual(g.ids, want.slice(b * n, (b + 1) * n), `row ${b}, useCache ${useCache}`);
      assert.deepEqual(g.promptIds, prompts[b]);
    });
  }
});

test("greedy with and without the KV cache give identical tokens (batched, uneven, LoRA active)", async () => {
  const lora = await Gpt2Policy.load(TINY, { trainable: { kind: "lora", r: 4, alpha: 8 }, seed: 3 });
  try {
    for (const p of lora.params())
      if (p.name.endsWith("lora_B")) for (let i = 0; i < p.data.length; i++) p.data[i] = Math.sin(i) * 0.3;
    const a = await lora.generate(PROMPTS, { maxNewTokens: 20, greedy: true });
    const b = await lora.generate(PROMPTS, { maxNewTokens: 20, greedy: true, useCache: false });
    assert.deepEqual(
      a.map((g) => g.ids),
      b.map((g) => g.ids),
    );
    assert.ok(a.every((g) => g.ids.length === 20 && g.finishReason === "length"));
    const ref = await lora.generate(PROMPTS, { maxNewTokens: 20, greedy: true, loraScale: 0 });
    const base = await policy.generate(PROMPTS, { maxNewTokens: 20, greedy: true });
    assert.deepEqual(
      ref.map((g) => g.ids),
      base.map((g) => g.ids),
      "loraScale 0 is the base model",
    );
  } finally {
    await lora.release();
  }
});

test("seeded sampling is reproducible; logprobs are the raw log-softmax at the sampled ids", async () => {
  const opts = { maxNewTokens: 10, temperature: 1.3, topP: 0.95, seed: 11 };
  const a = await policy.generate(PROMPTS, opts);
  const b = await policy.generate(PROMPTS, opts);
  assert.deepEqual(a, b);
  const c = await policy.generate(PROMPTS, { ...opts, seed: 12 });
  assert.notDeepEqual(
    a.map((g) => g.ids),
    c.map((g) => g.ids),
  );
  // independent check of logprobs: a plain forward over prompt + generated tokens
  for (const g of a) {
    const row = [...g.promptIds, ...g.ids.slice(0, -1)];
    const { data } = await policy.logits([row]);
    g.ids.forEach((id, j) => {
      const t = g.promptIds.length - 1 + j;
      const l = data.subarray(t * 300, (t + 1) * 300);
      const max = Math.max(...l);
      const lse = max + Math.log(l.reduce((s, x) => s + Math.exp(x - max), 0));
      assert.ok(
        Math.abs(g.logprobs[j]! - (l[id]! - lse)) < 1e-4,
        `logprob ${j}: ${g.logprobs[j]} vs ${l[id]! - lse}`,
      );
    });
    assert.equal(g.text, policy.tokenizer.decode(g.ids));
  }
});

test("stop sequences end a row and cut its text before the stop string", async () => {
  const opts = { maxNewTokens: 12, temperature: 1.5, seed: 5 };
  const [free] = await policy.generate([PROMPTS[0]!], opts);
  const text = free!.text;
  assert.ok(text.length >= 6, `need a longer sample, got ${JSON.stringify(text)}`);
  const stop = text.slice(3, 5);
  const cut = text.indexOf(stop);
  const [stopped] = await policy.generate([PROMPTS[0]!], { ...opts, stop: ["never-there", stop] });
  assert.equal(stopped!.finishReason, "stop");
  assert.equal(stopped!.text, text.slice(0, cut));
  // ids run through the token that completed the stop string, and are a prefix of the free run
  assert.deepEqual(stopped!.ids, free!.ids.slice(0, stopped!.ids.length));
  assert.ok(policy.tokenizer.decode(stopped!.ids).includes(stop));
  assert.ok(!policy.tokenizer.decode(stopped!.ids.slice(0, -1)).includes(stop));
});

test("EOS ends a row (excluded from text, kept in ids); too long a prompt is refused", async () => {
  const eosPolicy = await Gpt2Policy.load(TINY, { trainable: { kind: "full" } });
  try {
    // make every hidden state e_0 and give EOS the largest logit: ln_f.weight = 0, ln_f.bias = e_0
    const get = (n: string) => eosPolicy.params().find((p) => p.name === n)!.data;
    get("ln_f.weight").fill(0);
    get("ln_f.bias").fill(0)[0] = 1;
    get("wte.weight")[299 * 32] = 50;
    const gens = await eosPolicy.generate(["Tell me", "Ask"], {
      maxNewTokens: 5,
      temperature: 0.7,
      topP: 0.92,
      seed: 1,
    });
    for (const g of gens) {
      assert.equal(g.finishReason, "eos");
      assert.deepEqual(g.ids, [299]);
      assert.equal(g.text, "");
      assert.equal(g.logprobs.length, 1);
    }
  } finally {
    await eosPolicy.release();
  }
  await assert.rejects(
    policy.generate([Array.from({ length: 60 }, () => 5)], { maxNewTokens: 10 }),
    /prompt of 60 tokens \+ maxNewTokens 10 exceeds the model's 64 positions/,
  );
});
