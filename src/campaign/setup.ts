// Setting a campaign up: the config it runs with (a resumed run keeps its own), the red team's source, the
// providers (probed), the attacker and the seed instructions, all before anything is recorded; then the run
// record and the state, fresh or restored from the last checkpoint.
import { createAttacker } from "../attack/registry.js";
import { redTeamSource } from "../attack/source.js";
import type { Attacker } from "../attack/types.js";
import type { CurioConfig } from "../config/index.js";
import type { RunStore } from "../store/index.js";
import type { EpochStats, RunInfo } from "../store/types.js";
import { redactValues } from "../util/redact.js";
import {
  type CampaignProviders,
  closeProviders,
  createCampaignProviders,
  probeProviders,
} from "./providers.js";
import { SeedPrompts } from "./seeds.js";
import { baseDirOf, embeddingNoveltyOptions, loopSettings } from "./settings.js";
import { CampaignState } from "./state.js";
import { versions } from "./versions.js";

export interface CampaignOptions {
  config: CurioConfig;
  configPath?: string;
  store: RunStore;
  /** Run id (or unique prefix) to continue from its last checkpoint. */
  resume?: string;
  seed?: number;
  maxEpochs?: number;
  concurrency?: number;
  signal?: AbortSignal;
  onEpoch?: (s: EpochStats, info: { totalEpochs: number; uniqueSuccesses: number }) => void;
  log?: (line: string) => void;
  /** Environment for providers' API keys (default process.env). */
  env?: Record<string, string | undefined>;
  /** onnxruntime threads for the red-team model (default 2). */
  threads?: number;
  /** Credentials substituted into the config (LoadedConfig.secrets): kept out of errors and the store. */
  secrets?: readonly string[];
  /** Back-off after an epoch in which every sample failed: k * this, for the k-th such epoch in a row. */
  failureBackoffMs?: number;
}

/** A campaign's config, seed and run record, once its providers answer and its attacker is loaded. */
export interface PreparedRun {
  config: CurioConfig;
  seed: number;
  run: RunInfo;
  resumed: boolean;
  providers: CampaignProviders;
  attacker: Attacker;
  seeds: SeedPrompts;
}

/**
 * The config a run goes on with. A resumed run continues with the config it started with; the store keeps it
 * with credentials redacted, so the caller's freshly loaded config (which has them) is used when it matches.
 */
export function runConfig(
  opts: Pick<CampaignOptions, "config" | "seed" | "secrets">,
  resumed: RunInfo | null,
  log: (line: string) => void,
): { config: CurioConfig; seed: number } {
  if (!resumed) return { config: opts.config, seed: opts.seed ?? opts.config.seed };
  const seed = resumed.seed;
  const same =
    JSON.stringify(redactValues({ ...opts.config, seed }, opts.secrets ?? [])) ===
    JSON.stringify(resumed.config);
  if (same) return { config: opts.config, seed };
  log(`resuming ${resumed.id} with the config it started with (curio.yaml has changed since)`);
  return { config: resumed.config as CurioConfig, seed };
}

/**
 * Everything up to the run record: nothing is recorded when the target or judge cannot answer at all, or the
 * attacker cannot be built (a model that does not load, an unsupported setting).
 */
export async function prepareRun(opts: CampaignOptions, log: (line: string) => void): Promise<PreparedRun> {
  const { store } = opts;
  const resumed = opts.resume ? store.getRun(opts.resume) : null;
  const { config, seed } = runConfig(opts, resumed, log);
  const source = await redTeamSource(config, { threads: opts.threads, log });
  const providers = await createCampaignProviders(config, {
    seed,
    concurrency: opts.concurrency ?? config.concurrency,
    ctx: { env: opts.env ?? process.env, baseDir: baseDirOf(opts.configPath), log, secrets: opts.secrets },
  });
  let attacker: Attacker | null = null;
  try {
    await probeProviders(providers, config, opts.secrets);
    const seeds = new SeedPrompts(config.redteam.seedPrompts, source.examples);
    attacker = await createAttacker({
      config,
      source,
      seed,
      threads: opts.threads,
      log,
      baseDir: baseDirOf(opts.configPath),
      store,
      target: providers.target,
      judge: providers.judge,
      totalEpochs: loopSettings(config, opts.maxEpochs).totalEpochs,
    });
    const run = recordRun(store, resumed, config, seed, opts.secrets);
    return { config, seed, run, resumed: resumed !== null, providers, attacker, seeds };
  } catch (e) {
    await attacker?.release();
    await closeProviders(providers);
    throw e;
  }
}

function recordRun(
  store: RunStore,
  resumed: RunInfo | null,
  config: CurioConfig,
  seed: number,
  secrets: readonly string[] = [],
): RunInfo {
  return (
    resumed ??
    store.createRun({
      name: config.name,
      seed,
      config: redactValues({ ...config, seed }, secrets),
      versions: versions(),
      method: config.method,
    })
  );
}

/** The state of a recorded run: fresh, or a resumed run's from its last checkpoint (later samples dropped). */
export function startRun(p: PreparedRun, store: RunStore, log: (line: string) => void): CampaignState {
  const state = new CampaignState(p.seed, embeddingNoveltyOptions(p.config));
  if (p.resumed) {
    const ckpt = store.latestCheckpoint(p.run.id);
    store.rollbackTo(p.run.id, ckpt ?? { epoch: 0, sampleCount: 0 });
    if (ckpt) {
      state.restore(ckpt, { attacker: p.attacker, target: p.providers.target });
      log(`resuming ${p.run.id} after epoch ${state.epoch} (${state.samples} samples)`);
    } else log(`resuming ${p.run.id} from the start (no checkpoint was written)`);
  }
  store.setStatus(p.run.id, "running");
  return state;
}
