// The `curio` process as an operating system treats it: real signals, a second process resuming a run
// that is still being written, a killed writer, and an --env-file that does not exist.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { main } from "../../src/cli/main.js";
import { RunStore } from "../../src/store/index.js";
import { tinyConfig, writeConfig } from "../campaign/helpers.js";
import { CLI, spawnCurio, startCurio, TSX } from "./helpers.js";

const epochLines = (stdout: string) =>
  stdout
    .split("\n")
    .filter((l) => l.includes('"type":"epoch"'))
    .map((l) => JSON.parse(l) as { runId: string; epoch: number });

/** Waits until the child has printed `n` epoch lines; returns the last one. */
async function epochs(started: ReturnType<typeof startCurio>, n: number) {
  await started.waitFor((stdout) => epochLines(stdout).length >= n);
  return epochLines(started.stdout()).at(-1)!;
}

async function runs(workspace: string): Promise<{ id: string; status: string }[]> {
  let stdout = "";
  const code = await main(["node", "curio", "runs", "--workspace", workspace, "--json"], {
    out: (t) => {
      stdout += t;
    },
    err: () => {},
  });
  assert.equal(code, 0);
  return JSON.parse(stdout);
}

test("one writer per run; a killed writer's run reads as interrupted; SIGTERM and SIGHUP stop like Ctrl-C", {
  timeout: 300_000,
}, async () => {
  const { path, workspace } = writeConfig(
    tinyConfig({ ppo: { ...(tinyConfig().ppo as object), epochs: 2000 } }),
  );
  const first = startCurio(["run", "-c", path, "--json"]);
  const { runId } = await epochs(first, 2);

  // a second process resuming the live run is refused before it changes anything
  const second = await spawnCurio(["run", "-c", path, "--resume", runId]);
  assert.equal(second.code, 2, second.stderr);
  assert.match(
    second.stderr,
    new RegExp(`run ${runId} is in use by another curio process: pid ${first.child.pid} `),
  );
  assert.deepEqual(await runs(workspace).then((r) => r.map((x) => x.status)), ["running"]);

  first.child.kill("SIGKILL");
  await first.done;
  assert.deepEqual(await runs(workspace).then((r) => r.map((x) => x.status)), ["interrupted"]);

  // the next resume takes the dead writer's lock over, and SIGTERM stops it cleanly
  const third = startCurio(["run", "-c", path, "--resume", runId, "--json"]);
  const resumedAt = (await epochs(third, 1)).epoch;
  third.child.kill("SIGTERM");
  const termed = await third.done;
  assert.equal(termed.code, 143, termed.stderr);
  assert.match(termed.stderr, new RegExp(`left locked by pid ${first.child.pid} .*taking it over`));
  assert.match(termed.stderr, /SIGTERM: stopping after the current step/);
  assert.match(
    termed.stderr,
    new RegExp(`interrupted by SIGTERM\\nhint: continue it with .*--resume ${runId}`),
  );

  const fourth = startCurio(["run", "-c", path, "--resume", runId, "--json"]);
  const again = await epochs(fourth, 1);
  fourth.child.kill("SIGHUP");
  const hung = await fourth.done;
  assert.equal(hung.code, 129, hung.stderr);
  assert.match(hung.stderr, /interrupted by SIGHUP/);
  assert.doesNotMatch(hung.stderr, /taking it over/, "SIGTERM left no lock behind");
  const lastTerm = Math.max(...epochLines(termed.stdout).map((e) => e.epoch));
  assert.ok(again.epoch > lastTerm && lastTerm >= resumedAt, "each resume continues where the last stopped");

  const store = RunStore.open(workspace, { readonly: true });
  try {
    assert.equal(store.getRun(runId).status, "interrupted");
    const indices = [...store.samples(runId)].map((s) => s.index);
    assert.deepEqual(
      indices,
      Array.from({ length: indices.length }, (_, i) => i),
      "dense indices",
    );
    assert.equal(indices.length, store.latestCheckpoint(runId)!.sampleCount);
  } finally {
    store.close();
  }
});

test("--env-file naming a missing file is curio's usage error, also when started through the shebang", {
  timeout: 60_000,
}, async () => {
  // the interpreter and options of the first line, as a shell (or npm's bin link) starts the file
  const shebang = readFileSync(CLI, "utf8").split("\n")[0]!;
  const words = shebang.replace(/^#!\S*env\s+(-S\s+)?/, "").split(/\s+/);
  assert.equal(words[0], "node");
  const child = spawn(process.execPath, [...words.slice(1), CLI, "--env-file", "missing.env", "runs"], {
    env: { ...process.env, NODE_OPTIONS: `--import=${TSX}` },
    cwd: join(CLI, "../../.."),
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => {
    stderr += d;
  });
  const code = await new Promise((r) => child.on("close", r));
  assert.equal(code, 2, stderr);
  assert.match(stderr, /^error: --env-file: cannot read missing\.env \(ENOENT\)/);
});
