// In-memory stand-in for the run store's read/poll methods (the ReportStore slice), for tests.
import type { ReportStore } from "../../src/report/store-like.js";
import type { EpochStats, RunInfo, SampleRecord } from "../../src/store/types.js";

export class FakeStore implements ReportStore {
  runs: RunInfo[] = [];
  sampleRows: SampleRecord[] = [];
  epochRows: EpochStats[] = [];

  getRun(idOrPrefix: string): RunInfo {
    const hit =
      this.runs.find((r) => r.id === idOrPrefix) ?? this.runs.find((r) => r.id.startsWith(idOrPrefix));
    if (!hit) throw new Error(`no run "${idOrPrefix}"`);
    return hit;
  }
  listRuns(): RunInfo[] {
    return [...this.runs];
  }
  *samples(runId: string): IterableIterator<SampleRecord> {
    for (const s of this.sampleRows) if (s.runId === runId) yield s;
  }
  sampleCount(runId: string): number {
    return this.sampleRows.filter((s) => s.runId === runId).length;
  }
  epochs(runId: string): EpochStats[] {
    return this.epochRows.filter((e) => e.runId === runId);
  }
  /** Same semantics as RunStore: strictly after the cursor (the last index / epoch seen). */
  changesSince(runId: string, cursor: { sampleIndex: number; epoch: number }) {
    return {
      samples: this.sampleRows.filter((s) => s.runId === runId && s.index > cursor.sampleIndex),
      epochs: this.epochRows.filter((e) => e.runId === runId && e.epoch > cursor.epoch),
    };
  }
}

export function run(id: string, method = "crt", seed = 1): RunInfo {
  return {
    id,
    name: id,
    createdAt: "2026-11-28T00:00:00Z",
    status: "completed",
    seed,
    config: {},
    versions: {},
    method,
  };
}

export function sample(runId: string, index: number, over: Partial<SampleRecord> = {}): SampleRecord {
  return {
    runId,
    epoch: Math.floor(index / 4),
    index,
    seedPrompt: "seed",
    testCase: `test case ${index}`,
    targetInput: `User: test case ${index}\nAssistant:`,
    response: `response ${index}`,
    judgeScore: 0.9,
    evalJudgeScore: null,
    rewards: null,
    error: null,
    timings: {},
    meta: {},
    ...over,
  };
}
