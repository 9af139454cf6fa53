// Checkpoint folders as the hub ships them, and bad ones: errors name the file, the folder and the fix.
import assert from "node:assert/strict";
import { copyFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DecoderPolicy, loadCausalLM, parseModelConfig } from "../../src/models/index.js";
import { FIXTURES, tempDir } from "./helpers.js";

const LLAMA = join(FIXTURES, "tiny-llama");
const QWEN3 = join(FIXTURES, "tiny-qwen3");

function copyOf(src: string, files: string[]): string {
  const dir = tempDir();
  for (const f of files) copyFileSync(join(src, f), join(dir, f));
  return dir;
}

const config = (dir: string) => JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));

test("a sharded checkpoint with a missing shard names the shard and the folder", async () => {
  const dir = copyOf(LLAMA, [
    "config.json",
    "tokenizer.json",
    "model.safetensors.index.json",
    "model-00001-of-00003.safetensors",
    "model-00003-of-00003.safetensors",
  ]);
  await assert.rejects(
    DecoderPolicy.load(dir),
    (e: Error) =>
      e.message.includes(dir) &&
      /missing shard model-00002-of-00003\.safetensors \(listed in model\.safetensors\.index\.json\)/.test(
        e.message,
      ),
  );
  rmSync(join(dir, "model.safetensors.index.json"));
  await assert.rejects(
    DecoderPolicy.load(dir),
    /has neither model\.safetensors nor model\.safetensors\.index\.json/,
  );
});

test("a missing tokenizer file or config.json names the file and the folder", async () => {
  const dir = copyOf(QWEN3, ["config.json", "model.safetensors"]);
  await assert.rejects(
    loadCausalLM(dir),
    (e: Error) => e.message.includes(dir) && /is missing tokenizer\.json/.test(e.message),
  );
  const noConfig = copyOf(QWEN3, ["tokenizer.json", "model.safetensors"]);
  await assert.rejects(
    loadCausalLM(noConfig),
    (e: Error) => e.message.includes(noConfig) && /is missing config\.json/.test(e.message),
  );
});

test("weights saved as pytorch_model.bin only: the error says to save them as safetensors", async () => {
  const dir = copyOf(QWEN3, ["config.json", "tokenizer.json"]);
  copyFileSync(join(QWEN3, "model.safetensors"), join(dir, "pytorch_model.bin"));
  await assert.rejects(
    loadCausalLM(dir),
    /has neither model\.safetensors nor .*\(pytorch_model\.bin is not read; save the model with safe_serialization\)/,
  );
});

test("a generation_config.json EOS id outside the vocabulary names that file", async () => {
  const dir = copyOf(QWEN3, ["config.json", "tokenizer.json", "model.safetensors"]);
  writeFileSync(join(dir, "generation_config.json"), JSON.stringify({ eos_token_id: [2, 5000] }));
  await assert.rejects(
    loadCausalLM(dir),
    /generation_config\.json: token id 5000 is outside the vocabulary \(vocab_size 96\)/,
  );
});

test("unsupported config options and dtypes say which", async () => {
  const raw = config(LLAMA);
  const bad = (edit: Record<string, unknown>) => () => parseModelConfig({ ...raw, ...edit }, "config.json");
  assert.throws(
    bad({ rope_parameters: { rope_type: "yarn", rope_theta: 1000, factor: 2 } }),
    /rope_scaling type "yarn" is not supported \(supported: default, linear, llama3\)/,
  );
  assert.throws(
    bad({ rope_parameters: undefined, rope_scaling: { type: "dynamic", factor: 2 } }),
    /"dynamic" is not supported/,
  );
  assert.throws(bad({ hidden_act: "gelu" }), /hidden_act "gelu" is not supported \(only "silu"\)/);
  assert.throws(bad({ pretraining_tp: 2 }), /pretraining_tp 2 is not supported \(only 1\)/);
  assert.throws(
    bad({ partial_rotary_factor: 0.5 }),
    /partial_rotary_factor 0\.5 is not supported \(only 1: RoPE on the whole head\)/,
  );
  assert.throws(
    bad({ rope_parameters: { full_attention: { rope_type: "default", rope_theta: 1e4 } } }),
    /per-layer-type rope_parameters are not supported/,
  );
  assert.throws(
    bad({ rope_parameters: { rope_type: "llama3", rope_theta: 1000 } }),
    /rope_scaling\.factor must be a number > 0, got undefined/,
  );
  assert.throws(
    () => parseModelConfig({ ...config(QWEN3), head_dim: 15 }, "config.json"),
    /head_dim 15 must be even for rotary embeddings/,
  );
  assert.throws(
    bad({ model_type: undefined }),
    /config\.json: no "model_type" .*; supported: gpt2 \(.*\), llama \(.*\), mistral \(.*\), qwen2 \(.*\), qwen3/,
  );
  assert.throws(
    bad({ num_key_value_heads: 3 }),
    /num_attention_heads \(4\) must be a multiple of num_key_value_heads \(3\)/,
  );
  assert.throws(
    () => parseModelConfig({ ...config(QWEN3), use_sliding_window: true }),
    /sliding-window attention \(use_sliding_window \/ layer_types\) is not supported/,
  );
  // Mistral's window caps the usable positions instead (exact within the window)
  const mistral = parseModelConfig({ ...raw, model_type: "mistral", sliding_window: 64 }).config;
  assert.equal(mistral.maxPositions, 64);
  // a weight stored as an integer type
  const dir = copyOf(QWEN3, ["config.json", "tokenizer.json", "model.safetensors"]);
  const buf = readFileSync(join(dir, "model.safetensors"));
  const len = Number(buf.readBigUInt64LE(0));
  const header = buf
    .subarray(8, 8 + len)
    .toString()
    .replace('"model.norm.weight":{"dtype":"F32"', '"model.norm.weight":{"dtype":"I32"');
  writeFileSync(
    join(dir, "model.safetensors"),
    Buffer.concat([buf.subarray(0, 8), Buffer.from(header), buf.subarray(8 + len)]),
  );
  await assert.rejects(
    DecoderPolicy.load(dir),
    /tensor "model\.norm\.weight" has dtype I32; expected a float type \(F32\/F16\/BF16\)/,
  );
});

test("a checkpoint whose config does not match its tensors names the tensor", async () => {
  const dir = copyOf(QWEN3, ["config.json", "tokenizer.json", "model.safetensors"]);
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config(QWEN3), head_dim: 8 }));
  await assert.rejects(
    DecoderPolicy.load(dir),
    /tensor "model\.layers\.0\.self_attn\.\w+\.weight" has shape \[\d+(,\d+)?\] but config\.json implies/,
  );
  writeFileSync(join(dir, "config.json"), JSON.stringify({ ...config(QWEN3), num_hidden_layers: 1 }));
  await assert.rejects(
    DecoderPolicy.load(dir),
    /unexpected tensor "model\.layers\.1\..*" for a qwen3 with 1 layers/,
  );
});
