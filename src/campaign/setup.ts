// Setting a campaign up: the config it runs with (a resumed run keeps its own), the red team's source, the
// providers (probed), the attacker and the seed instructions, all before anything is recorded; then the run
// record and the state, fresh or restored from the last checkpoint.
import { join } from "node:path";
import { type NaturalnessScorer, ReferenceNaturalness } from "../attack/naturalness.js";
import { campaignSessionOptions } from "../attack/policy.js";
import { createAttacker } from "../attack/registry.js";
import { redTeamSource } from "../attack/source.js";
import type { Attacker } from "../attack/types.js";
import type { CurioConfig } from "../config/index.js";
import { checkDevice } from "../engine/index.js";
import type { RetryNotice } from "../providers/index.js";
import { changedPaths, type RunStore, restoreCredentials, storedForm } from "../store/index.js";
import type { EpochStats, RunInfo, RunProbe } from "../store/types.js";
import { ConfigError, CurioError, ExitCode } from "../util/errors.js";
import { makeRedactor, redactValues } from "../util/redact.js";
import { noveltyRuns, seedNovelty } from "./novelty-from.js";
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
  /** Each retried provider request (default: retries go to `log`). */
  onRetry?: (notice: RetryNotice) => void;
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
  /** The reference model's naturalness of each test case (null: naturalness is off). */
  naturalness: NaturalnessScorer | null;
  /** Earlier runs whose test cases seed the novelty histories (novelty.from). */
  noveltyFrom: RunInfo[];
}

/**
 * The config a run goes on with. A resumed run continues with the config it started with. The store keeps
 * it with credentials redacted (by value and by key, e.g. an Authorization header), so the caller's config is
 * compared in that same form; it runs as loaded when it matches, else the recorded config runs with the
 * caller's credentials put back (never with "[redacted]" in a header).
 */
export function runConfig(
  opts: Pick<CampaignOptions, "config" | "seed" | "secrets">,
  resumed: RunInfo | null,
  log: (line: string) => void,
): { config: CurioConfig; seed: number } {
  if (!resumed) return { config: opts.config, seed: opts.seed ?? opts.config.seed };
  const seed = resumed.seed;
  if (opts.seed !== undefined && opts.seed !== seed)
    log(`note: --seed ${opts.seed} is ignored: run ${resumed.id} continues with its own seed ${seed}`);
  const redact = makeRedactor(opts.secrets ?? []);
  const fresh = { ...opts.config, seed };
  const changed = changedPaths(storedForm(fresh, redact), resumed.config);
  if (changed.length === 0) return { config: opts.config, seed };
  log(`resuming ${resumed.id} with the config it started with: curio.yaml differs at ${changed.join(", ")}`);
  const { value, missing } = restoreCredentials(resumed.config, fresh, redact);
  if (missing.length > 0) {
    throw new ConfigError(
      `run ${resumed.id} was recorded with credentials at ${missing.join(", ")}, which curio.yaml no longer provides`,
      {
        hint: "put those settings back as the run started with them (the values come from your environment)",
      },
    );
  }
  return { config: value as CurioConfig, seed };
}

/**
 * Everything up to the run record: nothing is recorded when the target or judge cannot answer at all, or the
 * attacker cannot be built (a model that does not load, an unsupported setting).
 */
export async function prepareRun(opts: CampaignOptions, log: (line: string) => void): Promise<PreparedRun> {
  const { store } = opts;
  const resumed = opts.resume ? store.getRun(opts.resume) : null;
  // one writer per run: refused here, before anything loads, while another process writes it
  if (resumed) store.lockRun(resumed.id);
  const { config, seed } = runConfig(opts, resumed, log);
  checkDevice(config.device ?? "cpu"); // runs recorded before the key existed ran on the CPU
  const source = await redTeamSource(config, { threads: opts.threads, log });
  const providers = await createCampaignProviders(config, {
    seed,
    concurrency: opts.concurrency ?? config.concurrency,
    ctx: {
      env: opts.env ?? process.env,
      baseDir: baseDirOf(opts.configPath),
      log,
      secrets: opts.secrets,
      cacheRoot: join(config.workspace, "cache"),
      onRetry: opts.onRetry,
      // in-process models (local target, guard and classifier judges) run like the red team's
      session: campaignSessionOptions(config),
    },
  });
  let attacker: Attacker | null = null;
  let naturalness: NaturalnessScorer | null = null;
  try {
    const noveltyFrom = noveltyRuns(store, config.novelty.from);
    const probe = await probeProviders(providers, config, opts.secrets);
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
    naturalness = await naturalnessScorer(config, source.model, attacker, { threads: opts.threads, log });
    if (opts.signal?.aborted) {
      throw new CurioError("stopped before the run was recorded: nothing to resume", {
        exitCode: ExitCode.interrupted,
      });
    }
    const run = recordRun(store, resumed, { config, seed, probe }, opts.secrets);
    const resumedRun = resumed !== null;
    return { config, seed, run, resumed: resumedRun, providers, attacker, seeds, naturalness, noveltyFrom };
  } catch (e) {
    await naturalness?.release();
    await attacker?.release();
    await closeProviders(providers);
    throw e;
  }
}

/**
 * The reference model for naturalness: "redteam" is the red-team model as loaded (before training), scored
 * with the attacker's own model in its reference mode (one copy of the weights) when the method has one.
 */
async function naturalnessScorer(
  config: CurioConfig,
  redTeamModel: string,
  attacker: Attacker,
  opts: { threads?: number; log: (line: string) => void },
): Promise<NaturalnessScorer | null> {
  const spec = config.naturalness;
  if (spec === null) return null;
  const source = spec === "redteam" ? redTeamModel : spec;
  if (source === redTeamModel && attacker.redTeamModel) {
    opts.log("naturalness: scored with the red-team model as loaded");
    return new ReferenceNaturalness(attacker.redTeamModel);
  }
  opts.log(`loading the reference model for naturalness: ${source}`);
  try {
    return await ReferenceNaturalness.load(source, {
      threads: opts.threads,
      session: campaignSessionOptions(config),
    });
  } catch (e) {
    throw new ConfigError(`naturalness: cannot load the reference model ${source}: ${(e as Error).message}`, {
      hint: "give a model folder or hub id, or naturalness: null to record no naturalness",
      cause: e,
    });
  }
}

function recordRun(
  store: RunStore,
  resumed: RunInfo | null,
  r: { config: CurioConfig; seed: number; probe: RunProbe },
  secrets: readonly string[] = [],
): RunInfo {
  return (
    resumed ??
    store.createRun({
      name: r.config.name,
      seed: r.seed,
      config: redactValues({ ...r.config, seed: r.seed }, secrets),
      versions: versions(),
      method: r.config.method,
      probe: redactValues(r.probe, secrets),
    })
  );
}

/**
 * The state of a recorded run: a resumed run's from its last checkpoint (later samples dropped), else fresh,
 * with the novelty histories seeded from novelty.from's runs.
 */
export async function startRun(
  p: PreparedRun,
  store: RunStore,
  log: (line: string) => void,
  signal?: AbortSignal,
): Promise<CampaignState> {
  const state = new CampaignState(p.seed, embeddingNoveltyOptions(p.config));
  const ckpt = p.resumed ? store.latestCheckpoint(p.run.id) : null;
  if (p.resumed) store.rollbackTo(p.run.id, ckpt ?? { epoch: 0, sampleCount: 0 });
  if (ckpt) {
    state.restore(ckpt, { attacker: p.attacker, target: p.providers.target });
    log(`resuming ${p.run.id} after epoch ${state.epoch} (${state.samples} samples)`);
  } else {
    if (p.resumed) log(`resuming ${p.run.id} from the start (no checkpoint was written)`);
    if (p.noveltyFrom.length > 0) {
      const n = await seedNovelty(state, p.noveltyFrom, {
        store,
        embedder: p.providers.embedder,
        task: p.config.redteam.task,
        appendEos: p.config.rewards.quirks.eosInNoveltyText ? p.attacker.eosText : null,
        findingsAbove:
          p.config.rewards.noveltyHistory === "findings" ? p.config.thresholds.success : undefined,
        signal,
      });
      log(
        `novelty.from: ${n} test cases of ${p.noveltyFrom.map((r) => r.id).join(", ")} seed the novelty histories`,
      );
    }
  }
  store.setStatus(p.run.id, "running");
  return state;
}
