// The campaign loop's contract (implemented in src/campaign by the lead), loaded lazily so that
// `curio --help` does not load the training stack.
import { CurioError, ExitCode } from "../config/errors.js";
import type { CurioConfig } from "../config/schema.js";
import type { RunStore } from "../store/run-store.js";
import type { EpochStats, RunInfo } from "../store/types.js";

export interface CampaignOptions {
  config: CurioConfig;
  configPath?: string;
  store: RunStore;
  resume?: string;
  seed?: number;
  maxEpochs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onEpoch?: (s: EpochStats, info: { totalEpochs: number; uniqueSuccesses: number }) => void;
  log?: (line: string) => void;
}

export interface CampaignResult {
  run: RunInfo;
  epochs: number;
  samples: number;
  successes: number;
  errors: number;
  interrupted: boolean;
}

export type RunCampaign = (opts: CampaignOptions) => Promise<CampaignResult>;

export async function loadRunCampaign(): Promise<RunCampaign> {
  // A variable specifier keeps this import lazy (and resolvable relative to this file at runtime).
  const specifier = "../campaign/index.js";
  let mod: { runCampaign?: unknown };
  try {
    mod = (await import(specifier)) as { runCampaign?: unknown };
  } catch (e) {
    throw new CurioError(`cannot load the campaign loop (${(e as Error).message})`, {
      exitCode: ExitCode.internal,
      cause: e,
    });
  }
  if (typeof mod.runCampaign !== "function") {
    throw new CurioError("the campaign module does not export runCampaign()", {
      exitCode: ExitCode.internal,
    });
  }
  return mod.runCampaign as RunCampaign;
}
