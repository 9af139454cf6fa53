// SGD, AdamW and clipGradNorm against PyTorch (fixture from scripts/fixtures/engine_optim.py) and hand values.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { AdamW, clipGradNorm, type Optimizer, SGD } from "../../src/engine/index.js";

interface Fixture {
  init: number[][];
  grads: number[][][];
  optimizers: { name: string; steps: number[][][] }[];
  clip: { maxNorm: number; total: number; grads: number[][] }[];
}
const fx = JSON.parse(readFileSync(new URL("./fixtures/optim.json", import.meta.url), "utf8")) as Fixture;
const f32 = (xs: number[][]) => xs.map((x) => Float32Array.from(x));

function close(actual: Float32Array, expected: number[], what: string, tol = 2e-6): void {
  expected.forEach((e, i) => {
    assert.ok(
      Math.abs(actual[i]! - e) <= tol * (1 + Math.abs(e)),
      `${what}[${i}]: ${actual[i]} vs torch ${e}`,
    );
  });
}

const makers: Record<string, () => Optimizer> = {
  sgd: () => new SGD({ lr: 0.1 }),
  sgd_momentum_wd: () => new SGD({ lr: 0.05, momentum: 0.9, weightDecay: 0.1 }),
  adamw_default: () => new AdamW({ lr: 1e-2 }),
  adamw_custom: () => new AdamW({ lr: 3e-3, betas: [0.8, 0.95], eps: 1e-6, weightDecay: 0.5 }),
};
const schedules: Record<string, number[]> = { adamw_custom: [3e-3, 2e-3, 1e-3] };

for (const ref of fx.optimizers) {
  test(`${ref.name} matches torch.optim over ${ref.steps.length} steps`, () => {
    const opt = makers[ref.name]!();
    const params = f32(fx.init);
    ref.steps.forEach((expected, step) => {
      const lr = schedules[ref.name]?.[step];
      if (lr !== undefined) opt.lr = lr;
      opt.step(params, f32(fx.grads[step]!));
      expected.forEach((e, i) => {
        close(params[i]!, e, `${ref.name} step ${step + 1} param ${i}`);
      });
    });
  });

  test(`${ref.name}: state() / loadState() resumes exactly`, () => {
    const a = makers[ref.name]!();
    const params = f32(fx.init);
    const setLr = (o: Optimizer, step: number) => {
      const lr = schedules[ref.name]?.[step];
      if (lr !== undefined) o.lr = lr;
    };
    for (const step of [0, 1]) {
      setLr(a, step);
      a.step(params, f32(fx.grads[step]!));
    }
    const b = makers[ref.name]!();
    b.loadState(a.state());
    setLr(b, 2);
    b.step(params, f32(fx.grads[2]!));
    ref.steps[2]!.forEach((e, i) => {
      close(params[i]!, e, `${ref.name} resumed step 3 param ${i}`);
    });
  });
}

test("AdamW first step by hand: p (1 - lr wd) - lr g / (|g| + eps)", () => {
  const p = Float32Array.of(1, -2);
  const g = Float32Array.of(0.5, -4);
  new AdamW({ lr: 0.1, weightDecay: 0.2 }).step([p], [g]);
  // bias-corrected m / sqrt(v) = g / |g| on the first step
  close(p, [1 * 0.98 - 0.1 * (0.5 / (0.5 + 1e-8)), -2 * 0.98 + 0.1 * (4 / (4 + 1e-8))], "adamw hand");
});

test("SGD with momentum by hand", () => {
  const p = Float32Array.of(1);
  const sgd = new SGD({ lr: 0.5, momentum: 0.5 });
  sgd.step([p], [Float32Array.of(2)]); // buf 2, p = 1 - 1 = 0
  sgd.step([p], [Float32Array.of(2)]); // buf 0.5*2 + 2 = 3, p = 0 - 1.5
  assert.deepEqual([...p], [-1.5]);
});

test("optimisers reject mismatched params and grads", () => {
  assert.throws(() => new SGD({ lr: 1 }).step([new Float32Array(2)], []), /1 params but 0 grads/);
  assert.throws(
    () => new AdamW({ lr: 1 }).step([new Float32Array(2)], [new Float32Array(3)]),
    /param 0 has 2 elements but its grad has 3/,
  );
});

for (const ref of fx.clip) {
  test(`clipGradNorm(maxNorm ${ref.maxNorm}) matches torch.nn.utils.clip_grad_norm_`, () => {
    const grads = f32(fx.grads[0]!);
    const total = clipGradNorm(grads, ref.maxNorm);
    assert.ok(Math.abs(total - ref.total) < 1e-5 * ref.total, `total ${total} vs torch ${ref.total}`);
    ref.grads.forEach((e, i) => {
      close(grads[i]!, e, `clipped grad ${i}`);
    });
  });
}

test("clipGradNorm by hand: norm 5 clipped to 1", () => {
  const g = [Float32Array.of(3), Float32Array.of(0, 4)];
  assert.equal(clipGradNorm(g, 1), 5);
  close(g[0]!, [0.6], "g0", 1e-6);
  close(g[1]!, [0, 0.8], "g1", 1e-6);
});
