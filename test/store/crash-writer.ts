// Child process for the crash test: resumes run "crash" from its latest checkpoint (if any),
// then appends samples, epoch stats and checkpoints forever, until it is killed.
// Usage: node --import tsx test/store/crash-writer.ts WORKSPACE
import { createHash } from "node:crypto";
import { RunStore } from "../../src/store/index.js";
import { epochStats, runInput, sample } from "./helpers.js";

export const PER_EPOCH = 96;
export const BATCH = 32;

/** Deterministic checkpoint contents for an epoch (so the parent can regenerate and compare). */
export function blobsFor(epoch: number): Record<string, Uint8Array> {
  const params = new Uint8Array(3 * 1024 * 1024 + epoch);
  let x = (epoch + 1) * 2654435761;
  for (let i = 0; i < params.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    params[i] = x >>> 24;
  }
  return { params, moments: params.subarray(0, 512 * 1024).map((b) => 255 - b) };
}

export function digest(blobs: Record<string, Uint8Array>): string {
  const h = createHash("sha256");
  for (const name of Object.keys(blobs).sort()) h.update(name).update(blobs[name]!);
  return h.digest("hex");
}

function main(workspace: string): void {
  const store = RunStore.open(workspace);
  let epoch = 0;
  try {
    store.getRun("crash");
    const ck = store.latestCheckpoint("crash");
    const resumeAt = ck ? { epoch: ck.epoch, sampleCount: ck.sampleCount } : { epoch: -1, sampleCount: 0 };
    store.rollbackTo("crash", resumeAt);
    epoch = resumeAt.epoch + 1;
  } catch {
    store.createRun({ ...runInput, id: "crash" });
  }
  process.stdout.write(`started ${epoch}\n`);
  for (;;) {
    for (let b = 0; b < PER_EPOCH / BATCH; b++) {
      const first = epoch * PER_EPOCH + b * BATCH;
      store.appendSamples(Array.from({ length: BATCH }, (_, k) => sample("crash", first + k, epoch)));
    }
    store.appendEpoch(epochStats("crash", epoch));
    const blobs = blobsFor(epoch);
    store.saveCheckpoint("crash", {
      epoch,
      sampleCount: (epoch + 1) * PER_EPOCH,
      state: { epoch, sha: digest(blobs) },
      blobs,
    });
    process.stdout.write(`checkpoint ${epoch}\n`);
    epoch++;
  }
}

if (process.argv[1]?.endsWith("crash-writer.ts")) main(process.argv[2]!);
