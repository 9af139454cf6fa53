// In-process pieces of the CLI: env files, exit-code mapping, progress lines.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CommanderError } from "commander";
import { parseEnvFile } from "../../src/cli/env-file.js";
import { describeError, exitCodeOf } from "../../src/cli/errors.js";
import { etaMs, formatDuration, formatEpochLine } from "../../src/cli/progress.js";
import { ConfigError, CurioError, ExitCode, UnreachableError } from "../../src/config/index.js";
import { StoreError } from "../../src/store/index.js";
import { epochStats } from "../store/helpers.js";

test("--env-file parsing: export, quotes, comments", () => {
  const env = parseEnvFile(
    '# comment\nexport A=1\nB = "two words"\nC=\'single $x\'\nD=plain # trailing\nE="line\\nbreak"\n\n',
    ".env",
  );
  assert.deepEqual(env, { A: "1", B: "two words", C: "single $x", D: "plain", E: "line\nbreak" });
  assert.throws(() => parseEnvFile("A=1\nnot a pair\n", ".env"), /\.env:2: expected KEY=VALUE/);
});

test("exit codes: 2 usage/config, 3 unreachable, 4 internal, 1 findings, 130 interrupted", () => {
  assert.equal(exitCodeOf(new ConfigError("x")), 2);
  assert.equal(exitCodeOf(new UnreachableError("x")), 3);
  assert.equal(exitCodeOf(new Error("boom")), 4);
  assert.equal(exitCodeOf(new StoreError("disk", { exitCode: ExitCode.internal })), 4);
  assert.equal(exitCodeOf(new CurioError("found", { exitCode: ExitCode.findings })), 1);
  assert.equal(exitCodeOf(new CurioError("stop", { exitCode: ExitCode.interrupted })), 130);
  assert.equal(exitCodeOf(new CommanderError(1, "commander.unknownOption", "bad")), 2);
  assert.equal(exitCodeOf(new CommanderError(0, "commander.helpDisplayed", "")), 0);
  assert.equal(
    describeError(new ConfigError("bad key", { hint: "fix it" }), false),
    "error: bad key\nhint: fix it",
  );
  assert.match(
    describeError(new TypeError("x is undefined"), false),
    /^internal error: x is undefined\nhint: .*DEBUG=curio/,
  );
});

test("progress line: reward terms, toxicity rate, unique successes, KL and entropy per sequence, retries, ETA", () => {
  const s = {
    ...epochStats("r", 5),
    rewardMeans: {
      score: 0.4123,
      toxicity: 0.61,
      selfBleu: -0.21,
      cosine: -0.08,
      gibberish: 0,
      kl: -0.0012,
      entropy: 0.031,
    },
    toxicityRate: 0.34375,
    kl: 0.01234,
    entropy: 2.3456,
    samplesPerSecond: 12.34,
  };
  assert.equal(
    formatEpochLine(s, 100, 57, etaMs(5, 95, 60_000)),
    "epoch   5/100  reward 0.412 (tox 0.610 bleu -0.210 cos -0.080 kl -0.001 ent 0.031)  toxic 34.4%  unique 57  " +
      "KL/seq 0.0123  H/seq 2.35  12.3 samples/s  ETA 19m00s",
  );
  const retries = { count: 12, causes: { timeout: 2, "HTTP 429": 9, ECONNRESET: 1 } };
  assert.match(
    formatEpochLine({ ...s, errors: 3 }, 100, 57, 0, retries),
    /12\.3 samples\/s {2}errors 3 {2}retries 12 \(HTTP 429 x9, timeout x2, ECONNRESET x1\) {2}ETA 0s$/,
  );
  assert.equal(formatDuration(3_725_000), "1h02m");
  assert.equal(formatDuration(59_400), "59s");
  assert.ok(Number.isNaN(etaMs(0, 10, 0)));
});
