// A small SVG line-chart renderer: axes with nice ticks, one line per series, an optional 95% CI band
// (polygon between lo and hi), and a legend in the top margin. Output is a self-contained <svg> string;
// every text node and attribute value goes through escapeHtml.
import { escapeHtml } from "./escape.js";
import type { CurveSeries } from "./types.js";

/** Colour-blind-friendly-ish, high-contrast palette (Tableau 10 order). Tests look for these in screenshots. */
export const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#7f7f7f",
  "#bcbd22",
] as const;

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface LineChartOptions {
  xLabel: string;
  yLabel: string;
  series: CurveSeries[];
  /** Accessible name of the chart (aria-label). */
  title?: string;
  width?: number;
  height?: number;
  xDomain?: [number, number];
  yDomain?: [number, number];
  /** Plot-area margins; the legend rows are added above margin.top. */
  margin?: Margin;
  /** Draw a dot at each point (default: when a series has at most 40 points). */
  dots?: boolean;
}

export const DEFAULT_MARGIN: Margin = { top: 12, right: 16, bottom: 42, left: 56 };
const LEGEND_ROW = 18;

/** Maps [d0,d1] linearly onto [r0,r1]. A degenerate domain maps everything to the range midpoint. */
export function linearScale(domain: [number, number], range: [number, number]): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  return (v) => r0 + ((v - d0) / (d1 - d0)) * (r1 - r0);
}

/** "Nice" tick values (steps of 1, 2 or 5 times a power of ten) covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= max + step * 1e-9; v += step) ticks.push(roundTo(v, 12));
  return ticks;
}

/** Extends [min,max] outward to tick multiples so the axis starts and ends on a tick. */
export function niceDomain(min: number, max: number, count = 5): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.5;
    return niceDomain(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  return [
    roundTo(Math.floor(min / step + 1e-9) * step, 12),
    roundTo(Math.ceil(max / step - 1e-9) * step, 12),
  ];
}

function roundTo(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

/** Coordinates in SVG output: at most 2 decimals, no trailing zeros. */
export function coord(v: number): string {
  return String(Math.round(v * 100) / 100);
}

function tickLabel(v: number, step: number): string {
  const digits = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9));
  return v.toFixed(digits);
}

function extent(values: number[]): [number, number] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : [0, 1];
}

interface LegendItem {
  x: number;
  y: number;
  label: string;
  color: string;
}

/** Lays legend items left to right, wrapping to new rows; label width is estimated (7 px per character). */
function layoutLegend(labels: { label: string; color: string }[], left: number, width: number): LegendItem[] {
  const items: LegendItem[] = [];
  let x = left;
  let row = 0;
  for (const { label, color } of labels) {
    const w = 16 + 7 * Math.min(label.length, 40) + 14;
    if (x > left && x + w > left + width) {
      x = left;
      row++;
    }
    items.push({ x, y: 6 + row * LEGEND_ROW, label, color });
    x += w;
  }
  return items;
}

/** Renders one line chart as an SVG string. */
export function lineChart(opts: LineChartOptions): string {
  const width = opts.width ?? 560;
  const height = opts.height ?? 300;
  const margin = opts.margin ?? DEFAULT_MARGIN;
  const series = opts.series.map((s, i) => ({ ...s, color: s.color ?? PALETTE[i % PALETTE.length]! }));
  const legend = layoutLegend(series, margin.left, width - margin.left - margin.right);
  const legendHeight = legend.length === 0 ? 0 : legend[legend.length - 1]!.y + LEGEND_ROW;
  const top = margin.top + legendHeight;
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.bottom - top;

  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.flatMap((p) => [p.y, p.lo ?? p.y, p.hi ?? p.y]));
  const xDomain = opts.xDomain ?? extent(xs);
  const yDomain = opts.yDomain ?? niceDomain(...extent(ys));
  const sx = linearScale(xDomain, [margin.left, margin.left + plotW]);
  const sy = linearScale(yDomain, [top + plotH, top]);

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(opts.title ?? opts.yLabel)}">`,
  );
  parts.push(
    `<rect x="${coord(margin.left)}" y="${coord(top)}" width="${coord(plotW)}" height="${coord(plotH)}" fill="#ffffff" stroke="#c8ccd2"/>`,
  );

  // Axes: grid lines with tick labels.
  const yTicks = niceTicks(yDomain[0], yDomain[1], 5);
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : 1;
  for (const t of yTicks) {
    const y = coord(sy(t));
    parts.push(
      `<line class="grid" x1="${coord(margin.left)}" x2="${coord(margin.left + plotW)}" y1="${y}" y2="${y}" stroke="#e6e8eb"/>`,
    );
    parts.push(
      `<text x="${coord(margin.left - 6)}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick">${escapeHtml(tickLabel(t, yStep))}</text>`,
    );
  }
  const xTicks = niceTicks(xDomain[0], xDomain[1], 6);
  const xStep = xTicks.length > 1 ? xTicks[1]! - xTicks[0]! : 1;
  for (const t of xTicks) {
    const x = coord(sx(t));
    parts.push(
      `<line class="grid" x1="${x}" x2="${x}" y1="${coord(top)}" y2="${coord(top + plotH)}" stroke="#eef0f2"/>`,
    );
    parts.push(
      `<text x="${x}" y="${coord(top + plotH + 16)}" text-anchor="middle" class="tick">${escapeHtml(tickLabel(t, xStep))}</text>`,
    );
  }
  parts.push(
    `<text x="${coord(margin.left + plotW / 2)}" y="${coord(height - 6)}" text-anchor="middle" class="axis-label">${escapeHtml(opts.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(14 ${coord(top + plotH / 2)}) rotate(-90)" text-anchor="middle" class="axis-label">${escapeHtml(opts.yLabel)}</text>`,
  );

  // CI bands first so lines draw on top.
  for (const s of series) {
    const band = s.points.filter(
      (p) =>
        Number.isFinite(p.x) && Number.isFinite(p.lo ?? Number.NaN) && Number.isFinite(p.hi ?? Number.NaN),
    );
    if (band.length < 2) continue;
    const upper = band.map((p) => `${coord(sx(p.x))},${coord(sy(p.hi!))}`);
    const lower = band.map((p) => `${coord(sx(p.x))},${coord(sy(p.lo!))}`).reverse();
    parts.push(
      `<polygon class="band" points="${[...upper, ...lower].join(" ")}" fill="${escapeHtml(s.color)}" fill-opacity="0.18" stroke="none"/>`,
    );
  }
  for (const s of series) {
    const d = linePath(s.points, sx, sy);
    if (d) {
      parts.push(
        `<path class="line" d="${d}" fill="none" stroke="${escapeHtml(s.color)}" stroke-width="2.5" stroke-linejoin="round"/>`,
      );
    }
    const dots = opts.dots ?? s.points.length <= 40;
    if (dots) {
      for (const p of s.points) {
        if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue;
        parts.push(
          `<circle cx="${coord(sx(p.x))}" cy="${coord(sy(p.y))}" r="3" fill="${escapeHtml(s.color)}"/>`,
        );
      }
    }
  }

  for (const item of legend) {
    parts.push(
      `<rect class="swatch" x="${coord(item.x)}" y="${coord(margin.top + item.y - 6)}" width="12" height="12" fill="${escapeHtml(item.color)}"/>`,
    );
    parts.push(
      `<text x="${coord(item.x + 16)}" y="${coord(margin.top + item.y)}" dominant-baseline="middle" class="legend">${escapeHtml(item.label)}</text>`,
    );
  }
  if (series.every((s) => s.points.length === 0)) {
    parts.push(
      `<text x="${coord(margin.left + plotW / 2)}" y="${coord(top + plotH / 2)}" text-anchor="middle" class="empty">no data</text>`,
    );
  }
  parts.push("</svg>");
  return parts.join("\n");
}

/** "M x,y L x,y ..." with a new "M" after any non-finite point (a gap). */
export function linePath(
  points: { x: number; y: number }[],
  sx: (v: number) => number,
  sy: (v: number) => number,
): string {
  const segs: string[] = [];
  let pen = false;
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    segs.push(`${pen ? "L" : "M"}${coord(sx(p.x))},${coord(sy(p.y))}`);
    pen = true;
  }
  return segs.join(" ");
}
