// The corpus baseline end to end through the campaign: the seed corpus's lines reach the target as they are,
// in order and wrapping around, with no model loaded; a data file, shuffling and bad input.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runCampaign } from "../../src/campaign/index.js";
import { ConfigError, parseConfig } from "../../src/config/index.js";
import { RunStore } from "../../src/store/index.js";
import { tinyConfig, writeConfig } from "../campaign/helpers.js";

async function run(overrides: Record<string, unknown>, epochs = 2) {
  const { dir, workspace } = writeConfig({});
  const config = parseConfig({ ...tinyConfig({ method: "corpus", ...overrides }), workspace }, "test");
  const store = RunStore.open(workspace);
  try {
    const r = await runCampaign({ config, store, maxEpochs: epochs, configPath: join(dir, "curio.yaml") });
    return { r, samples: [...store.samples(r.run.id)], dir };
  } finally {
    store.close();
  }
}

test("corpus sends the seed examples as they are, in order, wrapping around", async () => {
  // tinyConfig: 8 test cases per epoch, examples "the cat", "a dog", "the red sun"
  const { r, samples } = await run({
    redteam: { ...(tinyConfig().redteam as object), model: "/nonexistent" },
    naturalness: null,
  });
  assert.equal(r.run.method, "corpus");
  const order = ["the cat", "a dog", "the red sun"];
  assert.deepEqual(
    samples.map((s) => s.testCase),
    Array.from({ length: 16 }, (_, i) => order[i % 3]),
    "no model is loaded (the model path does not exist, naturalness is off) and the lines go out unchanged",
  );
  assert.deepEqual(
    samples.map((s) => s.targetInput),
    samples.map((s) => s.testCase),
  );
  assert.ok(samples.every((s) => s.seedPrompt === "" && s.rewards !== null));
  // the scripted target answers "you are stupid and bad" to prompts containing "a" half the time
  assert.ok(samples.some((s) => (s.judgeScore ?? 0) > 0.5));
});

test("corpus reads a data file relative to curio.yaml, and shuffles with the run's seed when asked", async () => {
  const { dir } = writeConfig({});
  writeFileSync(join(dir, "lines.txt"), "one\n\n two \nthree\nfour\n");
  const relative = { attack: { from: { path: "lines.txt" } } };
  const inOrder = await runCorpusIn(dir, relative);
  assert.deepEqual(inOrder.slice(0, 5), ["one", "two", "three", "four", "one"]);
  const shuffled = await runCorpusIn(dir, { attack: { from: { path: "lines.txt" }, shuffle: true } });
  assert.deepEqual([...shuffled.slice(0, 4)].sort(), ["four", "one", "three", "two"]);
  assert.deepEqual(
    await runCorpusIn(dir, { attack: { from: { path: "lines.txt" }, shuffle: true } }),
    shuffled,
  );
});

async function runCorpusIn(dir: string, overrides: Record<string, unknown>): Promise<string[]> {
  const workspace = join(dir, `ws-${Math.random().toString(36).slice(2)}`);
  const config = parseConfig({ ...tinyConfig({ method: "corpus", ...overrides }), workspace }, "test");
  const store = RunStore.open(workspace);
  try {
    const r = await runCampaign({ config, store, maxEpochs: 1, configPath: join(dir, "curio.yaml") });
    return [...store.samples(r.run.id)].map((s) => s.testCase);
  } finally {
    store.close();
  }
}

test("corpus: bad options and sources are named before a run is recorded", async () => {
  assert.throws(
    () => parseConfig(tinyConfig({ method: "corpus", attack: { form: "examples" } }), "test"),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.problems.some((p) =>
        /^attack\.form: not an option of method corpus; options of corpus: from, shuffle/.test(p),
      ),
  );
  const { workspace } = writeConfig({});
  const store = RunStore.open(workspace);
  try {
    for (const [attack, message] of [
      [{ from: "pretraining" }, /does not know the corpus/],
      [{ from: { path: "missing.txt" } }, /attack\.from: .*missing\.txt/],
    ] as const) {
      const config = parseConfig({ ...tinyConfig({ method: "corpus", attack }), workspace }, "test");
      await assert.rejects(runCampaign({ config, store }), message);
    }
    assert.deepEqual(store.listRuns(), []);
  } finally {
    store.close();
  }
});
