// One progress line per epoch: reward and each term, toxicity rate, unique successes, KL,
// entropy, throughput and ETA.
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

/** ETA from the wall-clock time of the epochs done in this process. */
export function etaMs(epochsDone: number, epochsLeft: number, elapsedMs: number): number {
  return epochsDone > 0 ? (elapsedMs / epochsDone) * epochsLeft : Number.NaN;
}

export function formatEpochLine(
  s: EpochStats,
  totalEpochs: number,
  uniqueSuccesses: number,
  eta: number,
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
    `KL ${num(s.kl, 4)}`,
    `H ${num(s.entropy, 2)}`,
    `${num(s.samplesPerSecond, 1)} samples/s`,
    ...(s.errors > 0 ? [`errors ${s.errors}`] : []),
    `ETA ${formatDuration(eta)}`,
  ].join("  ");
}
