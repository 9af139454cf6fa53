// The GPT-2 graph against the PyTorch reference (scripts/fixtures/gpt2_reference.py).
import assert from "node:assert/strict";
import { copyFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Graph, gradients } from "../../src/engine/index.js";
import {
  Gpt2Policy,
  type ParamEntry,
  positions,
  readSafeTensors,
  serializeSafeTensors,
} from "../../src/models/index.js";
import { lmBatchFeeds, lmLossGraph } from "../../src/models/sft.js";
import { assertClose, golden, paddedLogits, TINY, tempDir } from "./helpers.js";

const V = 300;
const D = 32;

test("logits of a left-padded batch match PyTorch within 1e-4 (real positions)", async () => {
  const G = await golden();
  const [B, T] = G.shape("logits.ids") as [number, number];
  const mask = G.ints("logits.mask");
  const policy = await Gpt2Policy.load(TINY);
  try {
    const r = await paddedLogits(policy, G.ints("logits.ids"), mask, B, T);
    assert.deepEqual(r.logits!.dims, [B, T, V]);
    const got = r.logits!.data as Float32Array;
    const want = G.f32("logits.logits");
    const real = (x: Float32Array) => x.filter((_, i) => mask[Math.floor(i / V)] === 1);
    assert.ok(mask.includes(0), "the fixture batch is padded");
    assertClose(real(got), real(want), 1e-4, "logits");
    // logits() on the unpadded full-length row agrees too
    const row0 = G.ints("logits.ids").slice(0, T);
    const l0 = await policy.logits([row0]);
    assertClose(l0.data, want.subarray(0, T * V), 1e-4, "logits() row 0");
  } finally {
    await policy.release();
  }
});

test("logits() rejects rows of unequal length with a clear error", async () => {
  const policy = await Gpt2Policy.load(TINY);
  try {
    await assert.rejects(
      policy.logits([
        [1, 2, 3],
        [4, 5],
      ]),
      /equal length \(row 0 has 3 tokens, row 1 has 2\)/,
    );
    await assert.rejects(policy.logits([[1, 300]]), /token id 300 outside/);
  } finally {
    await policy.release();
  }
});

test("both weight-name layouts load (no prefix + attn.bias buffers + tied lm_head) and give the same logits", async () => {
  const dir = tempDir();
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"])
    copyFileSync(join(TINY, f), join(dir, f));
  const { tensors } = await readSafeTensors(join(TINY, "model.safetensors"));
  const renamed: [string, { data: Float32Array; shape: number[] }][] = [];
  for (const [name, t] of tensors) renamed.push([name.replace(/^transformer\./, ""), t as never]);
  const mask = new Float32Array(64 * 64).fill(1);
  renamed.push(["h.0.attn.bias", { data: mask, shape: [1, 1, 64, 64] }]);
  renamed.push(["h.1.attn.masked_bias", { data: new Float32Array([-1e4]), shape: [] }]);
  renamed.push([
    "lm_head.weight",
    { data: tensors.get("transformer.wte.weight")!.data as Float32Array, shape: [V, D] },
  ]);
  writeFileSync(join(dir, "model.safetensors"), serializeSafeTensors(renamed));
  const G = await golden();
  const T = G.shape("logits.ids")[1]!;
  const row0 = G.ints("logits.ids").slice(0, T);
  const policy = await Gpt2Policy.load(dir);
  try {
    assertClose(
      (await policy.logits([row0])).data,
      G.f32("logits.logits").subarray(0, T * V),
      1e-4,
      "hub layout",
    );
  } finally {
    await policy.release();
  }
  // an lm_head that is not the tied embedding is refused
  const untied = renamed.map(([n, t]): [string, { data: Float32Array; shape: number[] }] =>
    n === "lm_head.weight" ? [n, { data: t.data.map((x) => x + 1), shape: t.shape }] : [n, t],
  );
  writeFileSync(join(dir, "model.safetensors"), serializeSafeTensors(untied));
  await assert.rejects(Gpt2Policy.load(dir), /lm_head\.weight differs from the token embedding/);
});

test("loss and LoRA (r 4, alpha 8, c_attn) gradients match PyTorch", async () => {
  const G = await golden();
  const [B, T] = G.shape("sft.ids") as [number, number];
  const rows = unpadRows(G.ints("sft.ids"), G.ints("sft.mask"), B, T);
  const policy = await Gpt2Policy.load(TINY, { trainable: { kind: "lora", r: 4, alpha: 8 } });
  try {
    const names = policy.params().map((p) => p.name);
    assert.deepEqual(names, [
      "h.0.attn.c_attn.lora_A",
      "h.0.attn.c_attn.lora_B",
      "h.1.attn.c_attn.lora_A",
      "h.1.attn.c_attn.lora_B",
    ]);
    // peft init: B is zero, A is kaiming-uniform with bound 1/sqrt(in)
    const [A0, B0] = policy.params() as [ParamEntry, ParamEntry];
    assert.ok(B0.data.every((x) => x === 0));
    assert.ok(A0.data.every((x) => Math.abs(x) <= 1 / Math.sqrt(D)) && A0.data.some((x) => x !== 0));
    for (const p of policy.params()) {
      const [, layer, factor] = /^h\.(\d)\.attn\.c_attn\.lora_([AB])$/.exec(p.name)!;
      p.data.set(G.f32(`lora.h.${layer}.${factor}`));
    }
    const r = await policy.runCached(
      "test-lora",
      () => lmLossGraph(policy, B, T),
      lmBatchFeeds(rows, T, 299),
    );
    assertClose(r.loss!.data as Float32Array, G.f32("lora.loss"), 1e-5, "LoRA loss");
    for (const p of policy.params()) {
      const [, layer, factor] = /^h\.(\d)\.attn\.c_attn\.lora_([AB])$/.exec(p.name)!;
      assertClose(
        r[`grad.${p.name}`]!.data as Float32Array,
        G.f32(`lora.grad.h.${layer}.${factor}`),
        1e-5,
        p.name,
      );
    }
  } finally {
    await policy.release();
  }
});

test("LoRA scale 0 gives the base model (reference policy)", async () => {
  const G = await golden();
  const [B, T] = G.shape("sft.ids") as [number, number];
  const ids = G.ints("sft.ids");
  const mask = G.ints("sft.mask");
  const policy = await Gpt2Policy.load(TINY, { trainable: { kind: "lora", r: 4, alpha: 8 } });
  try {
    for (const p of policy.params()) {
      const [, layer, factor] = /^h\.(\d)\.attn\.c_attn\.lora_([AB])$/.exec(p.name)!;
      p.data.set(G.f32(`lora.h.${layer}.${factor}`));
    }
    const m = new BigInt64Array(mask.map(BigInt));
    const run = (scale: number) =>
      policy.runCached(
        "test-scale",
        () => {
          const g = new Graph();
          const h = policy.hidden(g, {
            ids: g.input("ids", "int64", [B, T]),
            attentionMask: g.input("mask", "int64", [B, T]),
            positionIds: g.input("pos", "int64", [B, T]),
            loraScale: g.input("scale", "float32", [1]),
          });
          g.output("logits", policy.lmHead(g, h));
          return g;
        },
        {
          ids: new BigInt64Array(ids.map(BigInt)),
          mask: m,
          pos: positions(m, B, T),
          scale: new Float32Array([scale]),
        },
      );
    const real = (x: Float32Array) => x.filter((_, i) => mask[Math.floor(i / V)] === 1);
    const off = (await run(0)).logits!.data as Float32Array;
    assertClose(real(off), real(G.f32("lora.scale0_logits")), 1e-4, "scale 0 logits");
    const on = (await run(1)).logits!.data as Float32Array;
    assert.ok(Math.abs(on[5]! - off[5]!) > 1e-3, "scale 1 differs from scale 0");
  } finally {
    await policy.release();
  }
});

test("value head outputs and gradients match PyTorch", async () => {
  const G = await golden();
  const [B, T] = G.shape("sft.ids") as [number, number];
  const mask = new BigInt64Array(G.ints("sft.mask").map(BigInt));
  const policy = await Gpt2Policy.load(TINY, { trainable: { kind: "top", k: 1 }, valueHead: true });
  try {
    const head = policy.params().filter((p) => p.name.startsWith("v_head."));
    assert.deepEqual(
      head.map((p) => [p.name, p.shape]),
      [
        ["v_head.c_fc.weight", [D, 2 * D]],
        ["v_head.c_fc.bias", [2 * D]],
        ["v_head.c_proj.weight", [2 * D, 1]],
        ["v_head.c_proj.bias", [1]],
      ],
    );
    const key = ["w1", "b1", "w2", "b2"];
    for (const [i, p] of head.entries()) p.data.set(G.f32(`vhead.${key[i]}`));
    const r = await policy.runCached(
      "test-vhead",
      () => {
        const g = new Graph();
        const h = policy.hidden(g, {
          ids: g.input("ids", "int64", [B, T]),
          attentionMask: g.input("mask", "int64", [B, T]),
          positionIds: g.input("pos", "int64", [B, T]),
        });
        const values = policy.valueHead(g, h); // [B,T]
        const loss = g.sum(g.mul(values, g.input("coef", "float32", [B, T])), [0, 1]);
        g.output("values", values);
        const all = policy.paramTensors(g);
        const grads = gradients(loss, all);
        for (const [i, p] of policy.params().entries()) g.output(`grad.${p.name}`, grads[i]!);
        return g;
      },
      {
        ids: new BigInt64Array(G.ints("sft.ids").map(BigInt)),
        mask,
        pos: positions(mask, B, T),
        coef: G.f32("vhead.coef"),
      },
    );
    assertClose(r.values!.data as Float32Array, G.f32("vhead.values"), 1e-4, "values");
    for (const [i, p] of head.entries()) {
      assertClose(r[`grad.${p.name}`]!.data as Float32Array, G.f32(`vhead.grad.${key[i]}`), 1e-4, p.name);
    }
  } finally {
    await policy.release();
  }
});

test("top:K makes the last K blocks and ln_f trainable; bad K is refused", async () => {
  const policy = await Gpt2Policy.load(TINY, { trainable: { kind: "top", k: 1 } });
  const names = policy.params().map((p) => p.name);
  assert.ok(names.every((n) => n.startsWith("h.1.") || n.startsWith("ln_f.")));
  assert.equal(names.length, 14);
  await policy.release();
  await assert.rejects(
    Gpt2Policy.load(TINY, { trainable: { kind: "top", k: 3 } }),
    /k must be an integer from 1 to the number of layers \(2\)/,
  );
  await assert.rejects(
    Gpt2Policy.load(TINY, { trainable: { kind: "lora", r: 4, alpha: 8, targets: ["q_proj"] } }),
    /LoRA targets q_proj match no gpt2 layer; valid: c_attn, c_proj, c_fc/,
  );
});

function unpadRows(ids: number[], mask: number[], B: number, T: number): number[][] {
  return Array.from({ length: B }, (_, b) =>
    ids.slice(b * T, (b + 1) * T).filter((_, t) => mask[b * T + t] === 1),
  );
}
