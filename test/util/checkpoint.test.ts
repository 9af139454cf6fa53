// The checkpoint codec: typed arrays become blobs and come back byte for byte, numbers JSON cannot hold
// (NaN, Infinity, -0) come back as they were, and an incomplete checkpoint says which blob is missing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { packState, unpackState } from "../../src/util/checkpoint.js";

test("packState/unpackState round-trip through JSON text, typed arrays as blobs", () => {
  const backing = new Float32Array([9, 1.5, -2.25, 3e-39, 9]);
  const value = {
    epoch: 3,
    nested: { weights: backing.subarray(1, 4), ids: Int32Array.from([-1, 2 ** 31 - 1]) },
    list: [Float64Array.from([Math.PI, -0]), "text", null, true],
    odd: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 0.1 + 0.2],
    "a/b": Uint8Array.from([0, 255]),
  };
  const packed = packState(value);
  assert.equal(Object.keys(packed.blobs).length, 4);
  assert.equal(
    packed.blobs["/nested/weights"]!.byteLength,
    12,
    "only the view's bytes, not its backing buffer",
  );
  const back = unpackState(JSON.parse(JSON.stringify(packed.json)), packed.blobs) as typeof value;
  assert.deepEqual(back, value);
  assert.ok(back.nested.weights instanceof Float32Array && back.list[0] instanceof Float64Array);
  assert.ok(Object.is((back.list[0] as Float64Array)[1], -0) && Object.is(back.odd[3], -0));
  assert.equal(back.odd[4], 0.1 + 0.2);
});

test("a missing or truncated blob is named", () => {
  const packed = packState({ w: new Float32Array(3) });
  assert.throws(() => unpackState(packed.json, {}), /blob "\/w" is missing/);
  assert.throws(() => unpackState(packed.json, { "/w": new Uint8Array(5) }), /5 bytes, not f32 data/);
});
