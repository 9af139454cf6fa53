import assert from "node:assert/strict";
import { test } from "node:test";
import { FAILING_EPOCHS_LIMIT, FailureBackoff } from "../../src/campaign/backoff.js";
import type { SampleRecord } from "../../src/store/types.js";

const epoch = (errors: (string | null)[]) => errors.map((error) => ({ error }) as SampleRecord);

test("back-off grows per failing epoch in a row, resets on success, stops at the limit", () => {
  const b = new FailureBackoff(100);
  assert.deepEqual(b.afterEpoch(epoch(["down", null]), "resume"), { action: "continue" });
  assert.deepEqual(b.afterEpoch(epoch(["down", "down"]), "resume"), {
    action: "wait",
    ms: 100,
    error: "down",
  });
  assert.deepEqual(b.afterEpoch(epoch([null]), "resume"), { action: "continue" });
  for (let k = 1; k < FAILING_EPOCHS_LIMIT; k++) {
    assert.deepEqual(b.afterEpoch(epoch(["x"]), "resume"), { action: "wait", ms: k * 100, error: "x" });
  }
  const stop = b.afterEpoch(epoch(["last"]), "curio run --resume r1");
  assert.equal(stop.action, "stop");
  if (stop.action !== "stop") return;
  assert.match(stop.error.message, /every sample failed for 3 epochs in a row; last error: last/);
  assert.match(stop.error.hint ?? "", /curio run --resume r1/);
  assert.equal(stop.error.exitCode, 3);
});
