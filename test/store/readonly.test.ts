// A workspace the user cannot write to gives a clear error (exit code 2), not a crash. Root can
// write anywhere, so when the tests run as root the attempt is made by a child as user "nobody".
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { RunStore } from "../../src/store/index.js";
import { runInput, tempDir } from "./helpers.js";

const root = new URL("../..", import.meta.url).pathname;
const NOBODY = 65534;

function openAsUser(workspace: string): {
  ok: boolean;
  store?: boolean;
  message?: string;
  hint?: string;
  exitCode?: number;
} {
  const asRoot = process.getuid?.() === 0;
  const r = spawnSync(process.execPath, ["--import", "tsx", "test/store/open-child.ts", workspace], {
    cwd: root,
    encoding: "utf8",
    ...(asRoot ? { uid: NOBODY, gid: NOBODY, env: { ...process.env, HOME: "/tmp" } } : {}),
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split("\n").at(-1)!);
}

test("read-only workspace: existing store and uncreatable folder give clear errors", {
  timeout: 30_000,
}, () => {
  const { dir, cleanup } = tempDir();
  try {
    chmodSync(dir, 0o755);
    const ws = join(dir, "ws");
    const store = RunStore.open(ws);
    store.createRun(runInput);
    store.close();
    chmodSync(join(ws, "curio.db"), 0o444);
    chmodSync(ws, 0o555);
    const existing = openAsUser(ws);
    assert.equal(existing.ok, false);
    assert.equal(existing.store, true, existing.message);
    assert.match(existing.message!, /not writable|cannot open/);
    assert.match(existing.hint!, /workspace/);
    assert.equal(existing.exitCode, 2);

    const parent = join(dir, "locked");
    mkdirSync(parent, { mode: 0o555 });
    chmodSync(parent, 0o555);
    const fresh = openAsUser(join(parent, "ws"));
    assert.equal(fresh.ok, false);
    assert.match(fresh.message!, /not writable/);
    assert.equal(fresh.exitCode, 2);

    // The store itself is untouched and still readable.
    chmodSync(ws, 0o755);
    const again = RunStore.open(ws, { readonly: true });
    assert.equal(again.listRuns().length, 1);
    again.close();
  } finally {
    cleanup();
  }
});
