// The family-agnostic policy: one array per frozen tensor shared by every graph, top-K blocks of a Llama, and
// LoRA on [out,in] linears merged into a saved model that reloads with the same logits.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { Graph } from "../../src/engine/index.js";
import { DecoderPolicy } from "../../src/models/index.js";
import { Rng } from "../../src/util/rng.js";
import { assertClose, FIXTURES, tempDir } from "./helpers.js";

const LLAMA = join(FIXTURES, "tiny-llama");
const QWEN3 = join(FIXTURES, "tiny-qwen3");

function build(policy: DecoderPolicy, reference: boolean): Graph {
  const g = new Graph();
  const inp = {
    ids: g.input("ids", "int64", [2, 8]),
    attentionMask: g.input("mask", "int64", [2, 8]),
    positionIds: g.input("pos", "int64", [2, 8]),
  };
  g.output("logits", policy.lmHead(g, policy.hidden(g, { ...inp, reference }), { reference }));
  return g;
}

test("every graph is handed the same one array per frozen tensor; trained weights' reference is the loaded array", async () => {
  const policy = await DecoderPolicy.load(LLAMA, { trainable: { kind: "top", k: 1 }, threads: 1 });
  try {
    const trained = new Set(policy.params().map((p) => p.name));
    for (const g of [build(policy, false), build(policy, true), build(policy, false)]) {
      for (const n of g.nodes.filter((x) => x.op === "weight")) {
        const name = n.attrs.name!.replace(/^ref\./, "");
        assert.equal(n.attrs.data, policy.weights.get(name).data, `${n.attrs.name} is the loaded array`);
      }
      // the policy graph feeds trained weights as params; the reference graph has them frozen under ref.*
      const params = g.nodes.filter((x) => x.op === "param").map((x) => x.attrs.name);
      assert.ok(params.every((p) => trained.has(p!)));
    }
    for (const p of policy.params())
      assert.notEqual(p.data, policy.weights.get(p.name).data, `${p.name} trains a copy`);
  } finally {
    await policy.release();
  }
});

test("top:K on a Llama trains the last K blocks and the final norm, nothing else", async () => {
  const policy = await DecoderPolicy.load(LLAMA, { trainable: { kind: "top", k: 1 }, threads: 1 });
  try {
    const names = policy.params().map((p) => p.name);
    assert.ok(names.includes("model.norm.weight"));
    assert.ok(names.includes("model.layers.1.self_attn.q_proj.weight"));
    assert.ok(
      !names.some((n) => n.startsWith("model.layers.0.") || n.includes("embed") || n === "lm_head.weight"),
    );
    assert.equal(names.length, 1 + 9); // norm + layer 1: 2 norms, q/k/v/o, gate/up/down
  } finally {
    await policy.release();
  }
  await assert.rejects(
    DecoderPolicy.load(LLAMA, { trainable: { kind: "lora", r: 2, alpha: 4, targets: ["c_attn"] } }),
    /LoRA targets c_attn match no llama layer; valid: q_proj, k_proj, v_proj, o_proj, gate_proj, up_proj, down_proj/,
  );
});

test("LoRA on every [out,in] projection: the saved (merged) model reloads with the adapted logits", async () => {
  const targets = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];
  const policy = await DecoderPolicy.load(QWEN3, {
    trainable: { kind: "lora", r: 2, alpha: 3, targets },
    threads: 1,
  });
  const dir = tempDir();
  try {
    assert.equal(policy.loraLayers.size, 2 * 7);
    const rng = new Rng(3);
    for (const p of policy.params())
      for (let i = 0; i < p.data.length; i++) p.data[i] = (rng.next() - 0.5) * 0.2;
    const ids = [[5, 9, 14, 3, 77, 12, 40, 8]];
    const adapted = await policy.logits(ids);
    await policy.save(dir);
    const merged = await DecoderPolicy.load(dir, { trainable: { kind: "none" }, threads: 1 });
    try {
      assertClose((await merged.logits(ids)).data, adapted.data, 1e-4, "merged logits");
    } finally {
      await merged.release();
    }
    const base = await DecoderPolicy.load(QWEN3, { trainable: { kind: "none" }, threads: 1 });
    try {
      const d = (await base.logits(ids)).data.reduce(
        (m, v, i) => Math.max(m, Math.abs(v - adapted.data[i]!)),
        0,
      );
      assert.ok(d > 1e-2, `the adapters change the logits (${d})`);
    } finally {
      await base.release();
    }
  } finally {
    await policy.release();
  }
});
