// naturalness: redteam scores with the attacker's own loaded model in its reference mode (no second copy), and
// records what a reference model loaded apart gives for the same test cases, in every epoch (after training too).
import assert from "node:assert/strict";
import { test } from "node:test";
import { ReferenceNaturalness } from "../../src/attack/index.js";
import { runCampaign } from "../../src/campaign/index.js";
import { parseConfig } from "../../src/config/index.js";
import { RunStore } from "../../src/store/index.js";
import { TINY_MODEL, tinyConfig, writeConfig } from "./helpers.js";

test("naturalness: redteam shares the red team's model and records the as-loaded model's N(x) after training", async () => {
  const { workspace } = writeConfig({});
  const store = RunStore.open(workspace);
  const lines: string[] = [];
  const apart = await ReferenceNaturalness.load(TINY_MODEL);
  try {
    const config = parseConfig(
      {
        ...tinyConfig({
          redteam: { ...(tinyConfig().redteam as object), trainable: { type: "full" } },
          ppo: { epochs: 2, numRollouts: 8, batchSize: 4, ppoEpochs: 1, lr: 1e-2 },
        }),
        workspace,
      },
      "t",
    );
    const { run } = await runCampaign({ config, store, log: (l) => lines.push(l) });
    assert.ok(lines.includes("naturalness: scored with the red-team model as loaded"), lines.join("\n"));
    assert.ok(!lines.some((l) => l.startsWith("loading the reference model")), "no second model is loaded");
    const samples = [...store.samples(run.id)];
    const want = await apart.naturalness(samples.map((s) => s.testCase));
    assert.ok(samples.some((s) => s.epoch === 2 && s.rewards?.raw?.naturalness !== undefined));
    samples.forEach((s, i) => {
      const got = s.rewards?.raw?.naturalness;
      if (s.rewards === null || want[i] === null) return;
      assert.ok(Math.abs(got! - want[i]!) < 1e-5, `sample ${i} (epoch ${s.epoch}): ${got} vs ${want[i]}`);
    });
  } finally {
    await apart.release();
    store.close();
  }
});
