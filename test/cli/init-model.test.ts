// `curio init-model` end to end: a tokenizer from the corpus and a random model, trained by `curio sft`, then
// loaded by loadCausalLM; its sizes checked by hand; bad input refused without touching anything.
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadCausalLM, sft } from "../../src/models/index.js";
import { MODEL_SIZES } from "../../src/models/init-model.js";
import { tempDir } from "../store/helpers.js";
import { curio } from "./helpers.js";

const SEEDS = ["How do I bake bread at home?", "Who wrote Hamlet?", "What is the capital of France?"]
  .concat(["How far is the moon from the earth?", "Why is the sky blue?"])
  .map((text) => JSON.stringify({ text }))
  .join("\n");

test("init-model -> sft -> loadCausalLM: a Llama attacker learnt from the user's seeds", {
  timeout: 120_000,
}, async () => {
  const { dir, cleanup } = tempDir("curio-init-model-");
  try {
    const corpus = join(dir, "seeds.jsonl");
    writeFileSync(corpus, `${SEEDS}\n`);
    const base = join(dir, "attacker");
    const made = await curio([
      "init-model",
      "--family",
      "llama",
      "--size",
      "tiny",
      "--corpus",
      corpus,
      "--out",
      base,
      "--json",
    ]);
    assert.equal(made.code, 0, made.stderr);
    const info = JSON.parse(made.stdout);
    const V = info.vocabSize as number;
    const t = MODEL_SIZES.tiny;
    assert.deepEqual(
      [info.layers, info.width, info.heads, info.kvHeads, info.mlpWidth, info.maxPositions],
      [t.layers, t.width, t.heads, t.kvHeads, 192, t.maxPositions],
    );
    // by hand: tied embedding V*d; per layer q, o d*d, k, v d*(kv*hd), gate/up/down 3*d*mlp, 2 RMSNorms; final norm
    const d = 64;
    const kv = 2 * 16;
    assert.equal(info.parameters, V * d + 2 * (2 * d * d + 2 * d * kv + 3 * d * 192 + 2 * d) + d);
    const config = JSON.parse(readFileSync(join(base, "config.json"), "utf8"));
    assert.equal(config.model_type, "llama");
    assert.equal(config.vocab_size, V);
    assert.ok(V > 256 && V <= t.vocabSize, "256 bytes + the corpus' merges");

    const trained = join(dir, "attacker-sft");
    const { losses } = await sft({
      model: base,
      data: corpus,
      trainable: { kind: "full" },
      lr: 3e-3,
      steps: 30,
      batchSize: 5,
      addEos: true,
      out: trained,
    });
    assert.ok(losses.at(-1)! < 0.25 * losses[0]!, `the loss falls: ${losses[0]} -> ${losses.at(-1)}`);

    const lm = await loadCausalLM(trained);
    const [g] = await lm.generate(["Who wrote"], { maxNewTokens: 8, greedy: true });
    assert.equal(g!.text, " Hamlet?", "it learnt the one continuation of its seeds");
    assert.equal(g!.finishReason, "eos");
    const unseen = "Zebra ©®™ 🙂 9876";
    assert.equal(
      lm.tokenizer.decode(lm.tokenizer.encode(unseen)),
      unseen,
      "no <unk>: unseen text round-trips",
    );
    await lm.release();
  } finally {
    cleanup();
  }
});

test("init-model refuses a missing, empty or binary corpus, an unknown family and a non-empty --out", async () => {
  const { dir, cleanup } = tempDir("curio-init-model-");
  try {
    const corpus = join(dir, "seeds.jsonl");
    writeFileSync(corpus, `${SEEDS}\n`);
    const out = join(dir, "m");
    const fails = async (args: string[], pattern: RegExp) => {
      const r = await curio(["init-model", ...args]);
      assert.notEqual(r.code, 0, args.join(" "));
      assert.match(r.stderr, pattern);
    };
    await fails(
      ["--corpus", join(dir, "nope.jsonl"), "--out", out],
      /nope\.jsonl: cannot read the corpus \(no such file\)/,
    );
    writeFileSync(join(dir, "empty.txt"), "\n\n");
    await fails(["--corpus", join(dir, "empty.txt"), "--out", out], /empty\.txt: the corpus has no text/);
    writeFileSync(join(dir, "weights.bin"), Buffer.from([0, 1, 2, 255, 254]));
    await fails(
      ["--corpus", join(dir, "weights.bin"), "--out", out],
      /weights\.bin: the corpus is not UTF-8 text/,
    );
    await fails(
      ["--family", "bert", "--corpus", corpus, "--out", out],
      /--family.*bert.*llama, mistral, qwen2, qwen3/s,
    );
    const full = join(dir, "full");
    await curio(["init-model", "--corpus", corpus, "--out", full]);
    writeFileSync(join(full, "notes.txt"), "mine");
    await fails(["--corpus", corpus, "--out", full], /--out .*full is not empty; give a new folder/);
    assert.equal(readFileSync(join(full, "notes.txt"), "utf8"), "mine");
  } finally {
    cleanup();
  }
});
