// The world benchmark's summary: per-method means with 95% bootstrap CIs over seeds, as a markdown table and
// an SVG chart (one small panel per metric, one bar per method with its CI whisker).
import { bootstrapMeanCI, type MeanWithCI } from "../eval/index.js";
import { escapeHtml } from "../report/escape.js";

export const BENCH_METRICS = [
  { key: "cellsCovered", label: "cells covered", digits: 1 },
  { key: "uniqueSuccessfulPrompts", label: "unique successful prompts", digits: 1 },
  { key: "quality", label: "Quality(0.5), reward judge", digits: 3 },
  { key: "qualityHeldOut", label: "Quality(0.5), held-out judge", digits: 3 },
  { key: "selfBleuDiversity", label: "SelfBLEU diversity (tau 0.5)", digits: 3 },
  { key: "embeddingDiversity", label: "embedding diversity (tau 0.5)", digits: 3 },
  { key: "rewardHackingRate", label: "reward-hacking rate", digits: 3 },
  { key: "wallSeconds", label: "wall time (s)", digits: 1 },
] as const;

export type BenchMetric = (typeof BENCH_METRICS)[number]["key"];

export interface BenchRun {
  method: string;
  seed: number;
  metrics: Record<BenchMetric, number | null>;
}

export interface MethodSummary {
  method: string;
  seeds: number;
  stats: Record<BenchMetric, MeanWithCI | null>;
}

/** Groups runs by method (in first-seen order) and bootstraps each metric's mean over seeds. */
export function summarizeRuns(
  runs: readonly BenchRun[],
  opts: { resamples?: number; seed?: number } = {},
): MethodSummary[] {
  const methods = [...new Set(runs.map((r) => r.method))];
  return methods.map((method) => {
    const mine = runs.filter((r) => r.method === method);
    const stats = {} as Record<BenchMetric, MeanWithCI | null>;
    for (const m of BENCH_METRICS) {
      stats[m.key] = bootstrapMeanCI(
        mine.map((r) => r.metrics[m.key]),
        { resamples: opts.resamples ?? 10_000, seed: opts.seed ?? 0 },
      );
    }
    return { method, seeds: mine.length, stats };
  });
}

/** "mean [low, high]"; "(n=k)" when only k of the method's seeds have a value (e.g. diversity of < 2 successes). */
function cell(s: MeanWithCI | null, digits: number, seeds = s?.n ?? 0): string {
  if (!s) return "n/a";
  const f = (x: number) => x.toFixed(digits);
  const text = s.n > 1 ? `${f(s.mean)} [${f(s.low)}, ${f(s.high)}]` : f(s.mean);
  return s.n < seeds ? `${text} (n=${s.n})` : text;
}

/** Markdown table: one row per method, "mean [95% CI]" per metric. */
export function markdownTable(summaries: readonly MethodSummary[]): string {
  const head = ["method", "seeds", ...BENCH_METRICS.map((m) => m.label)];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const s of summaries) {
    const row = [
      s.method,
      String(s.seeds),
      ...BENCH_METRICS.map((m) => cell(s.stats[m.key], m.digits, s.seeds)),
    ];
    lines.push(`| ${row.join(" | ")} |`);
  }
  return `${lines.join("\n")}\n`;
}

const COLORS = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#555555"];

/** SVG: a grid of bar panels (mean bar + 95% CI whisker per method), a shared legend on top. */
export function svgChart(summaries: readonly MethodSummary[], opts: { title?: string } = {}): string {
  const panelW = 260;
  const panelH = 190;
  const cols = 4;
  const rows = Math.ceil(BENCH_METRICS.length / cols);
  const top = 60;
  const width = cols * panelW + 20;
  const height = top + rows * panelH + 10;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="600">${escapeHtml(opts.title ?? "Sandbox world benchmark")}</text>`,
  ];
  summaries.forEach((s, i) => {
    const x = 10 + i * 150;
    parts.push(`<rect x="${x}" y="32" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`);
    parts.push(`<text x="${x + 14}" y="41">${escapeHtml(s.method)}</text>`);
  });
  BENCH_METRICS.forEach((m, k) => {
    const ox = 10 + (k % cols) * panelW;
    const oy = top + Math.floor(k / cols) * panelH;
    const plotX = ox + 40;
    const plotY = oy + 24;
    const plotW = panelW - 60;
    const plotH = panelH - 60;
    const highs = summaries.map((s) => s.stats[m.key]?.high ?? s.stats[m.key]?.mean ?? 0);
    const max = Math.max(1e-9, ...highs) * 1.1;
    const y = (v: number) => plotY + plotH - (Math.max(0, v) / max) * plotH;
    parts.push(`<text x="${ox + 4}" y="${oy + 14}" font-weight="600">${escapeHtml(m.label)}</text>`);
    parts.push(
      `<line x1="${plotX}" y1="${plotY + plotH}" x2="${plotX + plotW}" y2="${plotY + plotH}" stroke="#999"/>`,
    );
    parts.push(`<line x1="${plotX}" y1="${plotY}" x2="${plotX}" y2="${plotY + plotH}" stroke="#999"/>`);
    for (const v of [0, max / 1.1]) {
      parts.push(
        `<text x="${plotX - 4}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#555">${v.toFixed(m.digits)}</text>`,
      );
    }
    const bw = plotW / Math.max(1, summaries.length);
    summaries.forEach((s, i) => {
      const st = s.stats[m.key];
      const bx = plotX + i * bw + bw * 0.15;
      if (!st) {
        parts.push(`<text x="${bx}" y="${plotY + plotH - 4}" fill="#999">n/a</text>`);
        return;
      }
      const color = COLORS[i % COLORS.length];
      parts.push(
        `<rect x="${bx.toFixed(1)}" y="${y(st.mean).toFixed(1)}" width="${(bw * 0.7).toFixed(1)}" height="${(plotY + plotH - y(st.mean)).toFixed(1)}" fill="${color}"><title>${escapeHtml(`${s.method}: ${cell(st, m.digits)}`)}</title></rect>`,
      );
      if (st.n > 1) {
        const cx = (bx + bw * 0.35).toFixed(1);
        parts.push(
          `<line x1="${cx}" y1="${y(st.low).toFixed(1)}" x2="${cx}" y2="${y(st.high).toFixed(1)}" stroke="#222" stroke-width="1.5"/>`,
        );
      }
    });
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
