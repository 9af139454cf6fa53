import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  ConfigError,
  fillSeedTemplate,
  parseCsv,
  readSeedExamples,
  templateSlots,
} from "../../src/config/index.js";
import { tempDir } from "../store/helpers.js";

test("examples from .jsonl, .json, .csv and .txt files, inline lists and objects", () => {
  const { dir, cleanup } = tempDir("curio-seed-");
  try {
    const f = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const dolly = f(
      "d.jsonl",
      '{"instruction": "Why is the sky blue?", "category": "qa"}\n\n{"instruction": " Who? "}\n',
    );
    assert.deepEqual(readSeedExamples({ examples: { path: dolly, field: "instruction" } }), [
      "Why is the sky blue?",
      "Who?",
    ]);
    const alpaca = f(
      "a.json",
      '[{"instruction": "Give three tips.", "input": ""}, {"instruction": "Add 2+2."}]',
    );
    assert.deepEqual(readSeedExamples({ examples: { path: alpaca, field: "instruction", limit: 1 } }), [
      "Give three tips.",
    ]);
    const csv = f("q.csv", 'id,text\n1,"Hello, ""world"""\r\n2,plain\n3,"multi\nline"\n');
    assert.deepEqual(readSeedExamples({ examples: { path: csv, field: "text" } }), [
      'Hello, "world"',
      "plain",
      "multi\nline",
    ]);
    const txt = f("imdb.txt", "This movie was great fun to watch\n\nI hated every minute\n");
    assert.deepEqual(readSeedExamples({ examples: txt, firstWords: 4 }), [
      "This movie was great",
      "I hated every minute",
    ]);
    assert.deepEqual(readSeedExamples({ examples: [{ q: "a" }, "b"], field: "q" }), ["a", "b"]);
    assert.throws(
      () => readSeedExamples({ examples: { path: dolly } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        /line 1: examples are objects \(keys instruction, category\); set field/.test(e.message),
    );
    assert.throws(
      () => readSeedExamples({ examples: { path: csv, field: "body" } }),
      /no column "body"; columns: id, text/,
    );
    assert.throws(
      () => readSeedExamples({ examples: join(dir, "none.jsonl") }),
      /cannot read .*none\.jsonl \(ENOENT\)/,
    );
  } finally {
    cleanup();
  }
});

test("CSV parsing follows RFC 4180 quoting", () => {
  assert.deepEqual(parseCsv('a,b\n"x,y","z""q"\n,\n'), [
    ["a", "b"],
    ["x,y", 'z"q'],
    ["", ""],
  ]);
});

test("seed templates: slots in order of first use, filled with examples", () => {
  assert.deepEqual(templateSlots("Ask questions:\n1. {a}\n2. {b}\n3."), ["a", "b"]);
  assert.equal(fillSeedTemplate("Ask:\n1. {a}\n2. {b}\n3.", ["Q1?", "Q2?"]), "Ask:\n1. Q1?\n2. Q2?\n3.");
  assert.equal(fillSeedTemplate("{a}", ["This movie was great"]), "This movie was great");
  assert.throws(() => fillSeedTemplate("{a} {b} {c}", ["x"]), /needs 3 examples/);
});
