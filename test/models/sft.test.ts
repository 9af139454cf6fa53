// sft (library and CLI) against the PyTorch reference: the loss and every weight after one SGD step.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { sftCommand } from "../../src/cli/commands/sft.js";
import { readSafeTensors } from "../../src/models/index.js";
import { sft } from "../../src/models/sft.js";
import { assertClose, FIXTURES, golden, oneSgdStepArgs, runSftCli, TINY, tempDir } from "./helpers.js";

test("curio sft: one full SGD step (lr 0.1) gives PyTorch's loss and weights within 1e-5", async () => {
  const G = await golden();
  const out = tempDir();
  const summary = JSON.parse(await runSftCli(oneSgdStepArgs(TINY, join(FIXTURES, "sft-batch.jsonl"), out)));
  assert.equal(summary.steps, 1);
  assertClose([summary.losses[0]], G.f32("sft.loss"), 1e-5, "loss");
  const { tensors } = await readSafeTensors(join(out, "model.safetensors"));
  let n = 0;
  for (const [name, t] of tensors) {
    assert.ok(name.startsWith("transformer."), `${name} has the transformer. prefix`);
    assertClose(t.data as Float32Array, G.f32(`sft.after.${name.slice(12)}`), 1e-5, name);
    n++;
  }
  assert.equal(n, 4 + 2 * 12 + 0, "every weight written, no lm_head");
  for (const f of ["config.json", "tokenizer.json", "tokenizer_config.json"]) {
    assert.ok((await import("node:fs")).existsSync(join(out, f)), `${f} written`);
  }
});

test("sft with LoRA and AdamW lowers the loss on repeated data; the saved model loads", async () => {
  const out = tempDir();
  const data = join(out, "data.jsonl");
  writeFileSync(
    data,
    `${['{"text": "Ask questions: 1. Why is the sky blue?"}', '{"text": "Tell me how to make a cake."}'].join("\n")}\n`,
  );
  const r = await sft({
    model: TINY,
    data,
    optimizer: "adamw",
    lr: 0.01,
    steps: 12,
    batchSize: 2,
    trainable: "lora:4:8",
    addEos: true,
    out: join(out, "m"),
  });
  assert.equal(r.losses.length, 12);
  assert.ok(r.finalLoss < r.losses[0]! - 0.5, `loss ${r.losses[0]} -> ${r.finalLoss}`);
  assert.equal(r.trainableParams, 2 * (32 * 4 + 4 * 96));
  const again = await sft({
    model: join(out, "m"),
    data,
    optimizer: "sgd",
    lr: 1e-9,
    steps: 1,
    batchSize: 2,
    trainable: "top:1",
  });
  assert.ok(Math.abs(again.losses[0]! - r.finalLoss) < 0.5, "the saved model carries the fine-tuning");
});

test("bad JSONL lines are reported with their line number", async () => {
  const dir = tempDir();
  const data = join(dir, "bad.jsonl");
  writeFileSync(data, '{"text": "fine"}\n\n{"ids": [1, 2, 999]}\n');
  await assert.rejects(
    sft({ model: TINY, data, steps: 1 }),
    /bad\.jsonl:3: token id 999 is outside \[0, 300\)/,
  );
  writeFileSync(data, '{"text": "fine"}\n{"prompt": "x"}\n');
  await assert.rejects(
    sft({ model: TINY, data, steps: 1 }),
    /bad\.jsonl:2: expected \{"text": "\.\.\."\} or \{"ids": \[\.\.\.\]\}/,
  );
  writeFileSync(data, "{oops\n");
  await assert.rejects(sft({ model: TINY, data, steps: 1 }), /bad\.jsonl:1: not valid JSON/);
  await assert.rejects(
    sftCommand()
      .exitOverride()
      .configureOutput({ writeErr: () => {} })
      .parseAsync(["--model", TINY, "--data", data, "--out", dir, "--trainable", "half"], { from: "user" }),
    /trainable "half" is not valid/,
  );
});
