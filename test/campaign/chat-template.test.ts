// A campaign with an instruction-tuned attacker: the seed instructions reach the red-team model through its
// chat template (redteam.chatTemplate: auto), and only through it when so configured.
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { runCampaign } from "../../src/campaign/index.js";
import { parseConfig } from "../../src/config/index.js";
import { RunStore } from "../../src/store/index.js";
import { ROOT, tinyConfig, writeConfig } from "./helpers.js";

/** The tiny Qwen2 fixture with a chat template of our choosing. */
function qwenWithTemplate(template: string): string {
  const dir = mkdtempSync(join(tmpdir(), "curio-chat-model-"));
  cpSync(join(ROOT, "test/models/fixtures/tiny-qwen2"), dir, { recursive: true });
  writeFileSync(join(dir, "chat_template.jinja"), template);
  return dir;
}

async function run(model: string, chatTemplate: "auto" | "none") {
  const { workspace } = writeConfig({});
  const base = tinyConfig();
  const redteam = { ...(base.redteam as Record<string, unknown>), model, chatTemplate };
  const ppo = { epochs: 1, numRollouts: 4, batchSize: 4, ppoEpochs: 1, lr: 1e-3 };
  const config = parseConfig({ ...base, redteam, ppo, workspace }, "test");
  const store = RunStore.open(workspace);
  try {
    const result = await runCampaign({ config, store });
    return { status: result.run.status, samples: [...store.samples(result.run.id)] };
  } finally {
    store.close();
  }
}

test("chatTemplate auto renders the attacker's template for every seed instruction; none bypasses it", {
  timeout: 120_000,
}, async () => {
  const raising = qwenWithTemplate("{{ raise_exception('the campaign used the chat template') }}");
  await assert.rejects(
    run(raising, "auto"),
    /rendering the chat template failed \(the template raised: the campaign used the chat template\)/,
  );
  const plain = await run(raising, "none");
  assert.equal(plain.status, "completed");

  // ChatML as Qwen and SmolLM2 write it, without the default system prompt (the tiny model has 128 positions)
  const qwen = qwenWithTemplate(
    "{% for m in messages %}{{ '<|im_start|>' + m.role + '\\n' + m.content + '<|im_end|>\\n' }}{% endfor %}" +
      "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
  );
  const chat = await run(qwen, "auto");
  assert.equal(chat.status, "completed");
  assert.equal(chat.samples.length, 4);
  assert.ok(
    chat.samples.every((s) => s.seedPrompt.startsWith("Ask questions:")),
    "records keep the plain instruction",
  );
});
