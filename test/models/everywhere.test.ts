// A model of any family goes everywhere a model goes: `curio run` with a Qwen3 attacker (LoRA on its default
// q_proj + v_proj) against a `local:` Llama target, end to end through the CLI.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import { RunStore } from "../../src/store/index.js";
import { CLI, ROOT, tinyConfig, writeConfig } from "../campaign/helpers.js";
import { FIXTURES } from "./helpers.js";

test("curio run: a Qwen3 red team against a local: Llama target records scored samples", async () => {
  const base = tinyConfig();
  const { path, workspace } = writeConfig({
    ...base,
    redteam: { ...(base.redteam as object), model: join(FIXTURES, "tiny-qwen3") },
    target: { id: `local:${join(FIXTURES, "tiny-llama")}`, max_new_tokens: 4, greedy: true },
    ppo: { epochs: 2, numRollouts: 8, batchSize: 4, ppoEpochs: 1, lr: 1e-3 },
  });
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "run", "-c", path, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: 120_000,
  });
  assert.equal(r.status, 0, `curio run failed:\n${r.stderr}\n${r.stdout}`);
  const store = RunStore.open(workspace, { readonly: true });
  try {
    const [run] = store.listRuns();
    const samples = [...store.samples(run!.id)];
    assert.equal(samples.length, 2 * 8);
    assert.deepEqual(
      samples.filter((s) => s.error !== null).map((s) => s.error),
      [],
      "the local target answered",
    );
    assert.ok(samples.some((s) => s.response.length > 0));
  } finally {
    store.close();
  }
});
