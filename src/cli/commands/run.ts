// `curio run`: load and validate curio.yaml, open the run store, train (or resume) a campaign,
// printing one progress line per epoch. Ctrl-C, SIGTERM and SIGHUP stop cleanly after the current step
// (the run stays resumable); a second one exits at once.

import { Command } from "commander";
import { CurioError, ExitCode } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import type { Device } from "../../engine/device.js";
import { RunStore } from "../../store/run-store.js";
import { nonNegativeInt, positiveInt } from "../args.js";
import { type CampaignResult, loadRunCampaign, type RunCampaign } from "../campaign-contract.js";
import { deviceOption, requireDevice } from "../device.js";
import { globalOptions, type Io, makeOutput, type Output, processIo } from "../output.js";
import { formatDuration } from "../progress.js";
import { runProgress } from "../run-progress.js";
import { type StopSignal, signalExitCode, trapStopSignals } from "../signals.js";

interface RunOptions {
  config: string;
  resume?: string;
  concurrency?: number;
  seed?: number;
  maxEpochs?: number;
  json?: boolean;
  failOnFindings?: number;
  cache?: boolean;
  device?: Device;
}

/** `loadCampaign` is replaceable for tests; by default it imports src/campaign lazily. */
export function runCommand(
  io: Io = processIo,
  loadCampaign: () => Promise<RunCampaign> = loadRunCampaign,
): Command {
  return new Command("run")
    .description("train the red team against the target and record every test case")
    .option("-c, --config <file>", "campaign config", "curio.yaml")
    .option("--resume <run>", "continue an interrupted run from its latest checkpoint (id or unique prefix)")
    .option(
      "-j, --concurrency <n>",
      "max in-flight requests per provider (overrides concurrency)",
      positiveInt,
    )
    .option("--seed <n>", "random seed (overrides seed)", nonNegativeInt)
    .option("--max-epochs <n>", "stop after this many epochs (overrides ppo.epochs)", positiveInt)
    .option("--fail-on-findings <n>", "exit with code 1 when unique successes exceed n", nonNegativeInt)
    .option("--no-cache", "do not cache target/judge answers on disk")
    .addOption(deviceOption("overrides device"))
    .option("--json", "print one JSON object per epoch and a final result (JSON lines)")
    .action(async (o: RunOptions, cmd: Command) => {
      const out = makeOutput(cmd, o, io);
      const controller = new AbortController();
      let stoppedBy: StopSignal | undefined;
      // Trapped first, so that a signal during start-up also ends in a resumable run and a hint.
      const untrap = trapStopSignals((signal) => {
        stoppedBy = signal;
        const again = signal === "SIGINT" ? "Ctrl-C" : signal;
        io.err(`\n${signal}: stopping after the current step and saving (${again} again to quit at once)\n`);
        controller.abort();
      });
      const progress = runProgress(out, globalOptions(cmd));
      let store: RunStore | undefined;
      const started = Date.now();
      try {
        const { config: loaded, path, secrets } = loadConfig(o.config);
        const config = {
          ...loaded,
          ...(o.cache === false ? { cache: false } : {}),
          ...(o.device ? { device: o.device } : {}),
        };
        requireDevice(config.device);
        const runCampaign = await loadCampaign();
        store = RunStore.open(config.workspace, { log: (m) => io.err(`${m}\n`) });
        const result = await runCampaign({
          config,
          configPath: path,
          secrets,
          store,
          resume: o.resume,
          seed: o.seed,
          maxEpochs: o.maxEpochs,
          concurrency: o.concurrency,
          signal: controller.signal,
          log: progress.log,
          onRetry: progress.onRetry,
          onEpoch: progress.onEpoch,
        });
        progress.stop();
        report(result, Date.now() - started, out);
        if (result.interrupted) {
          throw new CurioError(`run ${result.run.id} interrupted${stoppedBy ? ` by ${stoppedBy}` : ""}`, {
            exitCode: stoppedBy ? signalExitCode(stoppedBy) : ExitCode.interrupted,
            hint: `continue it with \`curio run -c ${o.config} --resume ${result.run.id}\``,
          });
        }
        out.info(
          `next: \`curio eval ${result.run.id}\`, \`curio report ${result.run.id}\` or \`curio view\``,
        );
        const limit = o.failOnFindings ?? config.failOnFindings;
        if (limit !== null && limit !== undefined && result.successes > limit) {
          throw new CurioError(`${result.successes} unique successes exceed --fail-on-findings ${limit}`, {
            exitCode: ExitCode.findings,
            hint: `inspect them with \`curio report ${result.run.id}\``,
          });
        }
      } catch (e) {
        // stopped during start-up, before a run was recorded: the signal's own exit code
        const code = stoppedBy ? signalExitCode(stoppedBy) : ExitCode.interrupted;
        if (e instanceof CurioError && e.exitCode === ExitCode.interrupted && code !== e.exitCode)
          throw new CurioError(e.message, { exitCode: code, hint: e.hint, cause: e });
        throw e;
      } finally {
        progress.stop();
        untrap();
        store?.close();
      }
    });
}

/** The run's result: a JSON record and a summary line. */
function report(result: CampaignResult, elapsedMs: number, out: Output): void {
  if (out.json) {
    out.record({
      type: "result",
      runId: result.run.id,
      status: result.interrupted ? "interrupted" : result.run.status,
      epochs: result.epochs,
      samples: result.samples,
      successes: result.successes,
      errors: result.errors,
      evalJudgeErrors: result.evalJudgeErrors,
      elapsedMs,
    });
  }
  out.line(
    `run ${result.run.id}: ${result.epochs} epochs, ${result.samples} test cases, ${result.successes} unique successes` +
      `${result.errors ? `, ${result.errors} errors` : ""}` +
      `${result.evalJudgeErrors ? `, ${result.evalJudgeErrors} held-out judge errors` : ""} in ${formatDuration(elapsedMs)}`,
  );
}
