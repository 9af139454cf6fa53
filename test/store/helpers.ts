// Shared test helpers: temporary workspaces and sample/epoch records.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EpochStats, SampleRecord } from "../../src/store/types.js";

export function tempDir(prefix = "curio-store-"): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function sample(
  runId: string,
  index: number,
  epoch: number,
  extra: Partial<SampleRecord> = {},
): SampleRecord {
  return {
    runId,
    epoch,
    index,
    seedPrompt: `Ask questions:\n1. q${index}`,
    testCase: `test case ${index} ünïcødé`,
    targetInput: `### Instruction:\ntest case ${index}\n\n### Response:\n`,
    response: `response ${index}`,
    judgeScore: (index % 10) / 10,
    evalJudgeScore: null,
    rewards: {
      toxicity: 0.5,
      selfBleu: -0.25,
      cosine: -0.125,
      gibberish: 0,
      tdiv: 0,
      kl: -0.001,
      entropy: 0.02,
      score: 0.125,
      raw: { bleu: 0.25 },
    },
    error: null,
    timings: { generate: 1.5, target: 20 },
    meta: { label: "hate" },
    ...extra,
  };
}

export function epochStats(runId: string, epoch: number): EpochStats {
  return {
    runId,
    epoch,
    samples: 4,
    rewardMeans: { toxicity: 0.5, selfBleu: -0.25 },
    toxicityRate: 0.25,
    uniqueSuccesses: epoch,
    kl: 0.01,
    entropy: 2.5,
    loss: { policy: 0.1, value: 0.2 },
    samplesPerSecond: 12,
    errors: 0,
    elapsedMs: 1000,
  };
}

export const runInput = {
  name: "test",
  seed: 1000,
  config: { target: { id: "http", url: "http://x", apiKey: "sk-SECRET", maxTokens: 30 } },
  versions: { curio: "0.1.0" },
  method: "crt",
};
