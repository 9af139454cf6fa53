// device: cpu | cuda. This machine has no CUDA provider installed, which is the case the error must explain.
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  CUDA_INSTALL_COMMAND,
  checkDevice,
  DeviceError,
  executionProviders,
  Graph,
  ortBinaryDir,
  Session,
} from "../../src/engine/index.js";

const linuxX64 = process.platform === "linux" && process.arch === "x64";

test("device cpu needs nothing; cuda without onnxruntime-node's CUDA binaries names the install command", () => {
  checkDevice("cpu");
  const empty = mkdtempSync(join(tmpdir(), "curio-ort-bin-"));
  assert.throws(
    () => checkDevice("cuda", empty),
    (e: unknown) => {
      assert.ok(e instanceof DeviceError);
      if (linuxX64) {
        assert.match(
          e.message,
          /CUDA execution provider is not installed \(no libonnxruntime_providers_cuda\.so/,
        );
        assert.ok(e.message.includes(CUDA_INSTALL_COMMAND), e.message);
        assert.match(e.message, /or use device: cpu/);
      } else assert.match(e.message, /linux\/x64 only/);
      return true;
    },
  );
  assert.throws(() => checkDevice("tpu" as never), /device "tpu" is not supported; use cpu or cuda/);
  if (linuxX64) {
    writeFileSync(join(empty, "libonnxruntime_providers_cuda.so"), "");
    checkDevice("cuda", empty); // present: onnxruntime itself loads it (and reports missing CUDA libraries)
  }
});

test("a cuda session fails before onnxruntime is called when the provider is missing here", async (t) => {
  if (
    !linuxX64 ||
    (await import("node:fs")).existsSync(join(ortBinaryDir(), "libonnxruntime_providers_cuda.so"))
  )
    return t.skip("only meaningful on linux/x64 without the CUDA provider");
  const g = new Graph();
  g.output("y", g.exp(g.input("x", "float32", [2])));
  await assert.rejects(Session.create(g, { device: "cuda" }), DeviceError);
});

test("execution providers: cuda falls back to cpu for nodes it lacks", () => {
  assert.deepEqual(executionProviders("cpu"), ["cpu"]);
  assert.deepEqual(executionProviders("cuda"), [{ name: "cuda", deviceId: 0 }, "cpu"]);
});
