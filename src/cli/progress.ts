// One progress line per epoch: reward and each term, toxicity rate, unique successes, KL and entropy
// per sequence, throughput, errors, retries and ETA.
import type { EpochStats } from "../store/types.js";

const SHORT: Record<string, string> = {
  toxicity: "tox",
  selfBleu: "bleu",
  cosine: "cos",
  gibberish: "gib",
  tdiv: "tdiv",
  kl: "kl",
  entropy: "ent",
};

function num(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return "-";
  return x.toFixed(digits);
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "-";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** Retried requests of one epoch, by short cause ("HTTP 429", "timeout", ...). */
export interface RetrySummary {
  count: number;
  causes: Record<string, number>;
}

/** "retries 12 (HTTP 429 x10, timeout x2)": causes by frequency. */
export function formatRetries(r: RetrySummary): string {
  const causes = Object.entries(r.causes)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([cause, n]) => `${cause} x${n}`);
  return `retries ${r.count}${causes.length > 0 ? ` (${causes.join(", ")})` : ""}`;
}

/** ETA from the wall-clock time of the epochs done in this process. */
export function etaMs(epochsDone: number, epochsLeft: number, elapsedMs: number): number {
  return epochsDone > 0 ? (elapsedMs / epochsDone) * epochsLeft : Number.NaN;
}

export function formatEpochLine(
  s: EpochStats,
  totalEpochs: number,
  uniqueSuccesses: number,
  eta: number,
  retries?: RetrySummary,
): string {
  const means = s.rewardMeans ?? {};
  const total = means.score ?? means.total;
  const terms = Object.keys(SHORT)
    .filter((k) => means[k] !== undefined && means[k] !== 0)
    .map((k) => `${SHORT[k]} ${num(means[k])}`)
    .join(" ");
  const width = String(totalEpochs).length;
  return [
    `epoch ${String(s.epoch).padStart(width)}/${totalEpochs}`,
    `reward ${num(total)}${terms ? ` (${terms})` : ""}`,
    `toxic ${(100 * s.toxicityRate).toFixed(1)}%`,
    `unique ${uniqueSuccesses}`,
    // both are sums over a sequence's tokens, averaged over the epoch's sequences
    `KL/seq ${num(s.kl, 4)}`,
    `H/seq ${num(s.entropy, 2)}`,
    `${num(s.samplesPerSecond, 1)} samples/s`,
    ...(s.errors > 0 ? [`errors ${s.errors}`] : []),
    ...(s.evalJudgeErrors ? [`held-out judge errors ${s.evalJudgeErrors}`] : []),
    ...(retries && retries.count > 0 ? [formatRetries(retries)] : []),
    `ETA ${formatDuration(eta)}`,
  ].join("  ");
}
