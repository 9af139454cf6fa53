// The registry and factories: id parsing, role checks, option validation messages, custom providers, docs.
import assert from "node:assert/strict";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  createEmbedder,
  createGibberish,
  createJudge,
  createTarget,
  kindsOfRole,
  PROVIDER_KIND_NAMES,
  parseProviderId,
  renderProvidersDoc,
} from "../../src/providers/index.js";
import { DOC_PATH, generatedBlock } from "./helpers/update-docs.js";

test("ids: longest registered prefix wins; the rest is the model", () => {
  assert.deepEqual(parseProviderId("openai:chat:meta-llama/Llama-2-7b-chat-hf"), {
    kind: "openai:chat",
    model: "meta-llama/Llama-2-7b-chat-hf",
  });
  assert.deepEqual(parseProviderId("transformers-classifier:./models/x"), {
    kind: "transformers-classifier",
    model: "./models/x",
  });
  assert.deepEqual(parseProviderId("transformers:C:/models/gpt2"), {
    kind: "transformers",
    model: "C:/models/gpt2",
  });
  assert.deepEqual(parseProviderId("lexicon"), { kind: "lexicon", model: "" });
  assert.equal(parseProviderId("openai"), undefined);
  assert.equal(parseProviderId("lexiconx"), undefined);
});

test("every role has kinds, and each kind is in exactly one role", () => {
  const roles = ["target", "judge", "embedder", "gibberish"] as const;
  const all = roles.flatMap((r) => kindsOfRole(r));
  assert.deepEqual([...all].sort(), [...PROVIDER_KIND_NAMES].sort());
  assert.deepEqual(kindsOfRole("embedder"), ["transformers-embed", "openai-embed", "hashing"]);
});

test("errors: unknown id lists known ids; wrong role; missing/unexpected model; bad options", async () => {
  await assert.rejects(createTarget("nope:x"), (e: Error) => {
    assert.match(
      e.message,
      /unknown target id "nope:x"; known targets: openai:chat:<model>, openai:completion:<model>, http, scripted/,
    );
    assert.match(e.message, /file:\/\/custom\.mjs/);
    return true;
  });
  await assert.rejects(
    createJudge("hashing"),
    /"hashing" is an embedder, not a judge; known judges: transformers-classifier/,
  );
  await assert.rejects(createTarget("openai:chat"), /needs a model: write openai:chat:<model>/);
  await assert.rejects(createEmbedder("hashing:foo"), /hashing takes no model in its id/);
  await assert.rejects(
    createEmbedder({ id: "hashing", dims: 8 }),
    /option "dims" is not known \(did you mean "dim"\?\)/,
  );
  await assert.rejects(createEmbedder({ id: "hashing", dim: "8" }), /option "dim": .*expected number/);
  await assert.rejects(createTarget({ id: "openai:chat:m", concurrency: 0 }), /option "concurrency": .*>=1/);
  await assert.rejects(createTarget({ id: "openai:completion:m", template: "alpacca" }), /option "template"/);
  await assert.rejects(createTarget({ id: "" }), /a target needs an id/);
});

test("custom providers from file:// modules: object, class, factory function", async () => {
  const dir = await mkdtemp(join(tmpdir(), "curio-custom-"));
  await writeFile(
    join(dir, "obj.mjs"),
    "export default { async respond(prompts) { return prompts.map((p) => ({ text: p.toUpperCase(), latencyMs: 0 })); } };",
  );
  await writeFile(
    join(dir, "cls.mjs"),
    "export default class J { constructor(o) { this.id = 'kw'; this.w = o.words; }\n" +
      "  async score(_p, rs) { return rs.map((r) => ({ score: this.w.some((w) => r.includes(w)) ? 1 : 0 })); } }",
  );
  await writeFile(
    join(dir, "fn.mjs"),
    "export default async (o) => ({ dim: o.dim, async embed(ts) { return ts.map(() => new Float32Array(o.dim)); } });",
  );
  await writeFile(join(dir, "bad.mjs"), "export default { hello() {} };");
  const ctx = { baseDir: dir };
  const t = await createTarget({ id: "file://obj.mjs" }, ctx);
  assert.equal(t.id, "file://obj.mjs");
  assert.deepEqual(
    (await t.respond(["ab"])).map((r) => r.text),
    ["AB"],
  );
  const j = await createJudge({ id: "file://cls.mjs", words: ["idiot"] }, ctx);
  assert.equal(j.id, "kw");
  assert.deepEqual(
    (await j.score(["", ""], ["you idiot", "hello"])).map((r) => r.score),
    [1, 0],
  );
  const e = await createEmbedder({ id: "file://fn.mjs", dim: 3 }, ctx);
  assert.equal(e.dim, 3);
  await assert.rejects(
    createGibberish({ id: "file://bad.mjs" }, ctx),
    /must default-export an object with a gibberish\(\) method/,
  );
  await assert.rejects(createEmbedder({ id: "file://obj.mjs" }, ctx), /with a embed\(\) method/);
});

test("docs/providers.md holds the generated reference of every provider kind", async () => {
  const doc = await readFile(DOC_PATH, "utf8");
  const block = generatedBlock(doc);
  assert.ok(block, "generated markers missing");
  assert.equal(
    block,
    renderProvidersDoc().trim(),
    "stale: run npx tsx test/providers/helpers/update-docs.ts",
  );
  for (const name of PROVIDER_KIND_NAMES) assert.ok(block.includes(`### \`${name}`), name);
  assert.match(block, /\| `concurrency` \| integer \| `8` \| Requests in flight at once/);
});

test("command-line defaults apply only to kinds that have the option; --no-cache forces cache off", async () => {
  const { startFakeServer } = await import("./helpers/openai-server.js");
  // Answers take 150 ms so that even a loaded machine has every allowed request in flight at once.
  const s = await startFakeServer({ delayMs: 150 });
  const dir = await mkdtemp(join(tmpdir(), "curio-cli-"));
  try {
    const ctx = { defaults: { concurrency: 2, cache: true, cacheDir: dir }, baseDir: dir };
    // scripted and lexicon have no concurrency option: the default is skipped, not rejected.
    await createTarget({ id: "scripted", default: "x" }, ctx);
    await createJudge({ id: "lexicon", terms: ["a"] }, ctx);
    const target = await createTarget({ id: "openai:chat:m", baseUrl: s.url }, ctx);
    await target.respond(["a", "b", "c", "d", "e"]);
    assert.equal(s.maxInFlight, 2);
    const again = await target.respond(["a"]);
    assert.equal(again[0].cached, true);
    const fresh = await createTarget({ id: "openai:chat:m", baseUrl: s.url }, { ...ctx, noCache: true });
    const before = s.seen.length;
    const [r] = await fresh.respond(["a"]);
    assert.equal(r.cached, false);
    assert.equal(s.seen.length, before + 1);
    // The spec's own value wins over the command-line default.
    const own = await createTarget(
      { id: "openai:chat:m", baseUrl: s.url, concurrency: 5 },
      { defaults: { concurrency: 1 } },
    );
    s.maxInFlight = 0;
    await own.respond(["1", "2", "3", "4", "5", "6"]);
    assert.equal(s.maxInFlight, 5);
  } finally {
    await s.close();
  }
});
