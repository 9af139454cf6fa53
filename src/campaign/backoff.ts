// A target (or judge) that fails every request: back off a little longer after each such epoch, and after
// FAILING_EPOCHS_LIMIT of them in a row stop the run cleanly, so that it can be resumed once the target is back.
import type { SampleRecord } from "../store/types.js";
import { UnreachableError } from "../util/errors.js";

export const FAILING_EPOCHS_LIMIT = 3;

export type BackoffDecision =
  | { action: "continue" }
  | { action: "wait"; ms: number; error: string }
  | { action: "stop"; error: UnreachableError };

export class FailureBackoff {
  private failing = 0;

  /** @param stepMs the k-th failing epoch in a row waits k * stepMs */
  constructor(private readonly stepMs: number) {}

  afterEpoch(records: readonly SampleRecord[], resumeHint: string): BackoffDecision {
    const failed = records.length > 0 && records.every((r) => r.error);
    if (!failed) {
      this.failing = 0;
      return { action: "continue" };
    }
    this.failing++;
    const first = records.find((r) => r.error)?.error ?? "";
    if (this.failing >= FAILING_EPOCHS_LIMIT) {
      return {
        action: "stop",
        error: new UnreachableError(
          `every sample failed for ${FAILING_EPOCHS_LIMIT} epochs in a row; last error: ${first}`,
          { hint: `fix the target or judge, then continue with: ${resumeHint}` },
        ),
      };
    }
    return { action: "wait", ms: this.failing * this.stepMs, error: first };
  }
}
