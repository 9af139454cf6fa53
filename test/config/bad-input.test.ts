// Malformed input a user can write: every one is a usage error (exit code 2) naming the file (and the
// line where there is one), never an internal error. Kept from a larger fuzzing of the config loader,
// the seed readers and env files.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { parseEnvFile } from "../../src/cli/env-file.js";
import { main } from "../../src/cli/main.js";
import { ConfigError, loadConfig, readSeedExamples } from "../../src/config/index.js";
import { tempDir } from "../store/helpers.js";

const base = "target: { id: scripted, default: hi }\njudge: { id: lexicon, terms: [bad] }\n";

// nine levels of nine aliases: 9^7 values from a few hundred bytes
const aliasBomb =
  `a: &a [x, x, x, x, x, x, x, x, x]\n` +
  ["b", "c", "d", "e", "f", "g"]
    .map((k, i) => `${k}: &${k} [${Array(9).fill(`*${"abcdef"[i]}`).join(", ")}]\n`)
    .join("") +
  base;

/** [name, file contents, message the error must match] for curio.yaml. */
const configs: [string, string | Buffer, RegExp][] = [
  ["alias bomb", aliasBomb, /bomb\.yaml:6:\d+: invalid YAML: \*e expands to more than 10000 values/],
  ["alias of no anchor", `${base}name: *nope\n`, /:3:7: invalid YAML: \*nope names no anchor &nope/],
  [
    "binary file",
    Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]),
    /is not a text file \(a NUL byte on line 1/,
  ],
  ["UTF-16", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(base, "utf16le")]), /is UTF-16 text/],
  [
    "Latin-1",
    Buffer.from(`${base}name: caf\xe9\n`, "latin1"),
    /is not valid UTF-8 \(line 3, byte \d+: 0xe9\)/,
  ],
  ["NaN", `${base}ppo: { lr: .nan }\n`, /ppo\.lr: expected a number, got NaN/],
  ["1e400", `${base}seed: 1e400\n`, /seed: expected a number, got Infinity/],
  ["-.inf", `${base}rewards: { clip: -.inf }\n`, /rewards\.clip: .*got -Infinity/],
  ["two documents", `${base}---\nname: x\n`, /:3:1: invalid YAML: a second document starts here/],
  [
    "nesting",
    `a: ${"[".repeat(3000)}${"]".repeat(3000)}\n`,
    /:1:\d+: invalid YAML: values nested too deeply/,
  ],
  ["unclosed ${", `${base}name: run-\${USER\n`, /name: "\$\{USER" is not an environment reference/],
  [
    "mapping as a key",
    `${base}? { a: 1 }\n: x\n`,
    /:3:3: invalid YAML: a key must be text, not a mapping or a list/,
  ],
  ["unknown slot", `${base}redteam: { seedPrompts: { template: "Ask: {a} {zz}" } }\n`, /unknown slot \{zz\}/],
];

test("malformed curio.yaml: each a ConfigError naming the file and line", () => {
  const { dir, cleanup } = tempDir("curio-bad-");
  try {
    for (const [name, text, expected] of configs) {
      const path = join(dir, name === "alias bomb" ? "bomb.yaml" : "curio.yaml");
      writeFileSync(path, text);
      assert.throws(
        () => loadConfig(path, { env: {} }),
        (e: unknown) => e instanceof ConfigError && expected.test(e.message),
        name,
      );
    }
  } finally {
    cleanup();
  }
});

/** [file name, contents, message] for seed example files (field "text" for .jsonl/.csv). */
const seeds: [string, string | Buffer, RegExp][] = [
  ["unclosed.csv", 'text\n"abc\ndef\n', /unclosed\.csv\) line 2: a quoted field opened here is never closed/],
  ["gzip.csv", Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), /gzip\.csv is not a text file/],
  ["program.txt", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 10, 1]), /program\.txt is not a text file/],
  ["latin1.txt", Buffer.from("ok\ncaf\xe9\n", "latin1"), /latin1\.txt is not valid UTF-8 \(line 2/],
  ["bad.jsonl", '{"text": "a"}\n{"text": \n', /bad\.jsonl\) line 2: invalid JSON/],
];

test("malformed seed files: ConfigErrors naming the file and line; a byte-order mark is not data", () => {
  const { dir, cleanup } = tempDir("curio-bad-");
  try {
    for (const [name, text, expected] of seeds) {
      const path = join(dir, name);
      writeFileSync(path, text);
      assert.throws(
        () =>
          readSeedExamples({ examples: { path, field: /\.(csv|jsonl)$/.test(name) ? "text" : undefined } }),
        (e: unknown) => e instanceof ConfigError && expected.test(e.message),
        name,
      );
    }
    const bom = join(dir, "bom.csv");
    writeFileSync(bom, "\ufefftext\nhello\n");
    assert.deepEqual(readSeedExamples({ examples: { path: bom, field: "text" } }), ["hello"]);
  } finally {
    cleanup();
  }
});

test("env files: an unclosed quote names the line", () => {
  assert.throws(
    () => parseEnvFile('A=1\nKEY="abc\n', "x.env"),
    /^ConfigError: x\.env:2: the value of KEY opens a " quote that is never closed$/,
  );
  assert.deepEqual(parseEnvFile("A='x # y'  # note\nB=\"a\\nb\"\n", "x.env"), { A: "x # y", B: "a\nb" });
});

test("through the CLI: exit code 2 and the message, no stack trace", async () => {
  const { dir, cleanup } = tempDir("curio-bad-");
  try {
    const path = join(dir, "bomb.yaml");
    writeFileSync(path, aliasBomb);
    let stderr = "";
    const code = await main(["node", "curio", "run", "-c", path], {
      out: () => {},
      err: (t) => {
        stderr += t;
      },
    });
    assert.equal(code, 2);
    assert.match(stderr, /^error: .*bomb\.yaml:6:\d+: invalid YAML: \*e expands/);
    assert.doesNotMatch(stderr, /internal error|\n\s+at /);
  } finally {
    cleanup();
  }
});
