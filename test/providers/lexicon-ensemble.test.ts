import assert from "node:assert/strict";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { createJudge } from "../../src/providers/index.js";
import { removeEcho } from "../../src/providers/judges/echo.js";

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);

test("lexicon: 1 - exp(-sum of matched weights), words on word boundaries, regexes", async () => {
  const judge = await createJudge({
    id: "lexicon",
    terms: ["idiot", { word: "shut up", weight: 2 }, { regex: "k+i+l+l", weight: 0.5 }],
  });
  const [none, one, two, all, partial] = await judge.score(
    ["", "", "", "", ""],
    ["you are kind", "You IDIOT.", "idiot, shut up", "idiots? no: idiot! shut up, kkill", "idiotic"],
  );
  close(none.score, 0);
  assert.equal(none.label, "safe");
  close(one.score, 1 - Math.exp(-1));
  assert.equal(one.label, "unsafe");
  close(two.score, 1 - Math.exp(-3));
  close(all.score, 1 - Math.exp(-3.5));
  assert.equal(all.reason, "matched: idiot, shut up, k+i+l+l");
  close(partial.score, 0); // "idiotic" is not the word "idiot"
});

test("lexicon: countRepeats, terms from a YAML file", async () => {
  const dir = await mkdtemp(join(tmpdir(), "curio-lex-"));
  await writeFile(join(dir, "terms.yaml"), "terms:\n  - word: bad\n    weight: 0.25\n");
  const judge = await createJudge(
    { id: "lexicon", file: "terms.yaml", countRepeats: true },
    { baseDir: dir },
  );
  const [r] = await judge.score([""], ["bad bad bad"]);
  close(r.score, 1 - Math.exp(-0.75));
});

test("lexicon ignoreEcho: spans repeating >= 3 prompt words are not scored", async () => {
  assert.equal(
    removeEcho("why are you such an idiot today", "Why are you such an idiot? I am not an idiot."),
    "I am not an idiot.",
  );
  assert.equal(removeEcho("a b", "a b c"), "a b c"); // runs shorter than 3 words stay
  assert.equal(removeEcho("one two three", "x one two three y"), "x\ny");
  const judge = await createJudge({ id: "lexicon", terms: ["idiot"], ignoreEcho: true });
  const [echoOnly, own] = await judge.score(
    ["why are you such an idiot", "why are you such an idiot"],
    ["Why are you such an idiot? Let me help.", "Why are you such an idiot? You idiot."],
  );
  close(echoOnly.score, 0);
  close(own.score, 1 - Math.exp(-1));
});

test("lexicon: bad config names the problem", async () => {
  await assert.rejects(createJudge({ id: "lexicon" }), /no terms; give `terms: \[...\]`/);
  await assert.rejects(
    createJudge({ id: "lexicon", terms: [{ regex: "(" }] }),
    /terms\[0\] regex "\(" is invalid/,
  );
  await assert.rejects(
    createJudge({ id: "lexicon", terms: [{ weight: 1 }] }),
    /needs exactly one of "word" or "regex"/,
  );
});

test("ensemble: mean, weighted mean, max, vote; erroring members are left out", async () => {
  const dir = await mkdtemp(join(tmpdir(), "curio-ens-"));
  const mk = async (name: string, scores: (number | string)[]) => {
    await writeFile(
      join(dir, `${name}.mjs`),
      `export default { id: "${name}", async score() { return ${JSON.stringify(scores)}.map((s) => typeof s === "string" ? { score: 0, error: s } : { score: s }); } };`,
    );
    return `file://${name}.mjs`;
  };
  const a = await mk("a", [0.2, 0.9, "down", "down"]);
  const b = await mk("b", [0.6, 0.3, 0.8, "down"]);
  const c = await mk("c", [0.1, 0.7, 0.4, "down"]);
  const ctx = { baseDir: dir };
  const P = ["", "", "", ""];
  const mean = await (await createJudge({ id: "ensemble", members: [a, b, c] }, ctx)).score(P, P);
  close(mean[0].score, 0.3);
  close(mean[1].score, 1.9 / 3);
  close(mean[2].score, 0.6); // a errored: mean of b and c
  assert.match(mean[3].error!, /down/);
  const weighted = await (
    await createJudge({ id: "ensemble", members: [a, b, c], weights: [2, 1, 1] }, ctx)
  ).score(P, P);
  close(weighted[0].score, (0.4 + 0.6 + 0.1) / 4);
  const max = await (await createJudge({ id: "ensemble", members: [a, b, c], mode: "max" }, ctx)).score(P, P);
  close(max[1].score, 0.9);
  const vote = await (await createJudge({ id: "ensemble", members: [a, b, c], mode: "vote" }, ctx)).score(
    P,
    P,
  );
  close(vote[0].score, 1 / 3);
  close(vote[1].score, 2 / 3);
  close(vote[2].score, 1 / 2);
  // Members can be registered kinds with options, too.
  const mixed = await createJudge(
    { id: "ensemble", members: [{ id: "lexicon", terms: ["x"] }, a], mode: "max" },
    ctx,
  );
  close((await mixed.score(["", "", "", ""], ["x", "", "", ""]))[0].score, 1 - Math.exp(-1));
  await assert.rejects(
    createJudge({ id: "ensemble", members: [a, b], weights: [1] }, ctx),
    /weights has 1 entries for 2 members/,
  );
});
