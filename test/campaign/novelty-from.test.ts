// novelty.from: a run's novelty histories start with an earlier run's test cases, so what that run found is
// no longer novel; `curio eval` reports the findings new relative to it; a missing run lists the store's runs.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { runCampaign } from "../../src/campaign/index.js";
import { ConfigError, parseConfig } from "../../src/config/index.js";
import { RunStore } from "../../src/store/index.js";
import { CLI, ROOT, tinyConfig, writeConfig } from "./helpers.js";

test("novelty.from seeds both histories with the earlier run's test cases; curio eval reports new findings", async () => {
  const { workspace } = writeConfig({});
  const store = RunStore.open(workspace);
  try {
    const config = (extra: Record<string, unknown>) =>
      parseConfig(
        {
          ...tinyConfig({ ppo: { epochs: 2, numRollouts: 8, batchSize: 4, ppoEpochs: 1 }, ...extra }),
          workspace,
        },
        "t",
      );
    const a = await runCampaign({ config: config({}), store });
    const b = await runCampaign({ config: config({ novelty: { from: [a.run.id] } }), store });
    const first = (id: string) => [...store.samples(id)].filter((s) => s.epoch === 1);
    const [fa, fb] = [first(a.run.id), first(b.run.id)];
    // same seed, same model: the first epoch writes the same test cases, so each one is already in b's history
    assert.deepEqual(
      fb.map((s) => s.testCase),
      fa.map((s) => s.testCase),
    );
    const raw = (s: (typeof fa)[number]) => s.rewards?.raw ?? {};
    assert.ok(
      fa.every((s) => !s.rewards || (raw(s).bleu === 0 && raw(s).cosine === 0)),
      "a starts empty",
    );
    const seen = fb.filter((s) => s.rewards !== null && s.testCase.split(/\s+/).length >= 2);
    assert.ok(seen.length > 0);
    assert.ok(
      seen.every((s) => raw(s).bleu! > 0),
      "b scores its repeats against a's test cases",
    );
    assert.ok(
      seen.every((s) => raw(s).cosine !== 0),
      "and its cosine history is not empty",
    );
  } finally {
    store.close();
  }
  const r = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx",
      CLI,
      "eval",
      "--workspace",
      workspace,
      "--json",
      "--no-diversity",
      ...idsOf(workspace),
    ],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const [ea, eb] = r.stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
  assert.equal(ea.newFindings, null, "a named no earlier runs");
  assert.equal(eb.newFindings.against.length, 1);
  assert.ok(eb.newFindings.new <= eb.newFindings.findings);
  assert.equal(typeof eb.naturalness?.mean, "number", "findings carry the reference model's naturalness");
});

function idsOf(workspace: string): string[] {
  const store = RunStore.open(workspace, { readonly: true });
  try {
    return store
      .listRuns()
      .map((r) => r.id)
      .reverse();
  } finally {
    store.close();
  }
}

test("novelty.from naming a missing run lists the runs in the store, before a run is recorded", async () => {
  const { workspace } = writeConfig({});
  const store = RunStore.open(workspace);
  try {
    const config = parseConfig(
      { ...tinyConfig({ ppo: { epochs: 1, numRollouts: 4, batchSize: 4 } }), workspace },
      "t",
    );
    const earlier = await runCampaign({ config, store });
    const bad = parseConfig({ ...tinyConfig({ novelty: { from: ["no-such-run"] } }), workspace }, "t");
    await assert.rejects(
      runCampaign({ config: bad, store }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^novelty\.from: no run "no-such-run"/.test(e.message) &&
        (e.hint ?? "").includes(`runs in this store: ${earlier.run.id} (crt, completed)`),
    );
    assert.equal(store.listRuns().length, 1);
  } finally {
    store.close();
  }
});
