// Hashing embedder, heuristic gibberish and the scripted target against hand-computed values.
import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fnv1a, hashingEmbed } from "../../src/providers/embedders/hashing.js";
import { heuristicGibberish } from "../../src/providers/gibberish/heuristic.js";
import { createEmbedder, createGibberish, createTarget } from "../../src/providers/index.js";

const near = (a: number, b: number, eps = 1e-6) => assert.ok(Math.abs(a - b) < eps, `${a} vs ${b}`);

function nonzero(v: Float32Array): [number, number][] {
  return [...v].flatMap((x, i) => (x !== 0 ? [[i, x] as [number, number]] : []));
}

test("FNV-1a 32-bit matches the published test vectors", () => {
  assert.equal(fnv1a(""), 0x811c9dc5);
  assert.equal(fnv1a("a"), 0xe40c292c);
  assert.equal(fnv1a("foobar"), 0xbf9cf968);
});

test("hashing embedder: signed hashed 1-2-grams, L2-normalised (values computed by hand/Python)", async () => {
  // "a": one unigram, h = 0xe40c292c -> bucket 0x2c = 44 of 256, bit 31 set -> sign -1.
  const a = hashingEmbed("a", 256, [1, 2]);
  assert.deepEqual(nonzero(a), [[44, -1]]);
  // Features the, cat, the, cat, sat, "the cat", "cat the", "the cat", "cat sat" in 16 buckets; the rest cancel.
  const v = hashingEmbed("The cat, the CAT sat!", 16, [1, 2]);
  const got = nonzero(v);
  assert.deepEqual(
    got.map(([i]) => i),
    [7, 8, 12],
  );
  near(got[0][1], 2 / 3);
  near(got[1][1], -2 / 3);
  near(got[2][1], -1 / 3);
  // Unicode letters and digits are words.
  const u = nonzero(hashingEmbed("Über café 42", 16, [1, 2]));
  assert.deepEqual(
    u.map(([i, x]) => [i, Math.sign(x)]),
    [
      [1, 1],
      [3, -1],
      [9, -1],
      [13, -1],
      [15, 1],
    ],
  );
  near(u[0][1], 1 / Math.sqrt(5));
  const embedder = await createEmbedder({ id: "hashing", dim: 16 });
  assert.equal(embedder.dim, 16);
  const [e1, empty] = await embedder.embed(["The cat, the CAT sat!", "!!!"]);
  assert.deepEqual([...e1], [...v]);
  assert.deepEqual([...empty], new Array(16).fill(0));
});

test("heuristic gibberish: the three fractions and their noisy-or, by hand", async () => {
  const clean = heuristicGibberish("The cat sat on the mat.");
  assert.deepEqual(clean, { implausible: 0, repeated: 0, symbols: 0, score: 0 });
  // tokens hello hello world zzzz #$ ; words hello hello world zzzz (zzzz has no vowel) ; 2 of 21 chars symbols
  const mixed = heuristicGibberish("hello hello world zzzz #$");
  near(mixed.implausible, 1 / 4);
  near(mixed.repeated, 1 / 5);
  near(mixed.symbols, 2 / 21);
  near(mixed.score, 1 - (3 / 4) * (4 / 5) * (19 / 21));
  assert.equal(heuristicGibberish("   ").score, 1);
  const mixedCase = heuristicGibberish("hElLo x7f3 bcdfghj");
  near(mixedCase.implausible, 1);
  const dir = await mkdtemp(join(tmpdir(), "curio-vocab-"));
  await writeFile(join(dir, "vocab.txt"), "the\ncat\nsat\n");
  const scorer = await createGibberish(
    { id: "heuristic-gibberish", vocabulary: "vocab.txt" },
    { baseDir: dir },
  );
  const [s1, s2] = await scorer.gibberish(["The cat sat", "the dog sat"]);
  near(s1, 0);
  near(s2, 1 / 3);
});

test("scripted target: regex rules, captures, {{prompt}}, default, seeded weighted choice", async () => {
  const spec = {
    id: "scripted",
    seed: 7,
    rules: [
      { match: "^say (\\w+)", responses: ["You said $1 to {{prompt}}"] },
      {
        match: "insult",
        responses: [
          { text: "rude", p: 0.8 },
          { text: "polite", p: 0.2 },
        ],
      },
    ],
    default: "I cannot help with that.",
  };
  const target = await createTarget(spec);
  const [said, other] = await target.respond(["say hi", "what?"]);
  assert.equal(said.text, "You said hi to say hi");
  assert.equal(other.text, "I cannot help with that.");
  const prompts = new Array(4000).fill("insult me");
  const a = (await (await createTarget(spec)).respond(prompts)).map((r) => r.text);
  const b = (await (await createTarget(spec)).respond(prompts)).map((r) => r.text);
  const c = (await (await createTarget({ ...spec, seed: 8 })).respond(prompts)).map((r) => r.text);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  const rude = a.filter((t) => t === "rude").length / a.length;
  // Binomial sd = sqrt(.8*.2/4000) = 0.0063; 5 sd.
  assert.ok(Math.abs(rude - 0.8) < 0.032, `rude share ${rude}`);
});

test("scripted target: rules from a YAML file; bad regex is a clear error", async () => {
  const dir = await mkdtemp(join(tmpdir(), "curio-script-"));
  await writeFile(
    join(dir, "rules.yaml"),
    "rules:\n  - match: bomb\n    responses: [Here is how to build one]\ndefault: [No., Nope.]\n",
  );
  const target = await createTarget({ id: "scripted", file: "rules.yaml" }, { baseDir: dir });
  const [r1, r2] = await target.respond(["how to make a BOMB", "hello"]);
  assert.equal(r1.text, "Here is how to build one");
  assert.ok(["No.", "Nope."].includes(r2.text));
  await assert.rejects(
    createTarget({ id: "scripted", rules: [{ match: "(", responses: "x" }] }),
    /rules\[0\]\.match "\(" is not a valid regex/,
  );
});
