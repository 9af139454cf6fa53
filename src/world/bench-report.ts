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
  // the reference model's mean log-likelihood per token (<= 0): in the table, not the bar chart
  { key: "naturalness", label: "naturalness of findings", digits: 2, chart: false },
  { key: "wallSeconds", label: "wall time (s)", digits: 1 },
] as const satisfies readonly { key: string; label: string; digits: number; chart?: boolean }[];
const CHARTED = BENCH_METRICS.filter((m) => !("chart" in m && m.chart === false));

export type BenchMetric = (typeof BENCH_METRICS)[number]["key"];

export interface BenchRun {
  method: string;
  seed: number;
  metrics: Record<BenchMetric, number | null>;
  /** Cells covered after every `every` target queries (coverageCurve). */
  coverage?: { every: number; cells: number[] };
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
  const rows = Math.ceil(CHARTED.length / cols);
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
  CHARTED.forEach((m, k) => {
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

/** Per method: cells covered (mean and 95% CI over seeds) after each `every` queries, up to the shortest run. */
export interface CoverageSummary {
  method: string;
  every: number;
  points: { queries: number; cells: MeanWithCI }[];
}

export function summarizeCoverage(
  runs: readonly BenchRun[],
  opts: { resamples?: number; seed?: number } = {},
): CoverageSummary[] {
  const methods = [...new Set(runs.filter((r) => r.coverage).map((r) => r.method))];
  return methods.map((method) => {
    const curves = runs.filter((r) => r.method === method && r.coverage).map((r) => r.coverage!);
    const every = curves[0]!.every;
    if (curves.some((c) => c.every !== every))
      throw new Error(`${method}: coverage curves of different steps`);
    const length = Math.min(...curves.map((c) => c.cells.length));
    const points = Array.from({ length }, (_, k) => ({
      queries: (k + 1) * every,
      cells: bootstrapMeanCI(
        curves.map((c) => c.cells[k]!),
        { resamples: opts.resamples ?? 10_000, seed: opts.seed ?? 0 },
      )!,
    }));
    return { method, every, points };
  });
}

/** Markdown: cells covered at a few query budgets (every `stride`-th point of the curve and the last). */
export function coverageTable(summaries: readonly CoverageSummary[], stride = 4): string {
  const longest = Math.max(0, ...summaries.map((s) => s.points.length));
  const at = [
    ...new Set([
      ...Array.from({ length: longest }, (_, k) => k).filter((k) => (k + 1) % stride === 0),
      longest - 1,
    ]),
  ]
    .filter((k) => k >= 0)
    .sort((a, b) => a - b);
  const queries = at.map((k) => (k + 1) * (summaries[0]?.every ?? 0));
  const head = ["method", ...queries.map((q) => `${q} queries`)];
  const lines = [`| ${head.join(" | ")} |`, `|${head.map(() => "---").join("|")}|`];
  for (const s of summaries)
    lines.push(`| ${[s.method, ...at.map((k) => cell(s.points[k]?.cells ?? null, 1))].join(" | ")} |`);
  return `${lines.join("\n")}\n`;
}

/** SVG line chart: mean cells covered vs target queries per method, with a shaded 95% CI band. */
export function coverageSvg(
  summaries: readonly CoverageSummary[],
  opts: { title?: string; cellsTotal?: number } = {},
): string {
  const W = 640;
  const H = 360;
  const left = 50;
  const right = 150;
  const top = 40;
  const bottom = 40;
  const maxQ = Math.max(1, ...summaries.flatMap((s) => s.points.map((p) => p.queries)));
  const maxC = opts.cellsTotal ?? Math.max(1, ...summaries.flatMap((s) => s.points.map((p) => p.cells.high)));
  const x = (q: number) => left + (q / maxQ) * (W - left - right);
  const y = (c: number) => H - bottom - (c / maxC) * (H - top - bottom);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="600">${escapeHtml(opts.title ?? "Cells covered vs target queries")}</text>`,
    `<line x1="${left}" y1="${y(0)}" x2="${W - right}" y2="${y(0)}" stroke="#999"/>`,
    `<line x1="${left}" y1="${y(0)}" x2="${left}" y2="${y(maxC)}" stroke="#999"/>`,
    `<text x="${left - 6}" y="${y(maxC) + 4}" text-anchor="end" fill="#555">${maxC}</text>`,
    `<text x="${left - 6}" y="${y(0) + 4}" text-anchor="end" fill="#555">0</text>`,
    `<text x="${W - right}" y="${y(0) + 16}" text-anchor="end" fill="#555">${maxQ} queries</text>`,
  ];
  summaries.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const band = [
      ...s.points.map((p) => `${x(p.queries).toFixed(1)},${y(p.cells.high).toFixed(1)}`),
      ...[...s.points].reverse().map((p) => `${x(p.queries).toFixed(1)},${y(p.cells.low).toFixed(1)}`),
    ];
    parts.push(`<polygon points="${band.join(" ")}" fill="${color}" fill-opacity="0.15"/>`);
    const line = s.points.map((p) => `${x(p.queries).toFixed(1)},${y(p.cells.mean).toFixed(1)}`).join(" ");
    parts.push(`<polyline points="${line}" fill="none" stroke="${color}" stroke-width="2"/>`);
    parts.push(`<rect x="${W - right + 12}" y="${top + i * 16}" width="10" height="10" fill="${color}"/>`);
    parts.push(`<text x="${W - right + 26}" y="${top + i * 16 + 9}">${escapeHtml(s.method)}</text>`);
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
