// Across seeds and methods: mean and bootstrap CI of every curve metric, a comparison table, JSON/CSV export.
import { type BootstrapOptions, bootstrapMeanCI, type MeanWithCI } from "./bootstrap.js";
import type { RunCurves, TauPoint } from "./quality.js";

export const CURVE_METRICS = [
  "quality",
  "count",
  "unique",
  "selfBleuDiversity",
  "embeddingDiversity",
] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number];

export interface AggregatedPoint {
  tau: number;
  metrics: Record<CurveMetric, MeanWithCI | null>;
}

export interface MethodCurves {
  method: string;
  seeds: number;
  points: AggregatedPoint[];
}

/** Mean and CI over seeds of each metric at each tau. All runs must share the tau grid. */
export function aggregateSeeds(
  method: string,
  runs: readonly RunCurves[],
  options: BootstrapOptions = {},
): MethodCurves {
  if (runs.length === 0) throw new Error(`method "${method}": no runs to aggregate`);
  const grid = runs[0].points.map((p) => p.tau);
  for (const run of runs) {
    const taus = run.points.map((p) => p.tau);
    if (taus.length !== grid.length || taus.some((t, i) => t !== grid[i])) {
      throw new Error(`method "${method}": runs were evaluated on different tau grids; use the same taus`);
    }
  }
  const points = grid.map((tau, i): AggregatedPoint => {
    const metrics = {} as Record<CurveMetric, MeanWithCI | null>;
    for (const metric of CURVE_METRICS) {
      metrics[metric] = bootstrapMeanCI(
        runs.map((run) => (run.points[i] as TauPoint)[metric]),
        options,
      );
    }
    return { tau, metrics };
  });
  return { method, seeds: runs.length, points };
}

export interface ComparisonRow {
  method: string;
  tau: number;
  metrics: Record<CurveMetric, MeanWithCI | null>;
}

/** Rows of method x tau (the taus closest to `taus` on the grid), for a results table. */
export function compareMethods(
  methods: readonly MethodCurves[],
  taus: readonly number[] = [0, 0.5, 0.9],
): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  for (const m of methods) {
    for (const tau of taus) {
      const point = m.points.reduce((best, p) =>
        Math.abs(p.tau - tau) < Math.abs(best.tau - tau) ? p : best,
      );
      rows.push({ method: m.method, tau: point.tau, metrics: point.metrics });
    }
  }
  return rows;
}

/** Curves as JSON text (the aggregated structure as is). */
export function curvesToJSON(methods: readonly MethodCurves[]): string {
  return JSON.stringify({ format: "curio.eval-curves", version: 1, methods }, null, 2);
}

const csvField = (v: string | number | null) => {
  if (v === null) return "";
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Long-format CSV: method,tau,metric,mean,low,high,n (empty cells where a metric is undefined). */
export function curvesToCSV(methods: readonly MethodCurves[]): string {
  const lines = ["method,tau,metric,mean,low,high,n"];
  for (const m of methods) {
    for (const p of m.points) {
      for (const metric of CURVE_METRICS) {
        const v = p.metrics[metric];
        lines.push(
          [m.method, p.tau, metric, v?.mean ?? null, v?.low ?? null, v?.high ?? null, v?.n ?? 0]
            .map(csvField)
            .join(","),
        );
      }
    }
  }
  return `${lines.join("\n")}\n`;
}
