import assert from "node:assert/strict";
import { test } from "node:test";
import { gae, whiten } from "../../src/rl/gae.js";
import { assertClose, loadPpoFixture } from "./fixture.js";

test("gae: hand-computed two-token case (gamma 1, lambda 0.95)", () => {
  // delta1 = r1 - v1 = 1 - 0.5 = 0.5; delta0 = r0 + v1 - v0 = 0 + 0.5 - 0.2 = 0.3
  // A1 = 0.5; A0 = 0.3 + 0.95 * 0.5 = 0.775; returns = A + V
  const { advantages, returns } = gae([0, 1], [0.2, 0.5]);
  assertClose(advantages, [0.775, 0.5], 1e-12, "advantages");
  assertClose(returns, [0.975, 1.0], 1e-12, "returns");
});

test("gae: discount applies to the bootstrap value and the trace", () => {
  // gamma 0.5, lam 1: delta0 = 0 + 0.5*2 - 1 = 0; delta1 = 3 - 2 = 1; A0 = 0 + 0.5*1 = 0.5
  const { advantages } = gae([0, 3], [1, 2], { gamma: 0.5, lam: 1 });
  assertClose(advantages, [0.5, 1], 1e-12, "advantages");
});

test("gae + whitening match the PyTorch trlx reference on ragged rows", () => {
  const f = loadPpoFixture().gae;
  const rows = f.lengths.map((L, i) => {
    const r = f.rewards.slice(i * f.R, i * f.R + L);
    const v = f.values.slice(i * f.R, i * f.R + L);
    return gae(r, v, { gamma: f.gamma, lam: f.lam });
  });
  const pick = (flat: number[]) => f.lengths.flatMap((L, i) => flat.slice(i * f.R, i * f.R + L));
  assertClose(
    rows.flatMap((r) => [...r.advantages]),
    pick(f.advantages),
    1e-12,
    "advantages",
  );
  assertClose(
    rows.flatMap((r) => [...r.returns]),
    pick(f.returns),
    1e-12,
    "returns",
  );
  const adv = rows.map((r) => r.advantages);
  assertClose(
    whiten(adv).flatMap((r) => [...r]),
    pick(f.whitened_valid),
    1e-10,
    "whitened (valid tokens)",
  );
  assertClose(
    whiten(adv, { shiftMean: false }).flatMap((r) => [...r]),
    pick(f.whitened_valid_no_shift),
    1e-10,
    "whitened, shift_mean false",
  );
  assertClose(
    whiten(adv, { padTo: f.R }).flatMap((r) => [...r]),
    pick(f.whitened_padded),
    1e-10,
    "whitened (trlx: padding included)",
  );
});

test("whiten: mean 0 and unbiased variance 1 by hand", () => {
  // [1, 2, 3]: mean 2, unbiased var 1 -> [-1, 0, 1] (up to the 1e-8 epsilon)
  const [w] = whiten([[1, 2, 3]]);
  assertClose(w!, [-1, 0, 1], 1e-7, "whitened");
});

test("gae/whiten reject mismatched input", () => {
  assert.throws(() => gae([1, 2], [1]), /rewards has 2 tokens but values has 1/);
  assert.throws(() => whiten([[1]]), /at least 2 values/);
});
