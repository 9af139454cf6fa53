// Where sessions run: onnxruntime's CPU execution provider (the default) or its CUDA provider. The CUDA
// provider's libraries are not in the npm package (they are too large for the registry); onnxruntime-node's
// install script fetches them on request, so a missing install is detected here and named with its fix.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const DEVICES = ["cpu", "cuda"] as const;
export type Device = (typeof DEVICES)[number];

/** The install command for onnxruntime-node's CUDA 12 binaries (run in the folder holding node_modules). */
export const CUDA_INSTALL_COMMAND =
  "ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules/onnxruntime-node/script/install";

/** The requested device cannot run here: `problem`, then `fix` (both in the message). */
export class DeviceError extends Error {
  override name = "DeviceError";
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${problem}; ${fix}`);
  }
}

/** The folder of onnxruntime-node's native binding for this platform, where the CUDA provider must be. */
export function ortBinaryDir(): string {
  const main = createRequire(import.meta.url).resolve("onnxruntime-node");
  return join(dirname(main), "..", "bin", "napi-v6", process.platform, process.arch);
}

const CUDA_LIBRARY = "libonnxruntime_providers_cuda.so";

/** Throws a DeviceError naming the fix when `device` cannot run in this installation. */
export function checkDevice(device: Device, binaryDir: string = ortBinaryDir()): void {
  if (device === "cpu") return;
  if (!(DEVICES as readonly string[]).includes(device)) {
    throw new DeviceError(`device "${device}" is not supported`, `use ${DEVICES.join(" or ")}`);
  }
  // onnxruntime-node's install script offers the CUDA binaries for linux/x64 only
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new DeviceError(
      `device cuda: onnxruntime-node installs its CUDA provider on linux/x64 only, not ${process.platform}/` +
        process.arch,
      "use device: cpu",
    );
  }
  if (!existsSync(join(binaryDir, CUDA_LIBRARY))) {
    throw new DeviceError(
      `device cuda: onnxruntime-node's CUDA execution provider is not installed (no ${CUDA_LIBRARY} in ` +
        `${binaryDir})`,
      `install its CUDA 12 binaries with \`${CUDA_INSTALL_COMMAND}\` (needs the CUDA 12 and cuDNN 9 ` +
        "runtime libraries on this machine), or use device: cpu",
    );
  }
}

/** onnxruntime's execution providers for a device, in order of preference. */
export function executionProviders(device: Device): ("cpu" | { name: "cuda"; deviceId: number })[] {
  // nodes the CUDA provider has no kernel for fall back to the CPU provider
  return device === "cuda" ? [{ name: "cuda", deviceId: 0 }, "cpu"] : ["cpu"];
}
