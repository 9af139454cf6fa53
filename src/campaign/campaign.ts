// The campaign loop: set up (setup.ts), then epochs (epoch.ts) until the budget is spent, Ctrl-C, or a target
// that keeps failing (backoff.ts). Every epoch's samples and statistics are streamed to the run store; a
// checkpoint every `checkpointEvery` epochs holds everything needed to continue exactly (state.ts), so
// `--resume` after a crash, a kill or Ctrl-C gives the same results as an uninterrupted run.
import type { RunStore } from "../store/index.js";
import type { RunInfo } from "../store/types.js";
import { sleep } from "../util/sleep.js";
import { FailureBackoff } from "./backoff.js";
import { judgingOf, runEpoch } from "./epoch.js";
import { closeProviders } from "./providers.js";
import { epochSettings, loopSettings } from "./settings.js";
import { type CampaignOptions, type PreparedRun, prepareRun, startRun } from "./setup.js";
import type { CampaignState } from "./state.js";

export type { CampaignOptions } from "./setup.js";

export interface CampaignResult {
  run: RunInfo;
  epochs: number;
  samples: number;
  successes: number;
  /** Samples whose target or training judge failed. */
  errors: number;
  /** Answered samples the held-out judge failed on (over the whole run). */
  evalJudgeErrors: number;
  interrupted: boolean;
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const log = opts.log ?? (() => {});
  const prepared = await prepareRun(opts, log);
  const { store } = opts;
  try {
    const state = await startRun(prepared, store, log, opts.signal);
    return await epochs(prepared, state, opts, log);
  } catch (e) {
    markFailed(store, prepared.run.id);
    throw e;
  } finally {
    await prepared.attacker.release();
    await prepared.naturalness?.release();
    await closeProviders(prepared.providers);
  }
}

/** The loop proper: epochs, checkpoints, back-off; the run's final status. */
async function epochs(
  p: PreparedRun,
  state: CampaignState,
  opts: CampaignOptions,
  log: (line: string) => void,
): Promise<CampaignResult> {
  const { store, signal } = opts;
  const runId = p.run.id;
  const { totalEpochs, checkpointEvery } = loopSettings(p.config, opts.maxEpochs);
  const settings = epochSettings(p.config, p.providers.gibberish !== null);
  const backoff = new FailureBackoff(opts.failureBackoffMs ?? 5000);
  const save = () =>
    store.saveCheckpoint(runId, state.checkpoint({ attacker: p.attacker, target: p.providers.target }));
  const { attacker, seeds, providers, naturalness } = p;
  // Verdicts already given in the run are reused; a resumed run rebuilds that memory from its samples.
  const judging = judgingOf(providers);
  if (p.resumed) judging.remember(store.samples(runId));
  const ctx = {
    judging,
    runId,
    attacker,
    seeds,
    providers,
    naturalness,
    state,
    settings,
    log,
    signal,
    startedAt: performance.now(),
  };
  const startEpoch = state.epoch;
  if (p.resumed) log(resumeNote(runId, state.epoch, totalEpochs, opts.maxEpochs !== undefined));
  let interrupted = false;
  while (state.epoch < totalEpochs) {
    const outcome = signal?.aborted ? { interrupted: true as const } : await runEpoch(ctx);
    if (outcome.interrupted) {
      interrupted = true;
      break;
    }
    store.appendSamples(outcome.records);
    store.appendEpoch(outcome.stats);
    if (state.epoch % checkpointEvery === 0 || state.epoch === totalEpochs) save();
    opts.onEpoch?.(outcome.stats, { totalEpochs, uniqueSuccesses: state.successes.size });

    const decision = backoff.afterEpoch(outcome.records, `curio run --resume ${runId}`);
    if (decision.action === "stop") {
      if (state.epoch % checkpointEvery !== 0) save();
      store.setStatus(runId, "failed");
      throw decision.error;
    }
    if (decision.action === "wait") {
      log(
        `epoch ${state.epoch}: every sample failed (${decision.error}); backing off ${(decision.ms / 1000).toFixed(1)}s`,
      );
      await sleep(decision.ms, signal).catch(() => {}); // Ctrl-C ends the wait; the loop then stops
    }
  }
  if (interrupted && state.epoch > startEpoch && state.epoch % checkpointEvery !== 0) save();
  const reuse = reuseNote(judging.stats());
  if (reuse) log(reuse);
  store.setStatus(runId, interrupted ? "interrupted" : "completed");
  return {
    run: store.getRun(runId),
    epochs: state.epoch,
    samples: state.samples,
    successes: state.successes.size,
    errors: state.errors,
    evalJudgeErrors: store.sampleSummary(runId, p.config.thresholds.success).evalJudgeErrors,
    interrupted,
  };
}

/** What a resumed run will do: the epochs left, or nothing up to the budget. */
function resumeNote(runId: string, epoch: number, totalEpochs: number, capped: boolean): string {
  return epoch >= totalEpochs
    ? `note: run ${runId} has ${epoch} epochs already; nothing to do up to epoch ${totalEpochs} (raise --max-epochs)`
    : `running epochs ${epoch + 1} to ${totalEpochs}${capped ? " (--max-epochs)" : ""}`;
}

/** The judges whose reused verdicts saved calls, or null when none did. */
function reuseNote(stats: Record<string, { called: number; asked: number }>): string | null {
  const calls = Object.entries(stats).filter(([, s]) => s.called < s.asked);
  if (calls.length === 0) return null;
  return `judge calls (reused verdicts saved the rest): ${calls.map(([k, s]) => `${k} ${s.called} of ${s.asked}`).join(", ")}`;
}

function markFailed(store: RunStore, runId: string): void {
  try {
    if (store.getRun(runId).status === "running") store.setStatus(runId, "failed");
  } catch {
    /* the store itself failed: the original error says why */
  }
}
