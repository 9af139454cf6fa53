import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { GfnTrainer, type Trajectory } from "../../src/attack/gfn/index.js";
import { DecoderPolicy } from "../../src/models/index.js";
import { assertClose, FIXTURES, TINY } from "../models/helpers.js";
import { trainerConfig } from "./gfn-helpers.js";

// scripts/fixtures/gfn_reference.py: the trajectory-balance loss on the tiny GPT-2 + a peft LoRA adapter + a
// log-Z head over the mean-pooled prompt, in float64 transformers + peft
interface TbFixture {
  prompts: number[][];
  responses: number[][];
  log_reward: number[];
  log_z_weight: number[];
  log_z_bias: number;
  sum_logpf: number[];
  log_z: number[];
  loss: number;
  ref_logprobs: number[][];
  grads: Record<string, number[]>;
  grad_log_z_weight: number[];
  grad_log_z_bias: number;
}

const f = JSON.parse(
  readFileSync(new URL("./gfn-fixtures/tb_step.json", import.meta.url), "utf8"),
) as TbFixture;
const ADAPTER = join(FIXTURES, "tiny-gpt2-peft", "adapter");

function transposed(x: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j]!;
  return out;
}

async function fixtureTrainer(): Promise<{ trainer: GfnTrainer; policy: DecoderPolicy }> {
  const policy = await DecoderPolicy.load(TINY, { adapter: ADAPTER, threads: 1 });
  const trainer = new GfnTrainer(policy, trainerConfig());
  trainer.logZ.weight.data.set(f.log_z_weight);
  trainer.logZ.bias.data[0] = f.log_z_bias;
  trainer.logZ.initialised = true;
  return { trainer, policy };
}

const rows = () =>
  f.prompts.map((promptIds, i) => ({ promptIds, responseIds: f.responses[i]!, logReward: f.log_reward[i]! }));

test("trajectory balance on the tiny GPT-2 + LoRA: loss, log Z, sum log p and every gradient match transformers + peft", async () => {
  const { trainer, policy } = await fixtureTrainer();
  try {
    const r = await trainer.minibatch(rows(), rows().length);
    assertClose([r.loss], [f.loss], 1e-3, "loss");
    assertClose(r.logZ.slice(0, 3), f.log_z, 1e-5, "log Z(z)");
    assertClose(r.sumLogpf.slice(0, 3), f.sum_logpf, 1e-4, "sum_t log p_theta(x_t | z, x_<t)");
    const names = [...policy.params(), ...trainer.logZ.params()].map((p) => p.name);
    const grad = (name: string) => r.grads[names.indexOf(name)]!;
    let layers = 0;
    for (const [module, l] of policy.loraLayers) {
      const [inF, rank] = policy.param(l.A)!.shape as [number, number];
      const outF = policy.param(l.B)!.shape[1]!;
      const peft = `base_model.model.transformer.${module}`;
      for (const [got, want, what] of [
        [transposed(grad(l.A), inF, rank), f.grads[`${peft}.lora_A.weight`]!, "A"],
        [transposed(grad(l.B), rank, outF), f.grads[`${peft}.lora_B.weight`]!, "B"],
      ] as const) {
        const scale = Math.max(...want.map(Math.abs));
        assertClose(
          got.map((x) => x / scale),
          want.map((x) => x / scale),
          1e-4,
          `d loss / d ${module} lora ${what} (relative to max ${scale.toExponential(2)})`,
        );
      }
      layers++;
    }
    assert.equal(layers, 4, "c_attn and mlp.c_proj in both blocks");
    const wScale = Math.max(...f.grad_log_z_weight.map(Math.abs));
    assertClose(
      grad("gfn.log_z.weight").map((x) => x / wScale),
      f.grad_log_z_weight.map((x) => x / wScale),
      1e-4,
      "d loss / d log-Z weight",
    );
    assertClose(grad("gfn.log_z.bias"), [f.grad_log_z_bias], 1e-3, "d loss / d log-Z bias");
  } finally {
    await trainer.release();
    await policy.release();
  }
});

test("reference log-probs (adapter off) match transformers + peft's disable_adapter", async () => {
  const { trainer, policy } = await fixtureTrainer();
  try {
    const trajs: Trajectory[] = f.prompts.map((promptIds, i) => ({
      prompt: promptIds,
      promptIds,
      responseIds: f.responses[i]!,
      text: "",
      finishReason: "stop",
      logprobs: [],
      temperature: 1,
      terminator: [],
    }));
    const ref = await trainer.referenceLogprobs(trajs);
    assertClose(
      ref.flatMap((r) => [...r]),
      f.ref_logprobs.flat(),
      1e-5,
      "log p_ref(x_t | z, x_<t)",
    );
  } finally {
    await trainer.release();
    await policy.release();
  }
});

test("the gradient matches central finite differences of the compiled loss", async () => {
  const { trainer, policy } = await fixtureTrainer();
  try {
    const all = [...policy.params(), ...trainer.logZ.params()];
    const r = await trainer.minibatch(rows(), 3);
    // the bias, and the largest entry of one LoRA factor and of the head's weight
    const picks = ["gfn.log_z.bias", "gfn.log_z.weight", all[0]!.name].map((name) => {
      const i = all.findIndex((p) => p.name === name);
      const g = r.grads[i]!;
      let at = 0;
      g.forEach((x, j) => {
        if (Math.abs(x) > Math.abs(g[at]!)) at = j;
      });
      return { p: all[i]!, at, analytic: g[at]! };
    });
    for (const { p, at, analytic } of picks) {
      const eps = 1e-3;
      const x0 = p.data[at]!;
      p.data[at] = x0 + eps;
      const up = (await trainer.minibatch(rows(), 3)).loss;
      p.data[at] = x0 - eps;
      const down = (await trainer.minibatch(rows(), 3)).loss;
      p.data[at] = x0;
      const numeric = (up - down) / (2 * eps);
      assert.ok(
        Math.abs(numeric - analytic) <= 2e-2 * Math.max(1, Math.abs(analytic)),
        `${p.name}[${at}]: finite difference ${numeric} vs gradient ${analytic}`,
      );
    }
  } finally {
    await trainer.release();
    await policy.release();
  }
});
