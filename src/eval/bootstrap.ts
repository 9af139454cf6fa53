// Percentile bootstrap confidence interval of a mean (e.g. a metric over training seeds).
import { makeRng, randomInt } from "./prng.js";

export interface BootstrapOptions {
  /** Number of resamples. Default 10,000. */
  resamples?: number;
  /** Two-sided confidence level. Default 0.95. */
  confidence?: number;
  /** PRNG seed. Default 0. */
  seed?: number;
}

export interface MeanWithCI {
  mean: number;
  low: number;
  high: number;
  /** Number of values the estimate is based on. */
  n: number;
}

/** Quantile with linear interpolation between order statistics (numpy's default "linear" method). */
export function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * Mean of `values` with a percentile-bootstrap CI: resample the values with replacement, take each resample's
 * mean, report the (1-c)/2 and (1+c)/2 quantiles. Non-finite values are ignored; null when none are left.
 */
export function bootstrapMeanCI(
  values: readonly (number | null)[],
  options: BootstrapOptions = {},
): MeanWithCI | null {
  const resamples = options.resamples ?? 10_000;
  const confidence = options.confidence ?? 0.95;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`bootstrap resamples must be a positive integer, got ${resamples}`);
  }
  if (!(confidence > 0 && confidence < 1))
    throw new Error(`bootstrap confidence must be in (0, 1), got ${confidence}`);
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (xs.length === 0) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const rng = makeRng(options.seed ?? 0);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let i = 0; i < xs.length; i++) sum += xs[randomInt(rng, xs.length)];
    means[r] = sum / xs.length;
  }
  means.sort();
  const sorted = Array.from(means);
  return {
    mean,
    low: quantile(sorted, (1 - confidence) / 2),
    high: quantile(sorted, (1 + confidence) / 2),
    n: xs.length,
  };
}
