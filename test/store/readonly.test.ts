// A workspace the user cannot write to: commands that only read the store work (runs, eval, report,
// export, view), and writing says "read-only" with the path (exit code 2), never a crash. Root can
// write anywhere, so when the tests run as root the attempts are made by children as user "nobody".
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RunStore } from "../../src/store/index.js";
import { curioCommands, NOBODY } from "../cli/helpers.js";
import { runInput, sample, tempDir } from "./helpers.js";

const root = new URL("../..", import.meta.url).pathname;
const asRoot = process.getuid?.() === 0;
const user = asRoot ? { uid: NOBODY, env: { HOME: "/tmp" } } : {};

function openAsUser(workspace: string): {
  ok: boolean;
  store?: boolean;
  message?: string;
  hint?: string;
  exitCode?: number;
} {
  const r = spawnSync(process.execPath, ["--import", "tsx", "test/store/open-child.ts", workspace], {
    cwd: root,
    encoding: "utf8",
    ...(asRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: "/tmp" } } : {}),
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

/** A workspace with one finished run, then made read-only (folder 555, file 444). */
function readOnlyWorkspace(dir: string): { ws: string; runId: string } {
  chmodSync(dir, 0o755);
  const ws = join(dir, "ws");
  const store = RunStore.open(ws);
  const run = store.createRun(runInput);
  store.appendSamples([0, 1, 2, 3].map((i) => sample(run.id, i, 1, { judgeScore: i / 3 })));
  store.setStatus(run.id, "completed");
  store.close();
  chmodSync(join(ws, "curio.db"), 0o444);
  chmodSync(ws, 0o555);
  return { ws, runId: run.id };
}

test("read-only workspace: writing says read-only with the path; the store is untouched", {
  timeout: 30_000,
}, () => {
  const { dir, cleanup } = tempDir();
  try {
    const { ws } = readOnlyWorkspace(dir);
    const existing = openAsUser(ws);
    assert.equal(existing.ok, false);
    assert.equal(existing.store, true, existing.message);
    assert.match(existing.message!, /read-only/);
    assert.ok(existing.message!.includes(ws), existing.message);
    assert.match(existing.hint!, /workspace/);
    assert.equal(existing.exitCode, 2);

    const parent = join(dir, "locked");
    mkdirSync(parent, { mode: 0o555 });
    chmodSync(parent, 0o555);
    const fresh = openAsUser(join(parent, "ws"));
    assert.equal(fresh.ok, false);
    assert.match(fresh.message!, /cannot create the workspace .*\/locked\/ws: .*\/locked is read-only/);
    assert.equal(fresh.exitCode, 2);

    chmodSync(ws, 0o755);
    const again = RunStore.open(ws, { readonly: true });
    assert.equal(again.listRuns().length, 1);
    again.close();
  } finally {
    cleanup();
  }
});

test("commands that only read work on a read-only workspace; an empty store file says so", {
  timeout: 120_000,
}, async () => {
  const { dir, cleanup } = tempDir();
  try {
    const { ws, runId } = readOnlyWorkspace(dir);
    const out = join(dir, "out");
    mkdirSync(out, { mode: 0o777 });
    chmodSync(out, 0o777);
    const empty = join(dir, "empty");
    mkdirSync(empty);
    writeFileSync(join(empty, "curio.db"), "");
    const [runs, exported, evaluated, report, view, emptyStore] = await curioCommands(
      [
        ["runs", "--workspace", ws, "--json"],
        ["export", runId, "--format", "jsonl", "--workspace", ws, "--tau", "0.5"],
        ["eval", runId, "--workspace", ws, "--no-diversity"],
        ["report", runId, "--workspace", ws, "-o", join(out, "r.html"), "--no-embedder"],
        ["view", "--workspace", ws, "--port", "0"],
        ["runs", "--workspace", empty],
      ],
      user,
    ).then((r) => r.map((o) => o!));
    assert.equal(runs.code, 0, runs.stderr);
    assert.deepEqual(
      (JSON.parse(runs.stdout) as { id: string; status: string }[]).map((r) => [r.id, r.status]),
      [[runId, "completed"]],
    );
    assert.equal(exported.code, 0, exported.stderr);
    assert.equal(exported.stdout.trim().split("\n").length, 2, "scores 2/3 and 1 reach tau 0.5");
    assert.equal(evaluated.code, 0, evaluated.stderr);
    assert.match(evaluated.stdout, /unique successes 2 of 2/);
    assert.equal(report.code, 0, report.stderr);
    assert.match(report.stderr, /1 run\(s\)/);
    assert.equal(view.code, 0, view.stderr);
    assert.equal(view.page?.status, 200);
    assert.ok(view.page?.body.includes(runId));

    assert.equal(emptyStore.code, 2, emptyStore.stderr);
    assert.match(emptyStore.stderr, /curio\.db is empty: no run has been recorded in it/);
    assert.doesNotMatch(emptyStore.stderr, /curio runs/, "no hint that points back at the same command");
  } finally {
    chmodSync(join(dir, "ws"), 0o755);
    cleanup();
  }
});
