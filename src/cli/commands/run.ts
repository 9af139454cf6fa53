// `curio run`: load and validate curio.yaml, open the run store, train (or resume) a campaign,
// printing one progress line per epoch. Ctrl-C stops cleanly after the current step (the run
// stays resumable); a second Ctrl-C exits at once.

import cliProgress from "cli-progress";
import { Command } from "commander";
import { CurioError, ExitCode } from "../../config/errors.js";
import { loadConfig } from "../../config/load.js";
import type { Device } from "../../engine/device.js";
import { RunStore } from "../../store/run-store.js";
import { nonNegativeInt, positiveInt } from "../args.js";
import { loadRunCampaign, type RunCampaign } from "../campaign-contract.js";
import { deviceOption, requireDevice } from "../device.js";
import { globalOptions, type Io, makeOutput, processIo } from "../output.js";
import { etaMs, formatDuration, formatEpochLine } from "../progress.js";

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
      const g = globalOptions(cmd);
      const { config: loaded, path, secrets } = loadConfig(o.config);
      const config = {
        ...loaded,
        ...(o.cache === false ? { cache: false } : {}),
        ...(o.device ? { device: o.device } : {}),
      };
      requireDevice(config.device);
      const runCampaign = await loadCampaign();
      const store = RunStore.open(config.workspace);

      const controller = new AbortController();
      let interrupts = 0;
      const onSigint = () => {
        interrupts++;
        if (interrupts > 1) process.exit(ExitCode.interrupted);
        io.err("\nstopping after the current step and saving (Ctrl-C again to quit at once)\n");
        controller.abort();
      };
      process.on("SIGINT", onSigint);

      const showBar = g.progressBar && !g.quiet && !out.json && process.stderr.isTTY === true;
      const bars = showBar
        ? new cliProgress.MultiBar(
            {
              format: "[{bar}] {value}/{total} epochs | ETA {eta_formatted}",
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
      let bar: cliProgress.SingleBar | undefined;
      const started = Date.now();
      let epochsHere = 0;
      const say = (line: string) => (bars ? bars.log(`${line}\n`) : out.line(line));

      try {
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
          log: (line) => (bars ? bars.log(`${line}\n`) : out.info(line)),
          onEpoch: (stats, info) => {
            epochsHere++;
            const left = Math.max(0, info.totalEpochs - stats.epoch);
            const eta = etaMs(epochsHere, left, Date.now() - started);
            if (out.json) {
              out.record({
                type: "epoch",
                ...stats,
                totalEpochs: info.totalEpochs,
                uniqueSuccessesTotal: info.uniqueSuccesses,
                etaMs: Math.round(eta),
              });
              return;
            }
            if (!out.quiet) say(formatEpochLine(stats, info.totalEpochs, info.uniqueSuccesses, eta));
            if (bars) {
              bar ??= bars.create(info.totalEpochs, 0);
              bar.update(stats.epoch);
            }
          },
        });
        bars?.stop();
        const summary = {
          type: "result",
          runId: result.run.id,
          status: result.interrupted ? "interrupted" : result.run.status,
          epochs: result.epochs,
          samples: result.samples,
          successes: result.successes,
          errors: result.errors,
          elapsedMs: Date.now() - started,
        };
        if (out.json) out.record(summary);
        out.line(
          `run ${result.run.id}: ${result.epochs} epochs, ${result.samples} test cases, ${result.successes} unique successes` +
            `${result.errors ? `, ${result.errors} errors` : ""} in ${formatDuration(summary.elapsedMs)}`,
        );
        if (result.interrupted) {
          throw new CurioError(`run ${result.run.id} interrupted`, {
            exitCode: ExitCode.interrupted,
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
      } finally {
        bars?.stop();
        process.off("SIGINT", onSigint);
        store.close();
      }
    });
}
