// The compiled-model cache: a second session of the same graph loads onnxruntime's optimised model from disk,
// gives the same results, and bad entries (truncated, corrupt, concurrent writers) never break a session.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { cacheKey, Graph, gradients, Session, toOnnx } from "../../src/engine/index.js";
import { Rng } from "../../src/util/rng.js";
import { assertClose } from "../models/helpers.js";

const rng = new Rng(7);
const rand = (n: number) => Float32Array.from({ length: n }, () => rng.next() - 0.5);
const w1 = rand(8 * 16);
const w2 = rand(16 * 4);
const xs = rand(3 * 8);

/** A small layer with the fused kernels the optimiser touches (Gemm, Gelu, LayerNorm, Softmax) and a backward. */
function model(scale = 1): Graph {
  const g = new Graph();
  const x = g.param("x", [3, 8]);
  const h = g.gelu(g.matmul(x, g.weight("w1", w1, [8, 16])));
  const n = g.layerNorm(
    h,
    g.constant(new Float32Array(16).fill(1), [16]),
    g.constant(new Float32Array(16), [16]),
  );
  const y = g.softmax(g.mul(g.matmul(n, g.weight("w2", w2, [16, 4])), scale), -1);
  const loss = g.sum(g.mul(y, y), []);
  g.output("loss", loss);
  g.output("dx", gradients(loss, [x])[0]!);
  return g;
}

const entries = (dir: string) => readdirSync(dir).filter((f) => f.endsWith(".onnx"));
const values = async (s: Session) => {
  const r = await s.run({ x: xs });
  return [...(r.loss!.data as Float32Array), ...(r.dx!.data as Float32Array)];
};

test("a second session of the same graph is loaded from the cache and computes the same values", async () => {
  const dir = mkdtempSync(join(tmpdir(), "curio-compile-"));
  const plain = await Session.create(model(), { threads: 1 });
  const first = await Session.create(model(), { threads: 1, cacheDir: dir });
  assert.equal(first.cached, false);
  assert.equal(entries(dir).length, 1, "the optimised model is saved");
  const second = await Session.create(model(), { threads: 1, cacheDir: dir });
  assert.equal(second.cached, true);
  const want = await values(plain);
  for (const s of [first, second]) assertClose(await values(s), want, 1e-6, "cached vs plain");
  w1[0]! += 1; // weights are fed, not cached: a change reaches the cached session
  const changed = await values(second);
  assert.notDeepEqual(changed, want);
  assert.deepEqual(changed, await values(plain));
  w1[0]! -= 1;
  assert.equal(readdirSync(dir).length, 1, "no temporary files are left behind");
  await Promise.all([plain, first, second].map((s) => s.release()));
});

test("the key covers the graph, the optimisation level and the device", () => {
  const bytes = toOnnx(model());
  const k = cacheKey(bytes, { optimization: "all", device: "cpu" });
  assert.equal(k, cacheKey(toOnnx(model()), { optimization: "all", device: "cpu" }), "same graph, same key");
  assert.notEqual(k, cacheKey(toOnnx(model(2)), { optimization: "all", device: "cpu" }));
  assert.notEqual(k, cacheKey(bytes, { optimization: "basic", device: "cpu" }));
  assert.notEqual(k, cacheKey(bytes, { optimization: "all", device: "cuda" }));
});

test("truncated or corrupt entries are recompiled and replaced, never used", async () => {
  const dir = mkdtempSync(join(tmpdir(), "curio-compile-"));
  await (await Session.create(model(), { threads: 1, cacheDir: dir })).release();
  const [name] = entries(dir);
  const file = join(dir, name!);
  const good = readFileSync(file);
  const want = await values(await Session.create(model(), { threads: 1 }));
  for (const bad of [
    good.subarray(0, good.length - 7),
    Buffer.concat([good.subarray(0, 60), Buffer.from("x"), good.subarray(61)]),
    Buffer.alloc(0),
  ]) {
    writeFileSync(file, bad);
    const s = await Session.create(model(), { threads: 1, cacheDir: dir });
    assert.equal(s.cached, false, "a bad entry is not trusted");
    assert.deepEqual(await values(s), want);
    const next = await Session.create(model(), { threads: 1, cacheDir: dir });
    assert.equal(next.cached, true, "the entry was rewritten whole");
    await Promise.all([s.release(), next.release()]);
  }
});

test("concurrent writers of one entry leave one valid entry", async () => {
  const dir = mkdtempSync(join(tmpdir(), "curio-compile-"));
  const all = await Promise.all(
    Array.from({ length: 4 }, () => Session.create(model(), { threads: 1, cacheDir: dir })),
  );
  assert.deepEqual(readdirSync(dir), entries(dir), "only the entry, no temporary files");
  assert.equal(entries(dir).length, 1);
  const again = await Session.create(model(), { threads: 1, cacheDir: dir });
  assert.equal(again.cached, true);
  await Promise.all([...all, again].map((s) => s.release()));
});

test("an unwritable cache folder costs a compile, not a failure", async () => {
  const file = join(mkdtempSync(join(tmpdir(), "curio-compile-")), "not-a-folder");
  writeFileSync(file, "");
  const s = await Session.create(model(), { threads: 1, cacheDir: file });
  assert.equal(s.cached, false);
  assert.equal((await values(s)).length, 1 + 3 * 8);
  await s.release();
});
