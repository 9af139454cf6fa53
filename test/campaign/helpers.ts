// A tiny, fully local campaign config for tests: the tiny GPT-2 fixture as the red team, a scripted target,
// a lexicon judge and the hashing embedder. Runs an epoch in well under a second.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";

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
