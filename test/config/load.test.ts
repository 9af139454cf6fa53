import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ConfigError, interpolateEnv, loadConfig, providerSpecError } from "../../src/config/index.js";
import { tempDir } from "../store/helpers.js";

const base = "target: { id: openai:chat:m }\njudge: { id: lexicon }\n";

function write(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test("${ENV} and ${ENV:-default} interpolation; unset variables name the variable and key", () => {
  assert.equal(interpolateEnv("a ${X} b ${Y:-dflt} c $${Z}", { X: "1" }, "k"), "a 1 b dflt c ${Z}");
  assert.equal(interpolateEnv("${Y:-}", {}, "k"), "");
  const { dir, cleanup } = tempDir("curio-config-");
  try {
    const p = write(
      dir,
      "curio.yaml",
      base.replace("openai:chat:m", "'openai:chat:${MODEL}'") +
        "name: ${RUN_NAME:-fallback}\ntemplate: { system: 'x${SYS}y' }\n",
    );
    const c = loadConfig(p, { env: { MODEL: "gpt-4o", SYS: "!" } }).config;
    assert.equal(c.target.id, "openai:chat:gpt-4o");
    assert.equal(c.name, "fallback");
    assert.equal(c.template.system, "x!y");
    assert.throws(
      () => loadConfig(p, { env: { MODEL: "m" } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === "template.system: environment variable SYS is not set" &&
        /--env-file/.test(e.hint!),
    );
  } finally {
    cleanup();
  }
});

test("file:// references load text, YAML, JSON and JSONL relative to the referencing file", () => {
  const { dir, cleanup } = tempDir("curio-config-");
  try {
    mkdirSync(join(dir, "sub"));
    write(dir, "system.txt", "Be helpful.\n${NOT_INTERPOLATED}");
    write(dir, "sub/judge.yaml", "id: lexicon\nwords: file://words.json\n");
    write(dir, "sub/words.json", '{"kill": 2}');
    write(dir, "sub/examples.jsonl", '"first"\n\n"second"\n');
    const p = write(
      dir,
      "curio.yaml",
      "target: { id: 'file://my-target.mjs', opt: 1 }\n" +
        "judge: file://sub/judge.yaml\n" +
        "template: { system: file://system.txt }\n" +
        "redteam: { seedPrompts: { examples: file://sub/examples.jsonl } }\n",
    );
    const c = loadConfig(p, { env: {}, checkProviders: false }).config;
    assert.equal(c.template.system, "Be helpful.\n${NOT_INTERPOLATED}");
    assert.deepEqual(c.judge, { id: "lexicon", words: { kill: 2 } });
    assert.deepEqual(c.redteam.seedPrompts.examples, ["first", "second"]);
    assert.equal(c.target.id, "file://my-target.mjs", "a provider module id stays a reference");
    write(dir, "missing.yaml", `${base}template: { system: file://nope.txt }\n`);
    assert.throws(
      () => loadConfig(join(dir, "missing.yaml"), { env: {} }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /^template\.system \(file:\/\/nope\.txt\): cannot read .*nope\.txt \(ENOENT\)$/.test(e.message),
    );
  } finally {
    cleanup();
  }
});

test("relative paths resolve against the config file's folder", () => {
  const { dir, cleanup } = tempDir("curio-config-");
  try {
    mkdirSync(join(dir, "proj"));
    const p = write(
      dir,
      "proj/curio.yaml",
      `${base}workspace: out/ws\nredteam: { model: ./models/rt, seedPrompts: { examples: data/q.jsonl } }\n`,
    );
    const c = loadConfig(p, { env: {} }).config;
    assert.equal(c.workspace, join(dir, "proj", "out", "ws"));
    assert.equal(c.redteam.model, join(dir, "proj", "models", "rt"));
    assert.deepEqual(c.redteam.seedPrompts.examples, { path: join(dir, "proj", "data", "q.jsonl") });
    const hub = loadConfig(write(dir, "hub.yaml", `${base}redteam: { model: gpt2 }\n`), { env: {} }).config;
    assert.equal(hub.redteam.model, "gpt2", "hub ids are not paths");
  } finally {
    cleanup();
  }
});

test("YAML syntax errors give file:line:col; a missing file suggests curio init", () => {
  const { dir, cleanup } = tempDir("curio-config-");
  try {
    const p = write(dir, "bad.yaml", "name: ok\ntarget: [unclosed\n");
    assert.throws(
      () => loadConfig(p),
      (e: unknown) => e instanceof ConfigError && /bad\.yaml:\d+:\d+: invalid YAML/.test(e.message),
    );
    assert.throws(
      () => loadConfig(join(dir, "nope.yaml")),
      (e: unknown) => e instanceof ConfigError && /not found/.test(e.message) && /curio init/.test(e.hint!),
    );
    const empty = write(dir, "empty.yaml", "");
    assert.throws(() => loadConfig(empty), /target: required/);
  } finally {
    cleanup();
  }
});

test("provider options are checked against the registry with the config key path", () => {
  const { dir, cleanup } = tempDir("curio-config-");
  try {
    const p = write(
      dir,
      "curio.yaml",
      "target: { id: 'openai:chat', max_tokns: 3 }\njudge: { id: lexicn }\nembedder: { id: 'openai:chat:x' }\n",
    );
    assert.throws(
      () => loadConfig(p, { env: {} }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.equal(e.problems[0], "target.id: openai:chat needs a model: openai:chat:<model>");
        assert.match(
          e.problems[1]!,
          /^target\.max_tokns: not an option of openai:chat \(did you mean "max_tokens"\?\)/,
        );
        assert.match(e.problems[2]!, /^judge\.id: unknown provider "lexicn" \(did you mean "lexicon"\?\)/);
        assert.match(
          e.problems[3]!,
          /^embedder\.id: openai:chat is a target provider; embedder providers: .*hashing/,
        );
        return true;
      },
    );
  } finally {
    cleanup();
  }
});

test("providerSpecError prefixes a factory's zod issues with the config key", () => {
  const zodLike = { issues: [{ path: ["headers", "x"], message: "expected string" }] };
  const e = providerSpecError("evalJudge", { id: "llm-judge" }, zodLike);
  assert.ok(e instanceof ConfigError);
  assert.deepEqual(e.problems, ["evalJudge.headers.x: expected string"]);
  const plain = providerSpecError("target", { id: "http" }, new Error("url is required"));
  assert.equal(plain.message, "target (provider http): url is required");
  assert.equal(plain.exitCode, 2);
});
