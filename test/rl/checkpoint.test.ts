import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { loadTrainerState, saveTrainerState } from "../../src/rl/checkpoint.js";
import type { PpoTrainerState } from "../../src/rl/index.js";

test("trainer state survives a safetensors round trip", async () => {
  const dir = await mkdtemp(join(tmpdir(), "curio-ppo-"));
  try {
    const s: PpoTrainerState = {
      version: 1,
      params: {
        "h.0.attn.c_attn.lora_A": Float32Array.from([1, -2, 3.5]),
        "v_head.c_proj.bias": Float32Array.from([0.25]),
      },
      optimizer: {
        lr: 3e-5,
        step: 7,
        "exp_avg.0": Float32Array.from([0.1, 0.2, 0.3]),
        "exp_avg_sq.0": Float32Array.from([1, 2, 3]),
      },
      kl: { kind: "adaptive", value: 0.0123, target: 6, horizon: 10000 },
      rng: 4294967295,
      optimizerSteps: 7,
      epochs: 2,
    };
    const path = join(dir, "ppo.safetensors");
    await saveTrainerState(path, s);
    assert.deepEqual(await loadTrainerState(path), s);
    await writeFile(join(dir, "bad.safetensors"), Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d]));
    await assert.rejects(loadTrainerState(join(dir, "bad.safetensors")), /not a curio PPO state/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
