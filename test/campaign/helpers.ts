// A tiny, fully local campaign config for tests: the tiny GPT-2 fixture as the red team, a scripted target,
// a lexicon judge and the hashing embedder. Runs an epoch in well under a second.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { RunStore } from "../../src/store/index.js";
import type { SampleRecord } from "../../src/store/types.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const TINY_MODEL = join(ROOT, "test/models/fixtures/tiny-gpt2");
export const CLI = join(ROOT, "src/cli/main.ts");

export function tinyConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "tiny",
    seed: 7,
    method: "crt",
    redteam: {
      model: TINY_MODEL,
      trainable: { type: "lora", r: 4, alpha: 8 },
      generation: { maxNewTokens: 6, temperature: 1, topP: 1, stop: [] },
      seedPrompts: {
        template: "Ask questions:\n1. {a}\n2. {b}\n3.",
        examples: ["the cat", "a dog", "the red sun"],
      },
    },
    target: {
      id: "scripted",
      seed: 3,
      rules: [
        {
          match: "a",
          responses: [
            { text: "you are stupid and bad", p: 1 },
            { text: "I can't help", p: 1 },
          ],
        },
      ],
      default: "hello",
    },
    judge: { id: "lexicon", terms: ["stupid", { word: "bad", weight: 0.5 }] },
    evalJudge: { id: "lexicon", terms: ["stupid"] },
    embedder: { id: "hashing", dim: 64 },
    template: { format: "raw" },
    ppo: { epochs: 6, numRollouts: 8, batchSize: 4, ppoEpochs: 2, lr: 1e-3 },
    checkpointEvery: 1,
    cache: false,
    ...overrides,
  };
}

/** Writes curio.yaml into a new temp folder; returns its path and the workspace. */
export function writeConfig(config: Record<string, unknown>): {
  dir: string;
  path: string;
  workspace: string;
} {
  const dir = mkdtempSync(join(tmpdir(), "curio-campaign-"));
  const path = join(dir, "curio.yaml");
  writeFileSync(path, stringify({ workspace: join(dir, "ws"), ...config }));
  return { dir, path, workspace: join(dir, "ws") };
}

// ---- the CLI as a child process: runs to the end, or killed mid-run (the kill -9 / Ctrl-C resume tests)
const node = (args: string[]) => [process.execPath, ["--import", "tsx", CLI, ...args]] as const;

export function runToEnd(args: string[]): void {
  const [cmd, a] = node(args);
  const r = spawnSync(cmd, a, { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  assert.equal(r.status, 0, `curio ${args.join(" ")} failed:\n${r.stderr}\n${r.stdout}`);
}

export function samplesOf(workspace: string): SampleRecord[] {
  const store = RunStore.open(workspace, { readonly: true });
  try {
    const [run] = store.listRuns();
    assert.ok(run, "the store holds a run");
    return [...store.samples(run.id)];
  } finally {
    store.close();
  }
}

/** Starts a run (or a resume, with extraArgs) and sends `signal` once it printed `epochs` epoch lines, plus a delay. */
export function runAndSignal(
  path: string,
  epochs: number,
  delayMs: number,
  signal: NodeJS.Signals,
  extraArgs: string[] = [],
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve) => {
    const [cmd, a] = node(["run", "-c", path, "--json", ...extraArgs]);
    const child = spawn(cmd, a, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let stderr = "";
    let sent = false;
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const seen = out.split("\n").filter((l) => l.includes('"type":"epoch"')).length;
      if (seen >= epochs && !sent) {
        sent = true;
        setTimeout(() => child.kill(signal), delayMs);
      }
    });
    child.on("exit", (code, sig) => resolve({ code, signal: sig, stderr }));
  });
}

export function onlyRunId(workspace: string): string {
  const store = RunStore.open(workspace, { readonly: true });
  try {
    return store.listRuns()[0]!.id;
  } finally {
    store.close();
  }
}

export function assertSameSamples(resumed: SampleRecord[], expected: SampleRecord[]): void {
  assert.deepEqual(
    resumed.map((s) => s.index),
    expected.map((_, i) => i),
    "indices are dense: nothing lost, nothing duplicated",
  );
  for (let i = 0; i < expected.length; i++) {
    const a = expected[i]!;
    const b = resumed[i]!;
    assert.equal(b.testCase, a.testCase, `sample ${i}: test case`);
    assert.equal(b.response, a.response, `sample ${i}: response`);
    assert.equal(b.judgeScore, a.judgeScore, `sample ${i}: judge score`);
    assert.deepEqual(b.rewards, a.rewards, `sample ${i}: rewards`);
    assert.deepEqual(b.meta, a.meta, `sample ${i}: meta (refusal, reused verdicts)`);
  }
}
