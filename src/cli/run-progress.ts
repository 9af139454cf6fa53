// What `curio run` prints while a campaign trains: one line per epoch (or a JSON object), a progress bar
// on a terminal, diagnostics on stderr, and retries summarised per epoch (each one with --verbose).
import cliProgress from "cli-progress";
import type { EpochStats } from "../store/types.js";
import type { GlobalOptions, Output } from "./output.js";
import { etaMs, formatEpochLine, type RetrySummary } from "./progress.js";

/** One retried request, as the providers' HTTP base reports it. */
export interface RetryNotice {
  /** Short cause: "HTTP 429", "timeout", "ECONNRESET", "invalid JSON", ... */
  cause: string;
  /** The full, redacted line: what failed, which retry, how long the wait. */
  message: string;
}

export interface RunProgress {
  log(line: string): void;
  onRetry(notice: RetryNotice): void;
  onEpoch(stats: EpochStats, info: { totalEpochs: number; uniqueSuccesses: number }): void;
  stop(): void;
}

export function runProgress(out: Output, g: GlobalOptions): RunProgress {
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
  let retries: RetrySummary = { count: 0, causes: {} };
  const info = (line: string) => (bars ? bars.log(`${line}\n`) : out.info(line));
  return {
    log: info,
    onRetry(notice) {
      retries.count++;
      retries.causes[notice.cause] = (retries.causes[notice.cause] ?? 0) + 1;
      if (g.verbose) info(notice.message);
    },
    onEpoch(stats, { totalEpochs, uniqueSuccesses }) {
      epochsHere++;
      const eta = etaMs(epochsHere, Math.max(0, totalEpochs - stats.epoch), Date.now() - started);
      const epochRetries = retries;
      retries = { count: 0, causes: {} };
      if (out.json) {
        out.record({
          type: "epoch",
          ...stats,
          totalEpochs,
          uniqueSuccessesTotal: uniqueSuccesses,
          etaMs: Math.round(eta),
          retries: epochRetries,
        });
        return;
      }
      if (!out.quiet) {
        const line = formatEpochLine(stats, totalEpochs, uniqueSuccesses, eta, epochRetries);
        if (bars) bars.log(`${line}\n`);
        else out.line(line);
      }
      if (bars) {
        bar ??= bars.create(totalEpochs, 0);
        bar.update(stats.epoch);
      }
    },
    stop: () => bars?.stop(),
  };
}
