// --device for the commands that run the red-team model: the choices, and the CUDA check as a usage error.
import { Option } from "commander";
import { CurioError, ExitCode } from "../config/errors.js";
import { checkDevice, DEVICES, type Device, DeviceError } from "../engine/device.js";

export const deviceOption = (fallback: string) =>
  new Option("--device <device>", `where the red-team model runs (${fallback})`).choices(DEVICES);

/** Checks the device before any work; a missing CUDA provider is exit code 2 with the install command. */
export function requireDevice(device: Device): void {
  try {
    checkDevice(device);
  } catch (e) {
    if (!(e instanceof DeviceError)) throw e;
    throw new CurioError(e.problem, { exitCode: ExitCode.usage, hint: e.fix });
  }
}
