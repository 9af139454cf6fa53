export { StoreError } from "./errors.js";
export { HUMAN_VERDICTS, markFingerprint } from "./marks.js";
export { SCHEMA_VERSION } from "./migrations.js";
export { changedPaths, redactSecrets, restoreCredentials, storedForm } from "./redact.js";
export { type Checkpoint, type OpenOptions, RunStore, STORE_FILE } from "./run-store.js";
export type {
  EpochStats,
  HumanMark,
  HumanVerdict,
  RewardBreakdown,
  RunInfo,
  RunStatus,
  SampleRecord,
} from "./types.js";
