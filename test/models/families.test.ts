// Llama (sharded, llama3 RoPE), Qwen2 (BF16, QKV biases, two EOS ids) and Qwen3 (q/k norms, head_dim 16) against
// real transformers + peft (scripts/fixtures/families_reference.py): logits, greedy generation, one SGD step of
// `curio sft`, LoRA gradients and the PEFT adapter export.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DecoderPolicy, loadModelConfig, readSafeTensors } from "../../src/models/index.js";
import { lmBatchFeeds, lmLossGraph } from "../../src/models/sft.js";
import { assertClose, FIXTURES, oneSgdStepArgs, paddedLogits, runSftCli, tempDir } from "./helpers.js";

const FAMILIES = [
  { name: "tiny-llama", modelType: "llama", tied: false },
  { name: "tiny-qwen2", modelType: "qwen2", tied: true },
  { name: "tiny-qwen3", modelType: "qwen3", tied: false },
];

async function goldenOf(name: string) {
  const { tensors } = await readSafeTensors(join(FIXTURES, name, "golden.safetensors"));
  const get = (k: string) => {
    const t = tensors.get(k);
    if (!t) throw new Error(`golden tensor ${k} missing; rerun scripts/fixtures/families_reference.py`);
    return t;
  };
  return {
    tensors,
    f32: (k: string) => get(k).data as Float32Array,
    ints: (k: string) => Array.from(get(k).data as BigInt64Array, Number),
    shape: (k: string) => get(k).shape,
  };
}

/** Transposes a [rows, cols] matrix. */
function transposed(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

for (const fam of FAMILIES) {
  const dir = join(FIXTURES, fam.name);

  test(`${fam.name}: logits of a left-padded [2,100] batch match transformers within 1e-4`, async () => {
    const G = await goldenOf(fam.name);
    const [B, T] = G.shape("logits.ids") as [number, number];
    const mask = G.ints("logits.mask");
    const policy = await DecoderPolicy.load(dir, { trainable: { kind: "none" }, threads: 1 });
    try {
      assert.equal(policy.config.modelType, fam.modelType);
      assert.equal(policy.config.tiedHead, fam.tied);
      const V = policy.config.vocabSize;
      const r = await paddedLogits(policy, G.ints("logits.ids"), mask, B, T);
      const real = (x: Float32Array) => x.filter((_, i) => mask[Math.floor(i / V)] === 1);
      assert.ok(mask.includes(0), "the fixture batch is padded");
      assertClose(real(r.logits!.data as Float32Array), real(G.f32("logits.logits")), 1e-4, "logits");
      const row0 = await policy.logits([G.ints("logits.ids").slice(0, T)]);
      assertClose(row0.data, G.f32("logits.logits").subarray(0, T * V), 1e-4, "logits() row 0");
    } finally {
      await policy.release();
    }
  });

  test(`${fam.name}: greedy generation of an uneven left-padded batch gives transformers' generate tokens`, async () => {
    const G = await goldenOf(fam.name);
    const prompts = [0, 1, 2].map((i) => G.ints(`greedy.prompt.${i}`));
    const policy = await DecoderPolicy.load(dir, { trainable: { kind: "none" }, threads: 1 });
    try {
      for (const useCache of [true, false]) {
        const gens = await policy.generate(prompts, { maxNewTokens: 12, greedy: true, useCache });
        gens.forEach((g, i) => {
          assert.deepEqual(g.ids, G.ints(`greedy.tokens.${i}`), `row ${i} (cache ${useCache})`);
        });
      }
      if (fam.name === "tiny-qwen2") {
        // generation_config.json lists two EOS ids; rows stop on either
        const gen = JSON.parse(readFileSync(join(dir, "generation_config.json"), "utf8"));
        assert.deepEqual(policy.config.eosTokenIds, gen.eos_token_id);
        const gens = await policy.generate(prompts, { maxNewTokens: 12, greedy: true });
        const stoppedBy = gens.filter((g) => g.finishReason === "eos").map((g) => g.ids.at(-1)!);
        assert.ok(
          stoppedBy.includes(gen.eos_token_id[1]),
          `rows stopped by ${stoppedBy}: the second EOS id ends one`,
        );
      }
    } finally {
      await policy.release();
    }
  });

  test(`${fam.name}: one SGD step of curio sft --trainable full gives transformers' loss and weights within 1e-5`, async () => {
    const G = await goldenOf(fam.name);
    const out = tempDir();
    const summary = JSON.parse(
      await runSftCli(oneSgdStepArgs(dir, join(dir, "sft.jsonl"), out, ["--threads", "1"])),
    );
    assertClose([summary.losses[0]], G.f32("sft.loss"), 1e-5, "loss");
    const { tensors } = await readSafeTensors(join(out, "model.safetensors"));
    const want = [...G.tensors.keys()].filter((k) => k.startsWith("sft.after.")).map((k) => k.slice(10));
    assert.deepEqual([...tensors.keys()].sort(), want.sort(), "the saved names are transformers' names");
    for (const [name, t] of tensors) {
      assertClose(t.data as Float32Array, G.f32(`sft.after.${name}`), 1e-5, name);
    }
    const config = JSON.parse(readFileSync(join(out, "config.json"), "utf8"));
    assert.equal(config.model_type, fam.modelType);
    // the saved folder's config.json reads back as the same model (rope scaling, biases, heads, EOS ids)
    const again = await DecoderPolicy.load(out, { trainable: { kind: "none" }, threads: 1 });
    try {
      assert.deepEqual(again.config, (await loadModelConfig(dir)).config);
    } finally {
      await again.release();
    }
  });

  test(`${fam.name}: a peft adapter loads with peft's logits and LoRA gradients; the export equals peft's files`, async () => {
    const G = await goldenOf(fam.name);
    const adapterDir = join(FIXTURES, `${fam.name}-adapter`);
    const policy = await DecoderPolicy.load(dir, { adapter: adapterDir, threads: 1 });
    try {
      const t = policy.trainable;
      assert.ok(t.kind === "lora" && t.r === 4 && t.alpha === 8);
      const lids = G.ints("lora.logits.ids");
      assertClose((await policy.logits([lids])).data, G.f32("lora.logits"), 1e-4, "logits with the adapter");
      // the sft loss and d loss / d (A, B) on the sft batch
      const rows = readFileSync(join(dir, "sft.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).ids as number[]);
      const T = 32;
      const r = await policy.runCached(
        "test-lora",
        () => lmLossGraph(policy, rows.length, T),
        lmBatchFeeds(rows, T, 2),
      );
      assertClose(r.loss!.data as Float32Array, G.f32("lora.loss"), 1e-5, "loss");
      let n = 0;
      for (const [module, l] of policy.loraLayers) {
        const [inF, rank] = policy.param(l.A)!.shape as [number, number];
        const outF = policy.param(l.B)!.shape[1]!;
        const name = policy.family.peftName(module);
        const gA = transposed(r[`grad.${l.A}`]!.data as Float32Array, inF, rank); // [r,in]
        const gB = transposed(r[`grad.${l.B}`]!.data as Float32Array, rank, outF); // [out,r]
        assertClose(gA, G.f32(`lora.grad.${name}.lora_A.weight`), 1e-4, `${module} dA`);
        assertClose(gB, G.f32(`lora.grad.${name}.lora_B.weight`), 1e-4, `${module} dB`);
        n++;
      }
      assert.ok(n >= 4, "every targeted layer has its factors");
      // export: the same names, shapes and values as peft's save_pretrained
      const out = tempDir();
      await policy.savePeftAdapter(out);
      const ours = await readSafeTensors(join(out, "adapter_model.safetensors"));
      const peft = await readSafeTensors(join(adapterDir, "adapter_model.safetensors"));
      assert.deepEqual([...ours.tensors.keys()].sort(), [...peft.tensors.keys()].sort());
      for (const [k, tt] of peft.tensors) {
        assert.deepEqual(ours.tensors.get(k)!.shape, tt.shape, k);
        assert.deepEqual(
          Array.from(ours.tensors.get(k)!.data as Float32Array),
          Array.from(tt.data as Float32Array),
          k,
        );
      }
      assert.deepEqual(ours.metadata, peft.metadata);
      const cfgOurs = JSON.parse(readFileSync(join(out, "adapter_config.json"), "utf8"));
      const cfgPeft = JSON.parse(readFileSync(join(adapterDir, "adapter_config.json"), "utf8"));
      for (const k of [
        "peft_type",
        "task_type",
        "r",
        "lora_alpha",
        "fan_in_fan_out",
        "bias",
        "use_rslora",
        "use_dora",
      ]) {
        assert.deepEqual(cfgOurs[k], cfgPeft[k], k);
      }
      assert.deepEqual([...cfgOurs.target_modules].sort(), [...cfgPeft.target_modules].sort());
    } finally {
      await policy.release();
    }
  });
}

test("tiny-gpt2: peft (fan_in_fan_out) LoRA on c_attn + mlp.c_proj: logits, gradients and the export", async () => {
  const base = join(FIXTURES, "tiny-gpt2");
  const G = await goldenOf("tiny-gpt2-peft");
  const adapterDir = join(FIXTURES, "tiny-gpt2-peft", "adapter");
  const policy = await DecoderPolicy.load(base, { adapter: adapterDir, threads: 1 });
  try {
    assertClose(
      (await policy.logits([G.ints("lora.logits.ids")])).data,
      G.f32("lora.logits"),
      1e-4,
      "logits",
    );
    const padded = G.ints("lora.rows");
    const rows = [0, 1, 2].map((b) => padded.slice(b * 20, (b + 1) * 20).filter((x) => x >= 0));
    const r = await policy.runCached(
      "test-lora",
      () => lmLossGraph(policy, 3, 32),
      lmBatchFeeds(rows, 32, 299),
    );
    assertClose(r.loss!.data as Float32Array, G.f32("lora.loss"), 1e-5, "loss");
    assert.equal(policy.loraLayers.size, 4);
    for (const [module, l] of policy.loraLayers) {
      const [inF, rank] = policy.param(l.A)!.shape as [number, number];
      const outF = policy.param(l.B)!.shape[1]!;
      const name = `base_model.model.transformer.${module}`;
      assertClose(
        transposed(r[`grad.${l.A}`]!.data as Float32Array, inF, rank),
        G.f32(`lora.grad.${name}.lora_A.weight`),
        1e-4,
        `${module} dA`,
      );
      assertClose(
        transposed(r[`grad.${l.B}`]!.data as Float32Array, rank, outF),
        G.f32(`lora.grad.${name}.lora_B.weight`),
        1e-4,
        `${module} dB`,
      );
    }
    const out = tempDir();
    await policy.savePeftAdapter(out);
    const ours = await readSafeTensors(join(out, "adapter_model.safetensors"));
    const peft = await readSafeTensors(join(adapterDir, "adapter_model.safetensors"));
    for (const [k, t] of peft.tensors)
      assert.deepEqual(
        Array.from(ours.tensors.get(k)!.data as Float32Array),
        Array.from(t.data as Float32Array),
        k,
      );
    assert.equal(ours.tensors.size, peft.tensors.size);
    assert.equal(JSON.parse(readFileSync(join(out, "adapter_config.json"), "utf8")).fan_in_fan_out, true);
  } finally {
    await policy.release();
  }
});
