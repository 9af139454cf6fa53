// Shared test helpers: a seeded RNG and a gradient check of engine gradients against central finite
// differences of the FORWARD graph, both run through onnxruntime in float64.
import assert from "node:assert/strict";
import { Graph, gradients, Session, type Tensor } from "../../src/engine/index.js";
import { makeRng } from "../../src/util/rng.js";

/** The shared seeded generator, as a function returning values in [0, 1). */
export const rng = makeRng;

export type Init = "normal" | "positive" | "awayFromZero";
export type ParamMaker = (shape: number[], init?: Init) => Tensor;

export interface GradCase {
  name: string;
  /** builds the op under test from params made with p(); returns its float output */
  build: (g: Graph, p: ParamMaker) => Tensor;
  step?: number;
  tol?: number;
}

const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Builds the case's graph with seeded param values and loss = sum(y * R) for a fixed random R. */
function buildLoss(
  c: GradCase,
  seed: number,
): { g: Graph; loss: Tensor; params: Tensor[]; values: Float64Array[] } {
  const rand = rng(seed);
  const normal = () => {
    let s = 0;
    for (let i = 0; i < 6; i++) s += rand();
    return (s - 3) * 1.4;
  };
  const g = new Graph({ floatType: "float64" });
  const params: Tensor[] = [];
  const values: Float64Array[] = [];
  const p: ParamMaker = (shape, init = "normal") => {
    const v = Float64Array.from({ length: count(shape) }, () => {
      const x = normal();
      if (init === "positive") return 0.3 + Math.abs(x);
      if (init === "awayFromZero") return Math.sign(x || 1) * (0.3 + Math.abs(x));
      return x;
    });
    const t = g.param(`p${params.length}`, shape);
    params.push(t);
    values.push(v);
    return t;
  };
  const y = c.build(g, p);
  const r = g.weight("R", Float64Array.from({ length: count(y.shape) }, normal), [...y.shape]);
  return { g, loss: g.sum(g.mul(y, r), []), params, values };
}

/**
 * Compares the engine's dloss/dparam (one graph with the backward appended) with central differences of the
 * loss computed by a separate FORWARD-only graph built from the same seed.
 */
export async function checkGradients(c: GradCase, seed = 1): Promise<void> {
  const withGrads = buildLoss(c, seed);
  const grads = gradients(withGrads.loss, withGrads.params);
  withGrads.g.output("loss", withGrads.loss);
  grads.forEach((t, i) => {
    withGrads.g.output(`grad${i}`, t);
  });
  const forward = buildLoss(c, seed);
  forward.g.output("loss", forward.loss);
  const { params, values } = forward;
  const feeds = () => Object.fromEntries(values.map((v, i) => [`p${i}`, v]));
  const backwardSession = await Session.create(withGrads.g, { threads: 1 });
  const analytic = await backwardSession.run(feeds());
  await backwardSession.release();
  const session = await Session.create(forward.g, { threads: 1 });
  const lossAt = async () => (await session.run(feeds())).loss!.data[0] as number;
  const h = c.step ?? 1e-5;
  const tol = c.tol ?? 1e-6;
  for (let i = 0; i < params.length; i++) {
    const v = values[i]!;
    const got = analytic[`grad${i}`]!;
    assert.deepEqual(got.dims, [...params[i]!.shape], `${c.name}: grad${i} dims`);
    for (let j = 0; j < v.length; j++) {
      const x0 = v[j]!;
      v[j] = x0 + h;
      const up = await lossAt();
      v[j] = x0 - h;
      const down = await lossAt();
      v[j] = x0;
      const fd = (up - down) / (2 * h);
      const a = got.data[j] as number;
      assert.ok(
        Math.abs(a - fd) <= tol * (1 + Math.abs(fd)),
        `${c.name}: d loss / d p${i}[${j}] = ${a}, finite difference ${fd}`,
      );
    }
  }
  await session.release();
}
