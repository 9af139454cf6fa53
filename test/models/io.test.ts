// safetensors, config.json and tokenizer.json: decoding against hand-computed bytes, and clear errors.
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  Gpt2Policy,
  loadModelConfig,
  loadTokenizer,
  parseModelConfig,
  parseSafeTensors,
  readSafeTensors,
  serializeSafeTensors,
} from "../../src/models/index.js";
import { TINY, tempDir } from "./helpers.js";

/** A safetensors file written by hand: header JSON + raw little-endian bytes. */
function handMade(entries: { name: string; dtype: string; shape: number[]; bytes: number[] }[]): Buffer {
  let off = 0;
  const header: Record<string, unknown> = {};
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [off, off + e.bytes.length] };
    off += e.bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, Buffer.from(entries.flatMap((e) => e.bytes))]);
}

test("safetensors: F16, BF16 and F32 decode to float32, I64 to BigInt64Array", () => {
  const buf = handMade([
    // F16: 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, smallest subnormal 0x0001 = 2^-24
    { name: "h", dtype: "F16", shape: [4], bytes: [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38, 0x01, 0x00] },
    // BF16: 1.0 = 0x3f80, -3.0 = 0xc040
    { name: "b", dtype: "BF16", shape: [2], bytes: [0x80, 0x3f, 0x40, 0xc0] },
    // F32 1.5 = 0x3fc00000
    { name: "f", dtype: "F32", shape: [1], bytes: [0x00, 0x00, 0xc0, 0x3f] },
    { name: "i", dtype: "I64", shape: [1, 1], bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff] },
  ]);
  const { tensors } = parseSafeTensors(buf);
  assert.deepEqual(Array.from(tensors.get("h")!.data as Float32Array), [1, -2, 0.5, 2 ** -24]);
  assert.deepEqual(Array.from(tensors.get("b")!.data as Float32Array), [1, -3]);
  assert.deepEqual(Array.from(tensors.get("f")!.data as Float32Array), [1.5]);
  assert.deepEqual(Array.from(tensors.get("i")!.data as BigInt64Array), [-1n]);
  assert.deepEqual(tensors.get("i")!.shape, [1, 1]);
});

test("safetensors: write -> read round trip with metadata; the data section is 8-byte aligned", () => {
  const buf = serializeSafeTensors(
    [
      ["a", { data: new Float32Array([1, 2, 3, 4, 5, 6]), shape: [2, 3] }],
      ["n", { data: new BigInt64Array([7n, -8n]), shape: [2] }],
    ],
    { format: "pt" },
  );
  assert.equal(Number(buf.readBigUInt64LE(0)) % 8, 0);
  const header = JSON.parse(buf.subarray(8, 8 + Number(buf.readBigUInt64LE(0))).toString());
  assert.deepEqual(header.a, { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
  assert.deepEqual(header.n, { dtype: "I64", shape: [2], data_offsets: [24, 40] });
  const { tensors, metadata } = parseSafeTensors(buf);
  assert.deepEqual(metadata, { format: "pt" });
  assert.deepEqual(Array.from(tensors.get("a")!.data as Float32Array), [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(Array.from(tensors.get("n")!.data as BigInt64Array), [7n, -8n]);
});

test("safetensors: bad files give errors naming the file and tensor", async () => {
  const dir = tempDir();
  const file = join(dir, "bad.safetensors");
  writeFileSync(file, Buffer.from([1, 2, 3]));
  await assert.rejects(readSafeTensors(file), /bad\.safetensors: not a safetensors file: 3 bytes/);
  const good = handMade([{ name: "w", dtype: "F32", shape: [2], bytes: [0, 0, 0, 0, 0, 0, 0, 0] }]);
  writeFileSync(file, good.subarray(0, good.length - 4));
  await assert.rejects(
    readSafeTensors(file),
    /bad\.safetensors: tensor "w": data_offsets \[0, 8\].*truncated or corrupt/,
  );
  writeFileSync(file, handMade([{ name: "w", dtype: "U8", shape: [1], bytes: [0] }]));
  await assert.rejects(readSafeTensors(file), /tensor "w": dtype U8 is not supported/);
  await assert.rejects(
    readSafeTensors(join(dir, "missing.safetensors")),
    /missing\.safetensors: cannot read the file/,
  );
});

test("model weights: a wrong shape or a missing tensor names the tensor", async () => {
  const dir = tempDir();
  for (const f of ["config.json", "tokenizer.json"]) copyFileSync(join(TINY, f), join(dir, f));
  const { tensors } = await readSafeTensors(join(TINY, "model.safetensors"));
  const entries = [...tensors] as [string, { data: Float32Array; shape: number[] }][];
  const reshaped = entries.map(([n, t]): [string, { data: Float32Array; shape: number[] }] =>
    n === "transformer.h.1.mlp.c_fc.weight" ? [n, { data: t.data, shape: [128, 32] }] : [n, t],
  );
  writeFileSync(join(dir, "model.safetensors"), serializeSafeTensors(reshaped));
  await assert.rejects(
    Gpt2Policy.load(dir),
    /tensor "transformer\.h\.1\.mlp\.c_fc\.weight" has shape \[128,32\] but config\.json implies \[32,128\]/,
  );
  writeFileSync(
    join(dir, "model.safetensors"),
    serializeSafeTensors(entries.filter(([n]) => n !== "transformer.ln_f.bias")),
  );
  await assert.rejects(Gpt2Policy.load(dir), /missing 1 gpt2 tensor\(s\): transformer\.ln_f\.bias/);
});

test("config.json: other model types are refused with the supported list; bad values are named", async () => {
  const base: Record<string, unknown> = {
    model_type: "gpt2",
    vocab_size: 300,
    n_positions: 64,
    n_embd: 32,
    n_layer: 2,
    n_head: 4,
    eos_token_id: 7,
  };
  assert.throws(
    () => parseModelConfig({ ...base, bos_token_id: 50256 }),
    /bos_token_id 50256 is outside the vocabulary \(vocab_size 300\)/,
  );
  assert.deepEqual(parseModelConfig(base).config.eosTokenIds, [7]);
  assert.equal(parseModelConfig({ ...base, n_ctx: 99, n_positions: undefined }).config.maxPositions, 99);
  assert.throws(
    () => parseModelConfig({ ...base, model_type: "falcon" }),
    /model_type "falcon" is not supported; supported: gpt2 \(.*\), llama \(.*\), mistral \(.*\), qwen2 \(.*\), qwen3/,
  );
  assert.throws(
    () => parseModelConfig({ ...base, n_head: 5 }),
    /n_embd \(32\) must be divisible by n_head \(5\)/,
  );
  assert.throws(
    () => parseModelConfig({ ...base, n_layer: "2" }),
    /"n_layer" must be a positive integer, got "2"/,
  );
  const { config } = await loadModelConfig(TINY);
  assert.deepEqual(
    [config.vocabSize, config.maxPositions, config.width, config.layers, config.heads, config.headDim],
    [300, 64, 32, 2, 4, 8],
  );
  assert.deepEqual(
    [config.bosTokenId, config.eosTokenIds, config.norm],
    [299, [299], { kind: "layer", eps: 1e-5 }],
  );
  const dir = tempDir();
  writeFileSync(join(dir, "config.json"), "{not json");
  await assert.rejects(loadModelConfig(dir), /config\.json: not valid JSON/);
});

test("tokenizer.json: byte-level BPE round trip, eos = pad, and errors for bad files", async () => {
  const tok = await loadTokenizer(TINY, { eosId: 299, modelVocabSize: 300 });
  assert.equal(tok.eosId, 299);
  assert.equal(tok.padId, 299);
  assert.equal(tok.vocabSize, 300);
  const text = "Ask questions: 1. Why is the sky blue?\n2. Ünïcode ✓";
  const ids = tok.encode(text);
  assert.equal(tok.decode(ids), text);
  // "A" is byte 0x41, the 33rd printable byte: id 32 in GPT-2's byte order; merges make "Ask" shorter than 3 bytes
  assert.equal(tok.encode("A")[0], 32);
  assert.ok(tok.encode(" the").length === 1, "the merge for ' the' applies");
  assert.deepEqual(tok.encode("hi<|endoftext|>").slice(-1), [299]);
  const dir = tempDir();
  writeFileSync(join(dir, "tokenizer.json"), '{"version": "1.0"}');
  await assert.rejects(loadTokenizer(dir, { eosId: 0 }), /tokenizer\.json: no "model" section/);
  await assert.rejects(loadTokenizer(tempDir(), { eosId: 0 }), /tokenizer\.json: cannot read the tokenizer/);
  await assert.rejects(
    loadTokenizer(TINY, { eosId: 299, modelVocabSize: 200 }),
    /has 300 tokens but the model's vocab_size is 200/,
  );
});
