// The `curio` binary, spawned as a user runs it: help, init, a bad config, runs, usage errors.
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { loadConfig, parseConfig, presetConfig } from "../../src/config/index.js";
import { CUDA_INSTALL_COMMAND, ortBinaryDir } from "../../src/engine/index.js";
import { RunStore } from "../../src/store/index.js";
import { runInput, sample, tempDir } from "../store/helpers.js";
import { spawnCurio } from "./helpers.js";

const cudaInstalled = existsSync(join(ortBinaryDir(), "libonnxruntime_providers_cuda.so"));

test("curio binary: --help, init, bad config, runs, usage errors", { timeout: 120_000 }, async () => {
  const { dir, cleanup } = tempDir("curio-cli-");
  try {
    const ws = join(dir, "ws");
    const store = RunStore.open(ws);
    const run = store.createRun({ ...runInput, name: "nightly" });
    store.appendSamples([0, 1, 2].map((i) => sample(run.id, i, 0, { judgeScore: i === 0 ? 0.9 : 0.1 })));
    store.close();
    writeFileSync(
      join(dir, "bad.yaml"),
      "target: { id: 'openai:chat:m' }\njudge: { id: lexicon }\nppo:\n  lr: -1\n  kl: { type: adaptiv }\n",
    );

    // Few processes: each one compiles the CLI with tsx, which is slow on a busy machine.
    const [help, init, bad, runsJson, cuda] = await Promise.all([
      spawnCurio(["--help"], { cwd: dir }),
      spawnCurio(["init", "--preset", "alpaca:rl", "-o", "curio.yaml"], { cwd: dir }),
      spawnCurio(["run", "-c", "bad.yaml"], { cwd: dir }),
      spawnCurio(["runs", "--workspace", ws, "--json", "--tau", "0.5"], { cwd: dir }),
      spawnCurio(["sft", "--model", "m", "--data", "d.jsonl", "--out", "o", "--device", "cuda"], {
        cwd: dir,
      }),
    ]);

    assert.equal(help.code, 0, help.stderr);
    for (const c of ["init", "run", "eval", "runs", "sft", "view", "export"]) {
      assert.match(help.stdout, new RegExp(`\\n  ${c} `), `--help lists ${c}`);
    }
    assert.match(help.stdout, /--env-file <file>/);

    assert.equal(init.code, 0, init.stderr);
    assert.match(init.stdout, /wrote curio\.yaml \(preset alpaca:rl, method rl\)/);
    const written = loadConfig(join(dir, "curio.yaml"), { env: {} }).config;
    const expected = parseConfig(presetConfig("alpaca", "rl"));
    assert.equal(written.method, "rl");
    assert.deepEqual(written.rewards, expected.rewards);
    assert.deepEqual(written.redteam.generation, expected.redteam.generation);
    assert.match(readFileSync(join(dir, "curio.yaml"), "utf8"), /^ {2}# Coefficient of R\(y\)/m);

    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /error: bad\.yaml is invalid:/);
    assert.match(bad.stderr, / {2}- ppo\.lr: expected a number > 0, got -1/);
    assert.match(
      bad.stderr,
      / {2}- ppo\.kl\.type: expected one of "fixed" \| "adaptive", got "adaptiv" \(did you mean "adaptive"\?\)/,
    );
    assert.equal(bad.stdout, "");

    if (process.platform === "linux" && process.arch === "x64" && !cudaInstalled) {
      assert.equal(cuda.code, 2, cuda.stderr);
      assert.match(
        cuda.stderr,
        /^error: device cuda: onnxruntime-node's CUDA execution provider is not installed/,
      );
      assert.ok(cuda.stderr.includes(`hint: install its CUDA 12 binaries with \`${CUDA_INSTALL_COMMAND}\``));
    }

    const listed = JSON.parse(runsJson.stdout) as {
      id: string;
      samples: number;
      successes: number;
      config?: unknown;
    }[];
    assert.deepEqual(
      listed.map((r) => [r.id, r.samples, r.successes, r.config]),
      [[run.id, 3, 1, undefined]],
    );
  } finally {
    cleanup();
  }
});
