import assert from "node:assert/strict";
import { test } from "node:test";
import {
  EmbeddingNovelty,
  type EmbeddingNoveltyState,
  targetDiversity,
} from "../../src/curiosity/embedding.js";
import { packState, unpackState } from "../../src/util/checkpoint.js";

const close = (a: number | null, b: number, what = "") =>
  assert.ok(a !== null && Math.abs(a - b) < 1e-6, `${what}: ${a} vs ${b}`);

test("mean novelty is the mean cosine to the history; 0 when the history is empty", () => {
  const novelty = new EmbeddingNovelty();
  assert.deepEqual(novelty.score([[3, 4]]), [{ value: 0 }]);
  novelty.add([
    [1, 0],
    [0, 2],
  ]);
  // query (3,4)/5 = (0.6, 0.8): cosines 0.6 and 0.8.
  close(novelty.score([[3, 4]])[0].value, 0.7);
  novelty.add([[-1, 0]]);
  close(novelty.score([[3, 4]])[0].value, (0.6 + 0.8 - 0.6) / 3);
  assert.equal(novelty.size, 3);
});

test("kNN novelty is the mean of the k largest cosines (all of them when history < k)", () => {
  const history = [
    [1, 0],
    [0, 2],
    [-1, 0],
    [0, -5],
  ];
  const knn2 = new EmbeddingNovelty({ mode: "knn", k: 2 });
  knn2.add(history);
  close(knn2.score([[3, 4]])[0].value, (0.8 + 0.6) / 2, "k=2");
  const knn1 = new EmbeddingNovelty({ mode: "knn", k: 1 });
  knn1.add(history);
  close(knn1.score([[3, 4]])[0].value, 0.8, "k=1");
  const knn16 = new EmbeddingNovelty({ mode: "knn" });
  knn16.add(history);
  close(knn16.score([[3, 4]])[0].value, (0.6 + 0.8 - 0.6 - 0.8) / 4, "k=16 > history");
});

test("missing, zero, non-finite and wrong-width embeddings are skipped with a reason, never NaN", () => {
  const novelty = new EmbeddingNovelty();
  const skipped = novelty.add([[1, 0], null, [0, 0], [Number.NaN, 1], [1, 2, 3]]);
  assert.deepEqual(
    skipped.map((s) => s.index),
    [1, 2, 3, 4],
  );
  assert.match(skipped[0].reason, /missing/);
  assert.match(skipped[1].reason, /zero/);
  assert.match(skipped[2].reason, /non-finite/);
  assert.match(skipped[3].reason, /3 dimensions, the history has 2/);
  assert.equal(novelty.size, 1);
  const scores = novelty.score([undefined, [0, 1], [Number.POSITIVE_INFINITY, 0]]);
  assert.equal(scores[0].value, null);
  assert.equal(scores[1].value, 0);
  assert.equal(scores[2].value, null);
  assert.match(scores[2].reason ?? "", /non-finite/);
});

test("histories round-trip through a packed checkpoint in both modes", () => {
  for (const mode of ["mean", "knn"] as const) {
    const novelty = new EmbeddingNovelty({ mode, k: 2 });
    novelty.add([
      [1, 0, 0],
      [0, 1, 1],
      [1, 1, 0],
    ]);
    const packed = packState(novelty.state());
    const restored = new EmbeddingNovelty({ mode, k: 2 });
    restored.loadState(
      unpackState(JSON.parse(JSON.stringify(packed.json)), packed.blobs) as EmbeddingNoveltyState,
    );
    assert.equal(restored.size, 3);
    assert.deepEqual(restored.score([[1, 2, 3]]), novelty.score([[1, 2, 3]]));
    restored.add([[0, 0, 1]]);
    novelty.add([[0, 0, 1]]);
    assert.deepEqual(restored.score([[1, 2, 3]]), novelty.score([[1, 2, 3]]));
  }
  assert.throws(() => new EmbeddingNovelty().loadState({} as never), /expected format/);
  assert.throws(() => new EmbeddingNovelty().loadState(new EmbeddingNovelty({ mode: "knn" }).state()), /knn/);
});

test("targetDiversity is mean_j exp(-L1/100), j including i, over normalised embeddings", () => {
  const [a, b] = targetDiversity([
    [2, 0],
    [0, 1],
  ]);
  // L1((1,0),(0,1)) = 2.
  close(a, (1 + Math.exp(-0.02)) / 2);
  close(b, (1 + Math.exp(-0.02)) / 2);
  const withMissing = targetDiversity([[1, 0], null, [1, 0]]);
  close(withMissing[0], 1);
  assert.equal(withMissing[1], null);
});
