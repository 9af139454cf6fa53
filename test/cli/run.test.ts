// `curio run` against a stand-in campaign: what it passes in, the progress lines, JSON lines,
// --fail-on-findings (exit 1) and an interrupted run (exit 130 with a resume hint).
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { Command } from "commander";
import type { CampaignOptions, CampaignResult } from "../../src/cli/campaign-contract.js";
import { runCommand } from "../../src/cli/commands/run.js";
import { CurioError } from "../../src/config/index.js";
import { CUDA_INSTALL_COMMAND, ortBinaryDir } from "../../src/engine/index.js";
import { epochStats, runInput, tempDir } from "../store/helpers.js";

function fakeCampaign(calls: CampaignOptions[], opts: { interrupted?: boolean; successes?: number } = {}) {
  return async () =>
    async (o: CampaignOptions): Promise<CampaignResult> => {
      calls.push(o);
      const run = o.store.createRun({ ...runInput, name: o.config.name, method: o.config.method });
      for (let e = 1; e <= 2; e++) {
        const stats = {
          ...epochStats(run.id, e),
          rewardMeans: { score: 0.5, toxicity: 0.75 },
          toxicityRate: 0.5,
        };
        o.onEpoch?.(stats, { totalEpochs: o.maxEpochs ?? 3, uniqueSuccesses: 6 + e });
      }
      o.log?.("a log line");
      return {
        run,
        epochs: 2,
        samples: 256,
        successes: opts.successes ?? 9,
        errors: 1,
        evalJudgeErrors: 0,
        interrupted: opts.interrupted ?? false,
      };
    };
}

async function runCli(dir: string, args: string[], campaign: ReturnType<typeof fakeCampaign>) {
  let stdout = "";
  let stderr = "";
  const program = new Command("curio").option("-q, --quiet").option("--no-progress-bar").exitOverride();
  const io = {
    out: (t: string) => {
      stdout += t;
    },
    err: (t: string) => {
      stderr += t;
    },
  };
  program.addCommand(runCommand(io, campaign).exitOverride());
  let error: unknown;
  try {
    await program.parseAsync(["node", "curio", "run", "-c", join(dir, "curio.yaml"), ...args]);
  } catch (e) {
    error = e;
  }
  return { stdout, stderr, error };
}

test("curio run: options reach the campaign; one progress line per epoch; summary", async () => {
  const { dir, cleanup } = tempDir("curio-run-");
  try {
    writeFileSync(
      join(dir, "curio.yaml"),
      "name: t\ntarget: { id: 'openai:chat:m' }\njudge: { id: lexicon }\nworkspace: ws\n",
    );
    const calls: CampaignOptions[] = [];
    const r = await runCli(
      dir,
      ["-j", "3", "--seed", "7", "--max-epochs", "2", "--no-cache"],
      fakeCampaign(calls),
    );
    assert.equal(r.error, undefined, String(r.error));
    const o = calls[0]!;
    assert.deepEqual(
      [o.concurrency, o.seed, o.maxEpochs, o.resume, o.config.cache],
      [3, 7, 2, undefined, false],
    );
    assert.equal(o.config.workspace, join(dir, "ws"));
    assert.equal(o.configPath, join(dir, "curio.yaml"));
    assert.ok(o.signal instanceof AbortSignal && !o.signal.aborted);
    const lines = r.stdout.trim().split("\n");
    assert.match(
      lines[0]!,
      /^epoch 1\/2 {2}reward 0\.500 \(tox 0\.750\) {2}toxic 50\.0% {2}unique 7 {2}KL\/seq /,
    );
    assert.match(lines[1]!, /^epoch 2\/2 .* unique 8 .* ETA 0s$/);
    assert.match(
      lines[2]!,
      /^run crt-\d{8}-[0-9a-f]{4}: 2 epochs, 256 test cases, 9 unique successes, 1 errors in /,
    );
    assert.match(r.stderr, /a log line/);
  } finally {
    cleanup();
  }
});

test("curio run --json prints JSON lines; --fail-on-findings exits 1; interrupted exits 130", async () => {
  const { dir, cleanup } = tempDir("curio-run-");
  try {
    writeFileSync(
      join(dir, "curio.yaml"),
      "target: { id: 'openai:chat:m' }\njudge: { id: lexicon }\nfailOnFindings: 100\n",
    );
    const json = await runCli(dir, ["--json", "--fail-on-findings", "5"], fakeCampaign([]));
    const records = json.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      records.map((r) => r.type),
      ["epoch", "epoch", "result"],
    );
    assert.equal(records[1]!.uniqueSuccessesTotal, 8);
    assert.equal(records[2]!.successes, 9);
    assert.ok(json.error instanceof CurioError && json.error.exitCode === 1, String(json.error));
    assert.match((json.error as Error).message, /9 unique successes exceed --fail-on-findings 5/);

    const underConfigLimit = await runCli(dir, ["--quiet"], fakeCampaign([]));
    assert.equal(underConfigLimit.error, undefined, "9 <= failOnFindings 100 from the config");
    assert.doesNotMatch(underConfigLimit.stdout, /^epoch/m, "--quiet drops progress lines");

    const stopped = await runCli(dir, [], fakeCampaign([], { interrupted: true }));
    const e = stopped.error as CurioError;
    assert.equal(e.exitCode, 130);
    assert.match(e.hint!, /--resume crt-/);
  } finally {
    cleanup();
  }
});

test("curio run --device: cpu reaches the campaign; cuda without its onnxruntime binaries is exit 2 naming the install", async (t) => {
  if (process.platform !== "linux" || process.arch !== "x64")
    return t.skip("the CUDA provider exists for linux/x64 only");
  if (existsSync(join(ortBinaryDir(), "libonnxruntime_providers_cuda.so")))
    return t.skip("the CUDA provider is installed here");
  const { dir, cleanup } = tempDir("curio-run-");
  try {
    writeFileSync(join(dir, "curio.yaml"), "target: { id: 'openai:chat:m' }\njudge: { id: lexicon }\n");
    const calls: CampaignOptions[] = [];
    const cpu = await runCli(dir, ["--device", "cpu"], fakeCampaign(calls));
    assert.equal(cpu.error, undefined, String(cpu.error));
    assert.equal(calls[0]!.config.device, "cpu");
    for (const args of [["--device", "cuda"], []]) {
      if (args.length === 0)
        writeFileSync(
          join(dir, "curio.yaml"),
          "device: cuda\ntarget: { id: 'openai:chat:m' }\njudge: { id: lexicon }\n",
        );
      const r = await runCli(dir, args, fakeCampaign(calls));
      assert.ok(r.error instanceof CurioError, String(r.error));
      assert.equal(r.error.exitCode, 2);
      assert.match(
        r.error.message,
        /device cuda: onnxruntime-node's CUDA execution provider is not installed/,
      );
      assert.ok(r.error.hint?.includes(CUDA_INSTALL_COMMAND), r.error.hint);
    }
    assert.equal(calls.length, 1, "no campaign starts on a device that cannot run");
  } finally {
    cleanup();
  }
});
