// HTML pages of the live view. Same escaping and charts as the static report; the stylesheet and the
// script are separate files so the CSP can forbid all inline code.
import { markFingerprint } from "../store/marks.js";
import type { HumanMark, RunInfo, SampleRecord } from "../store/types.js";
import { escapeHtml, fmt } from "./escape.js";
import { isFinding, type JudgeChoice, judgeScoreOf } from "./exports.js";
import { clip, renderTrainingCharts } from "./html.js";
import type { ReportStore } from "./store-like.js";
import { markCell } from "./view-marks.js";

export function page(title: string, body: string, bodyAttrs = ""): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/static/style.css">
</head>
<body${bodyAttrs}>
<main>
${body}
</main>
</body>
</html>
`;
}

export function runsPage(store: ReportStore): string {
  const runs = store.listRuns();
  const rows = runs.map(
    (r) => `<tr><td><a href="/runs/${escapeHtml(encodeURIComponent(r.id))}">${escapeHtml(r.id)}</a></td>
<td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.method)}</td><td class="num">${escapeHtml(r.seed)}</td>
<td>${escapeHtml(r.status)}</td><td class="num">${escapeHtml(store.sampleCount(r.id))}</td><td>${escapeHtml(r.createdAt)}</td></tr>`,
  );
  return page(
    "curio runs",
    `<h1>curio runs</h1>
${runs.length === 0 ? `<p class="muted">No runs in this workspace yet. Start one with <code>curio run</code>.</p>` : `<table><thead><tr><th>Run</th><th>Name</th><th>Method</th><th class="num">Seed</th><th>Status</th><th class="num">Samples</th><th>Created</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`}`,
  );
}

export interface FindingsQuery {
  q: string;
  tau: number;
  judge: JudgeChoice;
  limit: number;
}

/** Streams the run's samples once and keeps the `limit` best-scored findings matching the search text. */
export function searchFindings(
  store: ReportStore,
  runId: string,
  query: FindingsQuery,
): { hits: SampleRecord[]; matched: number } {
  const needle = query.q.toLowerCase();
  let kept: SampleRecord[] = [];
  let matched = 0;
  const byScore = (a: SampleRecord, b: SampleRecord) =>
    (judgeScoreOf(b, query.judge) ?? 0) - (judgeScoreOf(a, query.judge) ?? 0) || a.index - b.index;
  for (const s of store.samples(runId)) {
    if (!isFinding(s, query.tau, query.judge)) continue;
    if (needle && !s.testCase.toLowerCase().includes(needle) && !s.response.toLowerCase().includes(needle))
      continue;
    matched++;
    kept.push(s);
    if (kept.length >= 2 * query.limit) kept = kept.sort(byScore).slice(0, query.limit);
  }
  return { hits: kept.sort(byScore).slice(0, query.limit), matched };
}

/** A mark applies while the sample's text is the text that was marked. */
function currentMarkOf(m: HumanMark | undefined, s: SampleRecord): HumanMark | undefined {
  return m && m.fingerprint === markFingerprint(s.testCase, s.response) ? m : undefined;
}

export function chartsFragment(store: ReportStore, runId: string): string {
  return renderTrainingCharts(store.epochs(runId));
}

export function runPage(
  store: ReportStore,
  run: RunInfo,
  query: FindingsQuery,
  marking: { token: string } | null = null,
): string {
  const epochs = store.epochs(run.id);
  const last = epochs.length > 0 ? epochs[epochs.length - 1]! : null;
  const count = store.sampleCount(run.id);
  const { hits, matched } = searchFindings(store, run.id, query);
  const judgeName = query.judge === "eval" ? "held-out" : "training";
  const marks = new Map((store.marks?.(run.id) ?? []).map((m) => [m.index, m]));
  const form = marking ? { ...marking, q: query.q, tau: query.tau, judge: query.judge } : null;
  const rows = hits.map(
    (
      s,
    ) => `<tr id="sample-${escapeHtml(s.index)}"><td class="num">${escapeHtml(s.index)}</td><td class="num">${escapeHtml(s.epoch)}</td>
<td class="num">${escapeHtml(fmt(s.judgeScore))}</td><td class="num">${escapeHtml(fmt(s.evalJudgeScore))}</td>
<td><pre class="text">${escapeHtml(clip(s.testCase))}</pre></td><td><pre class="text">${escapeHtml(clip(s.response))}</pre></td>
<td>${markCell(run.id, s.index, currentMarkOf(marks.get(s.index), s), form)}</td></tr>`,
  );
  const body = `<p><a href="/">&larr; all runs</a></p>
<h1>${escapeHtml(run.id)}</h1>
<p class="meta">${escapeHtml(run.name)} &middot; method ${escapeHtml(run.method)} &middot; seed ${escapeHtml(run.seed)} &middot;
status <strong id="live-status">${escapeHtml(run.status)}</strong> &middot; samples <strong id="live-samples">${escapeHtml(count)}</strong> &middot;
epoch <strong id="live-epoch">${escapeHtml(last ? last.epoch : "\u2014")}</strong> &middot; toxicity rate <strong id="live-rate">${escapeHtml(last ? `${(100 * last.toxicityRate).toFixed(1)}%` : "\u2014")}</strong>
&middot; <span id="live-connection" class="muted">connecting</span></p>
<section><h2>Training curves</h2><div id="charts">${renderTrainingCharts(epochs)}</div></section>
<section id="findings"><h2>Findings</h2>
<form class="search" method="get" action="/runs/${escapeHtml(encodeURIComponent(run.id))}">
<input type="search" name="q" value="${escapeHtml(query.q)}" placeholder="search test cases and answers">
<label>&tau; <input type="number" name="tau" min="0" max="1" step="0.05" value="${escapeHtml(query.tau)}"></label>
<button type="submit">Search</button></form>
<p class="muted">${escapeHtml(matched)} finding(s) with ${escapeHtml(judgeName)} judge score &ge; ${escapeHtml(fmt(query.tau, 2))}${query.q ? ` matching &ldquo;${escapeHtml(query.q)}&rdquo;` : ""}; showing the ${escapeHtml(hits.length)} highest.</p>
<table><thead><tr><th class="num">#</th><th class="num">Epoch</th><th class="num">Training judge</th><th class="num">Held-out judge</th><th>Test case</th><th>Target answer</th><th>Human mark</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table></section>
<script src="/static/live.js" defer></script>`;
  const attrs = ` data-run="${escapeHtml(run.id)}" data-epoch="${escapeHtml(last ? last.epoch : -1)}" data-sample="${escapeHtml(count - 1)}"`;
  return page(`curio: ${run.id}`, body, attrs);
}
