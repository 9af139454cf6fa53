// The slice of the run store (src/store RunStore) that the report, exports and live view read.
// Declared structurally so tests can pass a small in-memory fake.
import type { EpochStats, HumanMark, RunInfo, SampleRecord } from "../store/types.js";

export interface ReportStore {
  getRun(idOrPrefix: string): RunInfo;
  listRuns(): RunInfo[];
  samples(runId: string, opts?: { minEpoch?: number; maxEpoch?: number }): IterableIterator<SampleRecord>;
  sampleCount(runId: string): number;
  epochs(runId: string): EpochStats[];
  changesSince(
    runId: string,
    cursor: { sampleIndex: number; epoch: number },
  ): { samples: SampleRecord[]; epochs: EpochStats[] };
  /** Human marks of a run (optional: a store without them has none). */
  marks?(runId: string): HumanMark[];
}
