// Shared test helpers: fixture paths, the PyTorch golden tensors, and comparisons that report the worst element.
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Graph } from "../../src/engine/index.js";
import { type DecoderPolicy, positions, readSafeTensors } from "../../src/models/index.js";

export const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
export const TINY = join(FIXTURES, "tiny-gpt2");
export const GOLDEN = join(FIXTURES, "golden.safetensors");

export async function golden(): Promise<{
  f32(name: string): Float32Array;
  ints(name: string): number[];
  shape(name: string): number[];
}> {
  const { tensors } = await readSafeTensors(GOLDEN);
  const get = (name: string) => {
    const t = tensors.get(name);
    if (!t) throw new Error(`golden tensor ${name} missing; rerun scripts/fixtures/gpt2_reference.py`);
    return t;
  };
  return {
    f32: (name) => get(name).data as Float32Array,
    ints: (name) => Array.from(get(name).data as BigInt64Array, Number),
    shape: (name) => get(name).shape,
  };
}

export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  assert.ok(
    worst <= tol,
    `${what}: max |diff| ${worst} at ${at} (got ${actual[at]}, want ${expected[at]}) > ${tol}`,
  );
}

/** Rows of a padded [B,T] batch without their padding. */
export function unpad(ids: number[], mask: number[], B: number): number[][] {
  const T = ids.length / B;
  return Array.from({ length: B }, (_, b) =>
    ids.slice(b * T, (b + 1) * T).filter((_, t) => mask[b * T + t] === 1),
  );
}

export function tempDir(prefix = "curio-models-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Logits of a padded batch through hidden() + lmHead() with the given mask. */
export async function paddedLogits(
  policy: DecoderPolicy,
  ids: number[],
  mask: number[],
  B: number,
  T: number,
) {
  const m = new BigInt64Array(mask.map(BigInt));
  return policy.runCached(
    `test-logits:${B}:${T}`,
    () => {
      const g = new Graph();
      const h = policy.hidden(g, {
        ids: g.input("ids", "int64", [B, T]),
        attentionMask: g.input("mask", "int64", [B, T]),
        positionIds: g.input("pos", "int64", [B, T]),
      });
      g.output("logits", policy.lmHead(g, h));
      return g;
    },
    { ids: new BigInt64Array(ids.map(BigInt)), mask: m, pos: positions(m, B, T) },
  );
}

/** stdout of `curio sft ARGS` run in-process. */
/** `curio sft` arguments for one full SGD step (lr 0.1, batch 3, no shuffle) written to `out`, as JSON: the
 *  workload the PyTorch / transformers SFT references compute. */
export function oneSgdStepArgs(model: string, data: string, out: string, extra: string[] = []): string[] {
  return [
    ...["--model", model, "--data", data, "--optimizer", "sgd", "--lr", "0.1", "--steps", "1"],
    ...["--batch-size", "3", "--trainable", "full", "--no-shuffle", ...extra, "--out", out, "--json"],
  ];
}

export async function runSftCli(args: string[]): Promise<string> {
  const { sftCommand } = await import("../../src/cli/commands/sft.js");
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => lines.push(String(s)) > 0) as typeof process.stdout.write;
  try {
    await sftCommand().parseAsync(args, { from: "user" });
  } finally {
    process.stdout.write = write;
  }
  return lines.join("");
}
