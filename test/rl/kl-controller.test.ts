import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AdaptiveKlController,
  FixedKlController,
  klControllerFromState,
  makeKlController,
} from "../../src/rl/kl-controller.js";

test("fixed controller never moves", () => {
  const c = new FixedKlController(0.001);
  c.update(100, 64);
  assert.equal(c.value, 0.001);
});

test("adaptive controller follows the trlx formula (hand-computed)", () => {
  // init 0.1, target 6, horizon 10000
  const c = new AdaptiveKlController(0.1, 6, 10000);
  // current 9: error clip(0.5, +-0.2) = 0.2 -> mult 1 + 0.2 * 64 / 10000 = 1.00128
  c.update(9, 64);
  assert.ok(Math.abs(c.value - 0.100128) < 1e-15);
  // current 3: error -0.5 -> -0.2 -> mult 1 - 0.00128
  c.update(3, 64);
  assert.ok(Math.abs(c.value - 0.100128 * 0.99872) < 1e-15);
  // current 6.6: error 0.1 (inside the clip) -> mult 1 + 0.1 * 100 / 10000 = 1.001
  const d = new AdaptiveKlController(1, 6, 10000);
  d.update(6.6, 100);
  assert.ok(Math.abs(d.value - 1.001) < 1e-12);
});

test("state round trip and factory", () => {
  const c = makeKlController({ initKlCoef: 0.2, target: 1, horizon: 100 });
  assert.ok(c instanceof AdaptiveKlController);
  c.update(2, 10);
  const d = klControllerFromState(JSON.parse(JSON.stringify(c.state())));
  d.update(0.5, 10);
  c.update(0.5, 10);
  assert.equal(d.value, c.value);
  assert.ok(makeKlController({ initKlCoef: 0.001 }) instanceof FixedKlController);
  assert.throws(() => new AdaptiveKlController(0.1, 0, 10), /target must be > 0/);
});
