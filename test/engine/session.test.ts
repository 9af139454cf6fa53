// The validated onnxruntime boundary: feed checks, error messages, run failures, and the session cache.
import assert from "node:assert/strict";
import { test } from "node:test";
import { FeedError, Graph, Session, SessionCache, SessionRunError } from "../../src/engine/index.js";

function graph(): Graph {
  const g = new Graph();
  const x = g.input("x", "float32", [2, 3]);
  const ids = g.input("ids", "int64", [2]);
  g.input("unused", "float32", [1]);
  const table = g.weight("table", Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
  g.output("emb", g.gather(table, ids));
  g.output("sx", g.sum(x, []));
  return g;
}
const good = () => ({ x: new Float32Array(6).fill(1), ids: BigInt64Array.of(2n, 0n) });

test("Session runs, lists its inputs and outputs, and returns dims", async () => {
  const s = await Session.create(graph(), { threads: 1 });
  assert.deepEqual(s.inputNames, ["x", "ids"]);
  assert.deepEqual(s.outputNames, ["emb", "sx"]);
  const r = await s.run(good());
  assert.deepEqual([...(r.emb!.data as Float32Array)], [5, 6, 1, 2]);
  assert.deepEqual(r.emb!.dims, [2, 2]);
  assert.deepEqual(r.sx!.dims, []);
  const only = await s.run({ ...good(), unused: new Float32Array(1) }, ["sx"]);
  assert.deepEqual(Object.keys(only), ["sx"], "a declared but unused input is accepted; only sx is returned");
  const backing = Float32Array.of(100, 200, 1, 2, 3, 4, 5, 6, 300);
  const view = await s.run({ ...good(), x: backing.subarray(2, 8) }, ["sx"]);
  assert.deepEqual([...(view.sx!.data as Float32Array)], [21], "a subarray view feeds its own elements");
  await s.release();
});

test("Session.run validates names, dtypes and lengths before running", async () => {
  const s = await Session.create(graph(), { threads: 1 });
  await assert.rejects(s.run({ ...good(), y: new Float32Array(1) }), (e: unknown) => {
    assert.ok(e instanceof FeedError);
    assert.equal(e.input, "y");
    assert.match(e.message, /unknown input "y"; the graph's inputs are "x", "ids"/);
    return true;
  });
  await assert.rejects(
    s.run({ x: good().x }),
    /missing input "ids": expected int64 \(BigInt64Array\) of shape \[2\]/,
  );
  await assert.rejects(
    s.run({ ...good(), x: new Float64Array(6) }),
    /input "x" expects float32 \(Float32Array\) of shape \[2,3\] \(6 elements\), got Float64Array/,
  );
  await assert.rejects(
    s.run({ ...good(), ids: new Int32Array(2) }),
    /input "ids" expects int64 \(BigInt64Array\) of shape \[2\] \(2 elements\), got Int32Array/,
  );
  await assert.rejects(
    s.run({ ...good(), x: new Float32Array(5) }),
    /input "x" expects float32 \(Float32Array\) of shape \[2,3\] \(6 elements\), got 5 elements/,
  );
  await assert.rejects(s.run(good(), ["nope"]), /unknown output "nope"; the graph's outputs are "emb", "sx"/);
  await s.release();
});

test("an onnxruntime failure is rethrown with every input's name, dtype and dims", async () => {
  const s = await Session.create(graph(), { threads: 1 });
  await assert.rejects(s.run({ ...good(), ids: BigInt64Array.of(7n, 0n) }), (e: unknown) => {
    assert.ok(e instanceof SessionRunError);
    assert.match(e.message, /^onnxruntime failed: /);
    assert.match(e.message, /inputs: x: float32 \[2,3\]; ids: int64 \[2\]/);
    return true;
  });
  await s.release();
});

test("SessionCache builds once per key, evicts the least recently used, and clears", async () => {
  const cache = new SessionCache({ threads: 1, maxEntries: 2 });
  const builds: string[] = [];
  const build = (key: string) => () => {
    builds.push(key);
    return graph();
  };
  const a1 = await cache.get("a", build("a"));
  const a2 = await cache.get("a", build("a"));
  assert.equal(a1, a2);
  await cache.get("b", build("b"));
  await cache.get("a", build("a")); // a is now the most recent
  await cache.get("c", build("c")); // evicts b
  assert.equal(cache.size, 2);
  await cache.get("a", build("a"));
  await cache.get("b", build("b"));
  assert.deepEqual(builds, ["a", "b", "c", "b"]);
  const r = await (await cache.get("b", build("b"))).run(good());
  assert.deepEqual(r.emb!.dims, [2, 2]);
  await cache.clear();
  assert.equal(cache.size, 0);
});

test("sessions share the graph's weight arrays: an in-place change is seen by every session, no copy", async () => {
  const table = Float32Array.of(1, 2, 3, 4, 5, 6); // [3,2]
  const lookup = (n: number) => {
    const g = new Graph();
    const ids = g.input("ids", "int64", [n]);
    g.output("emb", g.gather(g.weight("table", table, [3, 2]), ids));
    return g;
  };
  const one = await Session.create(lookup(1), { threads: 1 });
  const two = await Session.create(lookup(2), { threads: 1 }); // another shape bucket of the same weights
  const kept = await Session.create(lookup(1), { threads: 1, weights: "initializers" });
  const emb = async (s: Session, ids: bigint[]) => [
    ...((await s.run({ ids: BigInt64Array.from(ids) })).emb!.data as Float32Array),
  ];
  assert.deepEqual(await emb(one, [2n]), [5, 6]);
  assert.deepEqual(await emb(two, [0n, 2n]), [1, 2, 5, 6]);
  table[4] = 50;
  assert.deepEqual(await emb(one, [2n]), [50, 6], "the first session reads the changed array");
  assert.deepEqual(await emb(two, [0n, 2n]), [1, 2, 50, 6], "and so does the second");
  assert.deepEqual(await emb(kept, [2n]), [5, 6], "an initializer session holds its own copy");
  assert.deepEqual(one.inputNames, ["ids"], "weights are fed by the session, not by the caller");
  await assert.rejects(one.run({ ids: BigInt64Array.of(0n), table }), /unknown input "table"/);
  await Promise.all([one, two, kept].map((s) => s.release()));
});
