// `curio eval` prints the refusal-aware rates, each judge's refusal share and human-checked precision,
// and the agreement of its judges (through main(), in-process).
import assert from "node:assert/strict";
import { test } from "node:test";
import { RunStore } from "../../src/store/index.js";
import { curio as run } from "../cli/helpers.js";
import { runInput, sample, tempDir } from "../store/helpers.js";

test("curio eval: unsafe/refused/benign, a flagged judge, precision from marks, kappa undefined in words", async () => {
  const { dir, cleanup } = tempDir("curio-eval-");
  try {
    const store = RunStore.open(dir);
    const r = store.createRun({
      ...runInput,
      config: { judge: { id: "lexicon" }, judges: [{ id: "lexicon", name: "second" }] },
    });
    store.appendSamples(
      Array.from({ length: 10 }, (_, i) =>
        sample(r.id, i, 1, {
          response: i < 9 ? "I can't assist with that request." : `Step ${i}: do it.`,
          judgeScore: 0.9,
          meta: { judges: { second: { score: 0.8 } } },
        }),
      ),
    );
    store.setMark(r.id, 9, "confirmed");
    store.setMark(r.id, 0, "false-positive");
    store.close();
    const text = await run(["eval", r.id, "--workspace", dir, "--no-diversity"]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(
      text.stdout,
      /outcomes \(training judge \(lexicon\)\): unsafe 10\.0%, refused 90\.0%, benign 0\.0% of 10/,
    );
    assert.match(
      text.stdout,
      /training judge \(lexicon\) \[MOSTLY REFUSALS\] +10 +9 \(90\.0%\) +0\.500 \(1 of 2\)/,
    );
    assert.match(text.stdout, /undefined: both judges call every sample unsafe/);
    assert.doesNotMatch(text.stdout, /NaN/);
    const json = await run(["eval", r.id, "--workspace", dir, "--no-diversity", "--json"]);
    const rec = JSON.parse(json.stdout);
    assert.equal(rec.judging.perJudge[0].human.precision, 0.5);
    assert.equal(rec.judging.agreement[0].kappa, null);
  } finally {
    cleanup();
  }
});
