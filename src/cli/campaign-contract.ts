// The campaign loop, loaded only when a command runs one, so `curio --help` does not load the training
// stack (onnxruntime, models). Injectable for tests of the run command.
import type { runCampaign } from "../campaign/index.js";

export type { CampaignOptions, CampaignResult } from "../campaign/index.js";
export type RunCampaign = typeof runCampaign;

export async function loadRunCampaign(): Promise<RunCampaign> {
  return (await import("../campaign/index.js")).runCampaign;
}
