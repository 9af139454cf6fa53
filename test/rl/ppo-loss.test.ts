import assert from "node:assert/strict";
import { test } from "node:test";
import { Graph, gradients, Session } from "../../src/engine/index.js";
import { ppoLoss, ppoStatNames, tokenLogprobs } from "../../src/rl/ppo-loss.js";
import { assertClose, loadPpoFixture } from "./fixture.js";

test("PPO loss, stats and gradients w.r.t. logits and values match the PyTorch trlx reference", async () => {
  const f = loadPpoFixture().loss;
  const { B, R, V } = f;
  const g = new Graph({ floatType: "float64" });
  const logits = g.param("logits", [B, R, V]); // [B,R,V]
  const values = g.param("values", [B, R]); // [B,R]
  const labels = g.input("labels", "int64", [B, R]);
  const inp = (name: string) => g.input(name, "float64", [B, R]);
  const logprobs = tokenLogprobs(g, logits, labels); // [B,R]
  const out = ppoLoss(
    g,
    {
      logprobs,
      values,
      oldLogprobs: inp("old_logprobs"),
      oldValues: inp("old_values"),
      advantages: inp("advantages"),
      returns: inp("returns"),
      mask: inp("mask"),
    },
    { cliprange: f.cliprange, cliprangeValue: f.cliprange_value, vfCoef: f.vf_coef },
  );
  const [gLogits, gValues] = gradients(out.loss, [logits, values]);
  for (const name of ppoStatNames) g.output(name, out[name]);
  g.output("logprobs", logprobs);
  g.output("grad_logits", gLogits!);
  g.output("grad_values", gValues!);
  const session = await Session.create(g, { threads: 1 });
  try {
    const r = await session.run({
      logits: Float64Array.from(f.logits),
      values: Float64Array.from(f.values),
      labels: BigInt64Array.from(f.labels.map(BigInt)),
      old_logprobs: Float64Array.from(f.old_logprobs),
      old_values: Float64Array.from(f.old_values),
      advantages: Float64Array.from(f.advantages),
      returns: Float64Array.from(f.returns),
      mask: Float64Array.from(f.mask),
    });
    const scalar = (k: string) => Number(r[k]!.data[0]);
    const want: Record<string, number> = {
      loss: f.stats.loss!,
      pgLoss: f.stats.pg_loss!,
      vfLoss: f.stats.vf_loss!,
      approxKl: f.stats.approx_kl!,
      approxKlValid: f.stats.approx_kl_valid!,
      clipfrac: f.stats.clipfrac!,
      vfClipfrac: f.stats.vf_clipfrac!,
      ratioMean: f.stats.ratio_mean!,
      valuesError: f.stats.values_error!,
    };
    for (const k of ppoStatNames) assertClose([scalar(k)], [want[k]!], 1e-5, k);
    // the fixture must exercise both clipped branches, or the comparison proves little
    assert.ok(f.stats.clipfrac! > 0 && f.stats.vf_clipfrac! > 0);
    assertClose(r.logprobs!.data as Float64Array, f.logprobs, 1e-5, "logprobs");
    assertClose(r.grad_logits!.data as Float64Array, f.grad_logits, 1e-5, "d loss / d logits");
    assertClose(r.grad_values!.data as Float64Array, f.grad_values, 1e-5, "d loss / d values");
  } finally {
    await session.release();
  }
});
