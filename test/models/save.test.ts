// save() writes a Hugging Face folder that loads back to the same model; checkpoints restore trainable params.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Gpt2Policy, loadCausalLM, readSafeTensors } from "../../src/models/index.js";
import { assertClose, golden, TINY, tempDir } from "./helpers.js";

test("save -> load round trip: LoRA merged into c_attn gives PyTorch's LoRA loss", async () => {
  const G = await golden();
  const [B, T] = G.shape("sft.ids") as [number, number];
  const ids = G.ints("sft.ids");
  const mask = G.ints("sft.mask");
  const policy = await Gpt2Policy.load(TINY, { trainable: { kind: "lora", r: 4, alpha: 8 } });
  for (const p of policy.params()) {
    const [, layer, factor] = /^h\.(\d)\.attn\.c_attn\.lora_([AB])$/.exec(p.name)!;
    p.data.set(G.f32(`lora.h.${layer}.${factor}`));
  }
  const dir = tempDir();
  await policy.save(dir);
  await policy.release();
  const cfg = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
  assert.equal(cfg.model_type, "gpt2");
  assert.equal(cfg.n_layer, 2);
  const { tensors } = await readSafeTensors(join(dir, "model.safetensors"));
  assert.ok([...tensors.keys()].every((n) => n.startsWith("transformer.")) && !tensors.has("lm_head.weight"));
  assert.ok([...tensors.values()].every((t) => t.dtype === "F32"));
  // the merged model, loaded through the public API, reproduces the LoRA model's loss from PyTorch
  const lm = await loadCausalLM(dir);
  let nll = 0;
  let count = 0;
  for (let b = 0; b < B; b++) {
    const row = ids.slice(b * T, (b + 1) * T).filter((_, t) => mask[b * T + t] === 1);
    const { data } = await lm.logits([row]);
    for (let t = 0; t + 1 < row.length; t++) {
      const l = data.subarray(t * 300, (t + 1) * 300);
      const max = Math.max(...l);
      nll -= l[row[t + 1]!]! - max - Math.log(l.reduce((s, x) => s + Math.exp(x - max), 0));
      count++;
    }
  }
  await lm.release();
  assertClose([nll / count], G.f32("lora.loss"), 1e-5, "merged LoRA loss");
});

test("checkpoints restore params and extra tensors; a mismatched policy is refused", async () => {
  const policy = await Gpt2Policy.load(TINY, {
    trainable: { kind: "lora", r: 4, alpha: 8 },
    valueHead: true,
    seed: 1,
  });
  const before = policy.params().map((p) => p.data.slice());
  const file = join(tempDir(), "ckpt.safetensors");
  await policy.saveCheckpoint(file, {
    "adamw.m.0": new Float32Array([1, 2, 3]),
    step: new Float32Array([7]),
  });
  for (const p of policy.params()) p.data.fill(0.25);
  const extra = await policy.loadCheckpoint(file);
  for (const [i, p] of policy.params().entries()) assert.deepEqual(p.data, before[i], p.name);
  assert.deepEqual(extra, { "adamw.m.0": new Float32Array([1, 2, 3]), step: new Float32Array([7]) });
  await policy.release();
  const other = await Gpt2Policy.load(TINY, { trainable: { kind: "top", k: 1 } });
  await assert.rejects(
    other.loadCheckpoint(file),
    /checkpoint has no tensor for param "h\.1\.ln_1\.weight".*saved with trainable/,
  );
  await assert.rejects(
    other.loadCheckpoint(join(TINY, "model.safetensors")),
    /not a curio policy checkpoint/,
  );
  await other.release();
});
