// The hub resolver against a real HTTP server on 127.0.0.1 serving the tiny model's files.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Gpt2Policy, hubCacheFolder, resolveModel } from "../../src/models/index.js";
import { TINY, tempDir } from "./helpers.js";

const FILES = ["config.json", "model.safetensors", "tokenizer.json"];
let server: Server;
let endpoint: string;
const requests: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    requests.push(req.url!);
    const m = /^\/acme\/tiny-gpt2\/resolve\/main\/([\w.]+)$/.exec(req.url!);
    const file = m && join(TINY, m[1]!);
    if (!file || !existsSync(file)) {
      res.writeHead(404).end("not found");
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { "content-length": body.length }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test("a hub id is downloaded once into the cache (atomic files, progress reported), then served from it", async () => {
  const cacheDir = tempDir();
  const env = { HF_ENDPOINT: endpoint, CURIO_CACHE_DIR: cacheDir };
  const progress = new Map<string, number[]>();
  requests.length = 0;
  const dir = await resolveModel("acme/tiny-gpt2", {
    files: FILES,
    optionalFiles: ["tokenizer_config.json", "generation_config.json"],
    env,
    onProgress: (f, got, total) => progress.set(f, [got, total ?? -1]),
  });
  assert.equal(dir, hubCacheFolder("acme/tiny-gpt2", cacheDir));
  for (const f of [...FILES, "tokenizer_config.json"]) {
    assert.deepEqual(readFileSync(join(dir, f)), readFileSync(join(TINY, f)), `${f} downloaded intact`);
    const size = readFileSync(join(TINY, f)).length;
    assert.deepEqual(progress.get(f), [size, size], `progress for ${f}`);
  }
  assert.ok(!readdirSync(dir).some((f) => f.includes(".part")), "no temp files left");
  assert.equal(requests.length, 5);
  // second time: nothing is fetched (the absent optional file is remembered)
  requests.length = 0;
  await resolveModel("acme/tiny-gpt2", {
    files: FILES,
    optionalFiles: ["tokenizer_config.json", "generation_config.json"],
    env,
  });
  assert.equal(requests.length, 0);
  // and offline mode is fine once cached; the policy loads from the cache
  const policy = await Gpt2Policy.load("acme/tiny-gpt2", { cacheDir, offline: true });
  assert.equal(policy.config.layers, 2);
  await policy.release();
});

test("offline mode and network failures give an error listing the files and the folder", async () => {
  const cacheDir = tempDir();
  const folder = hubCacheFolder("acme/tiny-gpt2", cacheDir);
  const expectFix = (e: unknown, why: RegExp) => {
    const msg = (e as Error).message;
    assert.match(msg, why);
    for (const f of FILES) assert.ok(msg.includes(f), `lists ${f}: ${msg}`);
    assert.ok(msg.includes(folder), `names the folder: ${msg}`);
    return true;
  };
  await assert.rejects(
    resolveModel("acme/tiny-gpt2", { files: FILES, env: { CURIO_CACHE_DIR: cacheDir, HF_HUB_OFFLINE: "1" } }),
    (e) => expectFix(e, /offline mode/),
  );
  await assert.rejects(
    resolveModel("acme/tiny-gpt2", { files: FILES, env: { CURIO_CACHE_DIR: cacheDir, CURIO_OFFLINE: "1" } }),
    (e) => expectFix(e, /offline mode/),
  );
  // a port nobody listens on
  const dead = createServer();
  await new Promise<void>((r) => dead.listen(0, "127.0.0.1", r));
  const port = (dead.address() as AddressInfo).port;
  await new Promise<void>((r) => dead.close(() => r()));
  await assert.rejects(
    resolveModel("acme/tiny-gpt2", {
      files: FILES,
      env: { CURIO_CACHE_DIR: cacheDir, HF_ENDPOINT: `http://127.0.0.1:${port}` },
    }),
    (e) =>
      expectFix(
        e,
        /download of http:\/\/127\.0\.0\.1:\d+\/acme\/tiny-gpt2\/resolve\/main\/config\.json failed/,
      ),
  );
  // a model the server does not have (404 on a required file)
  await assert.rejects(
    resolveModel("acme/other", { files: FILES, env: { CURIO_CACHE_DIR: cacheDir, HF_ENDPOINT: endpoint } }),
    /HTTP 404/,
  );
  assert.ok(!existsSync(join(folder, "config.json")));
});

test("local folders: used as they are; missing files and bad sources are named", async () => {
  assert.equal(await resolveModel(TINY, { files: FILES }), TINY);
  await assert.rejects(resolveModel(TINY, { files: [...FILES, "vocab.bin"] }), /is missing vocab\.bin/);
  await assert.rejects(
    resolveModel("./no/such/dir", { files: FILES }),
    /neither an existing folder nor a Hugging Face hub id/,
  );
});
