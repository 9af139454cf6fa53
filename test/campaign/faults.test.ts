// Faults a campaign must survive: a target that is unreachable at the start fails fast (exit code 3, naming
// the URL); a target that dies mid-run stops the run cleanly with a resumable checkpoint and every answered
// sample kept; after the target comes back, --resume finishes the run with dense sample indices.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { runCampaign } from "../../src/campaign/index.js";
import { parseConfig, UnreachableError } from "../../src/config/index.js";
import { RunStore } from "../../src/store/index.js";
import { CLI, ROOT, tinyConfig, writeConfig } from "./helpers.js";

/** An OpenAI-compatible chat server that answers while `healthy()` and returns 500 otherwise. */
async function chatServer(
  healthy: () => boolean,
): Promise<{ url: string; server: Server; requests: () => number }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      requests++;
      if (!healthy()) {
        res.writeHead(500, { "content-type": "application/json" }).end('{"error":"down"}');
        return;
      }
      const body = {
        choices: [{ message: { role: "assistant", content: "you are stupid" }, finish_reason: "stop" }],
      };
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/v1`, server, requests: () => requests };
}

const httpTarget = (baseUrl: string) => ({
  id: "openai:chat:test-model",
  baseUrl,
  retries: 0,
  timeoutMs: 5000,
});

test("an unreachable target fails fast with exit code 3 and its URL, before a run is recorded", {
  timeout: 60_000,
}, async () => {
  const { url, server } = await chatServer(() => true);
  await new Promise((r) => server.close(r)); // the port is now closed
  const { path, workspace } = writeConfig(tinyConfig({ target: httpTarget(url) }));
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "run", "-c", path], {
    cwd: ROOT,
    encoding: "utf8",
  });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, new RegExp(url.replace(/[/.]/g, "\\$&")));
  assert.match(r.stderr, /did not answer/);
  const store = RunStore.open(workspace);
  assert.deepEqual(store.listRuns(), [], "no run is recorded for a campaign that never started");
  store.close();
});

test("a target that dies mid-run stops the run resumably; resume completes it", {
  timeout: 120_000,
}, async () => {
  let up = true;
  const srv = await chatServer(() => up);
  const { workspace } = writeConfig({});
  const config = parseConfig({ ...tinyConfig({ target: httpTarget(srv.url) }), workspace }, "test");
  const store = RunStore.open(workspace);
  try {
    let epochs = 0;
    await assert.rejects(
      runCampaign({
        config,
        store,
        failureBackoffMs: 10,
        onEpoch: () => {
          epochs++;
          if (epochs === 2) up = false; // the target dies after the second epoch
        },
      }),
      (e: unknown) =>
        e instanceof UnreachableError && /every sample failed for 3 epochs/.test((e as Error).message),
    );
    const [run] = store.listRuns();
    assert.equal(run!.status, "failed");
    const samples = [...store.samples(run!.id)];
    assert.equal(samples.length, 5 * 8, "2 good epochs and 3 failed ones are all recorded");
    assert.equal(samples.filter((s) => s.error).length, 3 * 8);
    assert.ok(
      samples.filter((s) => s.error).every((s) => s.rewards === null),
      "failed samples get no reward",
    );
    assert.equal(store.latestCheckpoint(run!.id)?.epoch, 5);

    up = true;
    const resumed = await runCampaign({ config, store, resume: run!.id, failureBackoffMs: 10 });
    assert.equal(resumed.run.status, "completed");
    assert.deepEqual(
      [...store.samples(run!.id)].map((s) => s.index),
      Array.from({ length: 6 * 8 }, (_, i) => i),
    );
  } finally {
    store.close();
    srv.server.close();
  }
});

test("an unsupported setting is refused before anything runs", async () => {
  const { workspace } = writeConfig({});
  const base = tinyConfig();
  const redteam = {
    ...(base.redteam as Record<string, unknown>),
    trainable: { type: "lora", r: 4, alpha: 8, dropout: 0.1 },
  };
  const config = parseConfig({ ...base, redteam, workspace }, "test");
  const store = RunStore.open(workspace);
  try {
    await assert.rejects(runCampaign({ config, store }), /redteam\.trainable\.dropout/);
    assert.deepEqual(store.listRuns(), []);
  } finally {
    store.close();
  }
});

test("a key interpolated into a URL or header never reaches errors or the run store", {
  timeout: 60_000,
}, async () => {
  const { url, server } = await chatServer(() => true);
  await new Promise((r) => server.close(r));
  const key = "sk-test-0123456789abcdef";
  const target = {
    id: "http",
    url: `${url.replace("/v1", "")}/generate?key=\${CURIO_TEST_API_KEY}`,
    headers: { "X-Api-Key": "${CURIO_TEST_API_KEY}" },
    body: { prompt: "{{prompt}}" },
    responsePath: "text",
    retries: 0,
  };
  const { path, workspace } = writeConfig(tinyConfig({ target }));
  const r = spawnSync(process.execPath, ["--import", "tsx", CLI, "run", "-c", path], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, CURIO_TEST_API_KEY: key },
  });
  assert.equal(r.status, 3, r.stderr);
  assert.ok(!`${r.stdout}${r.stderr}`.includes(key), `the key leaked:\n${r.stderr}`);
  assert.match(r.stderr, /did not answer/);
  const store = RunStore.open(workspace);
  assert.deepEqual(store.listRuns(), []);
  store.close();
});
