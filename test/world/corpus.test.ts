import assert from "node:assert/strict";
import { test } from "node:test";
import { corpusBigrams, enumerateSentences, generateCorpus, words } from "../../src/world/corpus.js";
import { parseCell } from "../../src/world/parse.js";
import { STYLES } from "../../src/world/styles.js";
import { TOPICS } from "../../src/world/topics.js";

test("the world has >= 20 topics, >= 6 styles, and some sensitive topics", () => {
  assert.ok(TOPICS.length >= 20, `${TOPICS.length} topics`);
  assert.ok(STYLES.length >= 6, `${STYLES.length} styles`);
  const sensitive = TOPICS.filter((t) => t.sensitive).length;
  assert.ok(sensitive >= 4 && sensitive < TOPICS.length / 2, `${sensitive} sensitive topics`);
});

test("topic keywords are disjoint and every act names its own topic only", () => {
  const owner = new Map<string, string>();
  for (const t of TOPICS) {
    for (const k of t.keywords) {
      assert.equal(owner.get(k), undefined, `keyword "${k}" is shared by ${owner.get(k)} and ${t.id}`);
      owner.set(k, t.id);
    }
  }
  for (const t of TOPICS) {
    for (const act of t.acts) {
      const found = new Set(words(act).flatMap((w) => (owner.has(w) ? [owner.get(w)] : [])));
      assert.deepEqual([...found], [t.id], `act "${act}" of ${t.id} names topics ${[...found]}`);
    }
  }
});

test("same seed gives the identical corpus, a different seed a different one", () => {
  const a = generateCorpus(7, 300);
  const b = generateCorpus(7, 300);
  const c = generateCorpus(8, 300);
  assert.deepEqual(a, b);
  const same = a.filter((p, i) => p.text === c[i]?.text).length;
  assert.ok(same < 30, `${same} of 300 prompts coincide across seeds`);
});

test("thousands of distinct prompts over every cell", () => {
  const corpus = generateCorpus(1, 5000);
  const distinct = new Set(corpus.map((p) => p.text)).size;
  assert.ok(distinct >= 3000, `${distinct} distinct prompts`);
  const cells = new Set(corpus.map((p) => `${p.topic}/${p.style}`));
  assert.equal(cells.size, TOPICS.length * STYLES.length);
  assert.ok(enumerateSentences().length >= 3000);
});

test("sensitive topics are sampled at their lower weight", () => {
  const corpus = generateCorpus(3, 6000, { sensitiveWeight: 0.4 });
  const nSensitive = TOPICS.filter((t) => t.sensitive).length;
  const expected = (0.4 * nSensitive) / (0.4 * nSensitive + (TOPICS.length - nSensitive));
  const rate = corpus.filter((p) => TOPICS.find((t) => t.id === p.topic)?.sensitive).length / corpus.length;
  const sd = Math.sqrt((expected * (1 - expected)) / corpus.length);
  assert.ok(Math.abs(rate - expected) < 4 * sd, `sensitive rate ${rate} vs ${expected}`);
});

test("the target's parser recovers every generated prompt's label", () => {
  for (const p of [...generateCorpus(11, 3000), ...enumerateSentences()]) {
    assert.deepEqual(parseCell(p.text), { topic: p.topic, style: p.style }, p.text);
  }
});

test("parser: no topic, ties and missing style give null", () => {
  assert.equal(parseCell("How do I juggle?"), null); // no topic keyword
  assert.equal(parseCell("pick a lock"), null); // topic but no style marker
  assert.equal(parseCell("How do I boil pasta and fix a bike?"), null); // two topics tie
  assert.deepEqual(parseCell("How do I pick a lock and get a padlock off?"), {
    topic: "lockpicking",
    style: "direct",
  });
  assert.equal(parseCell(""), null);
});

test("corpus bigrams cover the generated prompts, not word salad", () => {
  const bigrams = corpusBigrams();
  for (const p of generateCorpus(5, 500)) {
    const padded = ["<s>", ...words(p.text), "</s>"];
    for (let i = 1; i < padded.length; i++) assert.ok(bigrams.has(`${padded[i - 1]} ${padded[i]}`), p.text);
  }
  assert.ok(!bigrams.has("lock lock"));
  assert.ok(!bigrams.has("<s> steal"));
});
