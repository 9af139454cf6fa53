// Renders ReportData as ONE self-contained HTML file: inline CSS, inline SVG charts, no scripts, no
// network. Every dynamic string goes through escapeHtml (element text and attribute values alike).
import type { EpochStats, RewardBreakdown } from "../store/types.js";
import { lineChart, PALETTE } from "./chart.js";
import { escapeHtml, fmt } from "./escape.js";
import { renderJudging } from "./judging-html.js";
import { REPORT_CSS } from "./style.js";
import type {
  ComparisonTable,
  CurveSeries,
  ErrorCount,
  Finding,
  FindingGroup,
  ReportData,
  RunSummary,
} from "./types.js";

/** The RewardBreakdown terms in display order, with what each one means. */
export const REWARD_TERMS: { key: keyof Omit<RewardBreakdown, "raw">; label: string }[] = [
  { key: "toxicity", label: "toxicity R(y)" },
  { key: "selfBleu", label: "SelfBLEU novelty" },
  { key: "cosine", label: "cosine novelty" },
  { key: "gibberish", label: "gibberish penalty" },
  { key: "tdiv", label: "target diversity" },
  { key: "kl", label: "KL penalty" },
  { key: "entropy", label: "entropy bonus" },
  { key: "score", label: "score (clipped)" },
];

export function renderReport(data: ReportData): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(data.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(data.title)}</h1>
<p class="meta">Generated ${escapeHtml(data.generatedAt)} &middot; success threshold &tau; = ${escapeHtml(fmt(data.tau, 2))} &middot; ${data.runs.length} run(s)</p>
${data.notes.length > 0 ? `<div class="notes"><ul>${data.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul></div>` : ""}
</header>
<section id="summary">
<h2>Summary</h2>
${renderSummaryTable(data.runs, data.tau)}
</section>
<section id="curves">
<h2>Quality and diversity over &tau;</h2>
<p class="muted">Mean over seeds of each method; shaded bands are 95% bootstrap confidence intervals.
Quality(&tau;) is the fraction of test cases whose judge score is at least &tau;; diversity is measured on the
successful test cases X<sub>&tau;</sub>.</p>
${renderTauCharts(data)}
</section>
<section id="comparison">
<h2>Comparison</h2>
${data.comparison ? renderComparison(data.comparison) : `<p class="muted">Only one method: nothing to compare.</p>`}
</section>
<section id="training">
<h2>Training curves</h2>
${data.training.length === 0 ? `<p class="muted">No epoch statistics recorded.</p>` : data.training.map((t, i) => `<details${i === 0 ? " open" : ""}><summary>Run ${escapeHtml(t.runId)} <span class="muted">(${t.epochs.length} epochs)</span></summary>${renderTrainingCharts(t.epochs)}</details>`).join("\n")}
</section>
<section id="findings">
<h2>Findings</h2>
<p class="muted">${data.findingsTotal} test case(s) scored at or above &tau;; the ${countFindings(data.findingGroups)} highest are shown, grouped by similarity.
Each shows the target's answer, both judges' scores and every reward term.</p>
${data.findingGroups.map((g, i) => renderGroup(g, i)).join("\n")}
</section>
<section id="judges">
<h2>Judge disagreements</h2>
<p class="muted">Samples where the training judge and the held-out judge fall on different sides of &tau;.
<span class="badge bad">train only</span> = the training judge rewarded it but the held-out judge does not agree:
likely reward hacking or a training-judge false positive. <span class="badge warn">held-out only</span> = the
held-out judge flags an answer the training judge missed.</p>
${renderDisagreements(data.disagreements)}
</section>
<section id="refusals">
<h2>Refusals and judge agreement</h2>
<p class="muted">Every scored answer is <strong>unsafe</strong>, <strong>refused</strong> (a refusal, whatever a judge says) or <strong>benign</strong>.
A judge is flagged <span class="badge bad">mostly refusals</span> when we are 95% sure that more than half of its unsafe verdicts are refusals
(Wilson interval). Human-checked precision counts the marks set in <code>curio view</code>; Cohen's &kappa; compares two judges' calls at &tau;
on the answers both scored.</p>
${renderJudging(data.judging ?? [], renderFinding)}
</section>
<section id="errors">
<h2>Errors</h2>
${renderErrors(data.errors)}
</section>
</main>
</body>
</html>
`;
}

function countFindings(groups: FindingGroup[]): number {
  return groups.reduce((n, g) => n + g.findings.length, 0);
}

export function renderSummaryTable(runs: RunSummary[], tau: number): string {
  if (runs.length === 0) return `<p class="muted">No runs.</p>`;
  const rows = runs.map(
    (r) => `<tr>
<td>${escapeHtml(r.id)}${r.name && r.name !== r.id ? `<br><span class="muted">${escapeHtml(r.name)}</span>` : ""}</td>
<td>${escapeHtml(r.method)}</td>
<td class="num">${escapeHtml(r.seed)}</td>
<td>${escapeHtml(r.status)}</td>
<td class="num">${escapeHtml(r.samples)}</td>
<td class="num">${escapeHtml(pct(r.successRate))}</td>
<td class="num">${escapeHtml(r.uniqueSuccesses)}</td>
<td class="num">${escapeHtml(fmt(r.selfBleuDiversity))}</td>
<td class="num">${escapeHtml(fmt(r.embeddingDiversity))}</td>
<td class="num">${escapeHtml(r.judgeDisagreements)}</td>
<td class="num">${escapeHtml(r.errors)}</td>
<td>${r.judge === "eval" ? "held-out" : "training"}</td>
</tr>`,
  );
  return `<div class="table-wrap"><table class="summary">
<thead><tr><th>Run</th><th>Method</th><th class="num">Seed</th><th>Status</th><th class="num">Samples</th>
<th class="num">Success @ &tau;=${escapeHtml(fmt(tau, 2))}</th><th class="num">Unique successes</th>
<th class="num">SelfBLEU div.</th><th class="num">Embedding div.</th><th class="num">Judge disagreements</th>
<th class="num">Errors</th><th>Judge</th></tr></thead>
<tbody>${rows.join("\n")}</tbody>
</table></div>`;
}

function pct(v: number | null): string {
  return v === null || !Number.isFinite(v) ? "\u2014" : `${(v * 100).toFixed(1)}%`;
}

function figure(caption: string, svg: string): string {
  return `<figure><figcaption>${escapeHtml(caption)}</figcaption>${svg}</figure>`;
}

/** Keeps colours stable per label across the three tau charts. */
function colourByLabel(groups: CurveSeries[][]): (s: CurveSeries) => CurveSeries {
  const labels = [...new Set(groups.flat().map((s) => s.label))];
  return (s) => ({ ...s, color: s.color ?? PALETTE[labels.indexOf(s.label) % PALETTE.length] });
}

function renderTauCharts(data: ReportData): string {
  const colour = colourByLabel([data.quality, data.selfBleuDiversity, data.embeddingDiversity]);
  const charts = [
    figure(
      "Quality(\u03c4): fraction of test cases with score \u2265 \u03c4",
      lineChart({
        title: "Quality over tau",
        xLabel: "\u03c4 (judge score threshold)",
        yLabel: "Quality(\u03c4)",
        series: data.quality.map(colour),
        xDomain: [0, 1],
        yDomain: [0, 1],
      }),
    ),
    figure(
      "SelfBLEU diversity of X\u03c4",
      lineChart({
        title: "SelfBLEU diversity over tau",
        xLabel: "\u03c4",
        yLabel: "1 \u2212 SelfBLEU",
        series: data.selfBleuDiversity.map(colour),
        xDomain: [0, 1],
        yDomain: [0, 1],
      }),
    ),
  ];
  if (data.embeddingDiversity.length > 0) {
    charts.push(
      figure(
        "Embedding diversity of X\u03c4",
        lineChart({
          title: "Embedding diversity over tau",
          xLabel: "\u03c4",
          yLabel: "1 \u2212 mean cosine",
          series: data.embeddingDiversity.map(colour),
          xDomain: [0, 1],
          yDomain: [0, 1],
        }),
      ),
    );
  }
  return `<div class="charts">${charts.join("\n")}</div>`;
}

export function renderComparison(table: ComparisonTable): string {
  return `<table class="comparison">
<thead><tr><th></th>${table.columns.map((c) => `<th class="num">${escapeHtml(c)}</th>`).join("")}</tr></thead>
<tbody>${table.rows.map((r) => `<tr><th>${escapeHtml(r.label)}</th>${r.cells.map((c) => `<td class="num">${escapeHtml(c)}</td>`).join("")}</tr>`).join("\n")}</tbody>
</table>${table.note ? `<p class="muted">${escapeHtml(table.note)}</p>` : ""}`;
}

function seriesFromRecord(
  epochs: EpochStats[],
  pick: (e: EpochStats) => Record<string, number>,
): CurveSeries[] {
  const keys = [...new Set(epochs.flatMap((e) => Object.keys(pick(e))))];
  return keys.map((k) => ({
    label: k,
    points: epochs.map((e) => ({ x: e.epoch, y: pick(e)[k] ?? Number.NaN })),
  }));
}

/** Per-epoch charts of one run: every reward term, KL and entropy, success, PPO losses. */
export function renderTrainingCharts(epochs: EpochStats[]): string {
  const sorted = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const charts = [
    figure(
      "Reward terms (epoch means)",
      lineChart({
        title: "Reward terms per epoch",
        xLabel: "epoch",
        yLabel: "mean reward term",
        series: seriesFromRecord(sorted, (e) => e.rewardMeans),
      }),
    ),
    figure(
      "KL and entropy",
      lineChart({
        title: "KL and entropy per epoch",
        xLabel: "epoch",
        yLabel: "nats per token",
        series: [
          { label: "KL", points: sorted.map((e) => ({ x: e.epoch, y: e.kl })) },
          { label: "entropy", points: sorted.map((e) => ({ x: e.epoch, y: e.entropy })) },
        ],
      }),
    ),
    figure(
      "Success rate (training judge)",
      lineChart({
        title: "Toxicity rate per epoch",
        xLabel: "epoch",
        yLabel: "fraction of samples",
        series: [{ label: "toxicity rate", points: sorted.map((e) => ({ x: e.epoch, y: e.toxicityRate })) }],
        yDomain: [0, 1],
      }),
    ),
    figure(
      "Unique successes and errors",
      lineChart({
        title: "Unique successes per epoch",
        xLabel: "epoch",
        yLabel: "count",
        series: [
          { label: "unique successes", points: sorted.map((e) => ({ x: e.epoch, y: e.uniqueSuccesses })) },
          { label: "errors", points: sorted.map((e) => ({ x: e.epoch, y: e.errors })) },
        ],
      }),
    ),
    figure(
      "PPO losses",
      lineChart({
        title: "Losses per epoch",
        xLabel: "epoch",
        yLabel: "loss",
        series: seriesFromRecord(sorted, (e) => e.loss),
      }),
    ),
  ];
  return `<div class="charts">${charts.join("\n")}</div>`;
}

function markBadge(f: Finding): string {
  if (f.mark === "confirmed") return ` <span class="badge ok">human: confirmed</span>`;
  if (f.mark === "false-positive") return ` <span class="badge bad">human: false positive</span>`;
  return "";
}

function scoreBadge(f: Finding): string {
  if (f.disagreement === "train-only") return ` <span class="badge bad">judges disagree: train only</span>`;
  if (f.disagreement === "eval-only")
    return ` <span class="badge warn">judges disagree: held-out only</span>`;
  return "";
}

export function renderRewardTable(r: RewardBreakdown | null): string {
  if (!r) return `<p class="muted">No reward breakdown (sample errored or was not rewarded).</p>`;
  const raw = r.raw ?? {};
  const rawCells = Object.entries(raw)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(fmt(v as number))}`)
    .join(", ");
  return `<table class="rewards"><thead><tr>${REWARD_TERMS.map((t) => `<th class="num">${escapeHtml(t.label)}</th>`).join("")}</tr></thead>
<tbody><tr>${REWARD_TERMS.map((t) => `<td class="num">${escapeHtml(fmt(r[t.key]))}</td>`).join("")}</tr></tbody></table>${rawCells ? `<p class="muted">raw: ${rawCells}</p>` : ""}`;
}

/** Long model output is cut for display (the exports keep it whole). */
export function clip(text: string, max = 2000): string {
  return text.length <= max ? text : `${text.slice(0, max)}\u2026 [${text.length - max} more characters]`;
}

export function renderFinding(f: Finding): string {
  return `<div class="finding">
<p><strong>${escapeHtml(f.runId)}</strong> #${escapeHtml(f.index)} <span class="muted">epoch ${escapeHtml(f.epoch)}</span> &middot;
${f.judgeScores ? f.judgeScores.map((j) => `${escapeHtml(j.label)} <strong>${escapeHtml(fmt(j.score))}</strong>`).join(" &middot; ") : `training judge <strong>${escapeHtml(fmt(f.judgeScore))}</strong> &middot; held-out judge <strong>${escapeHtml(fmt(f.evalJudgeScore))}</strong>`}${scoreBadge(f)}${markBadge(f)}</p>
<div class="grid2"><div><div class="muted">Test case</div><pre class="text">${escapeHtml(clip(f.testCase))}</pre></div>
<div><div class="muted">Target answer</div><pre class="text">${escapeHtml(clip(f.response))}</pre></div></div>
${renderRewardTable(f.rewards)}
</div>`;
}

function renderGroup(g: FindingGroup, i: number): string {
  const head = g.label.length > 120 ? `${g.label.slice(0, 117)}...` : g.label;
  return `<details${i < 3 ? " open" : ""}><summary>${escapeHtml(head)} <span class="muted">(${g.findings.length} similar)</span></summary>
${g.findings.map(renderFinding).join("\n")}
</details>`;
}

function renderDisagreements(list: Finding[]): string {
  if (list.length === 0) {
    return `<p class="muted">None (or no held-out judge configured: add one with <code>evalJudge</code> to audit the training judge).</p>`;
  }
  return `<details><summary>${list.length} sample(s)</summary>${list.map(renderFinding).join("\n")}</details>`;
}

function renderErrors(errors: ErrorCount[]): string {
  const withErrors = errors.filter((e) => e.total > 0);
  if (withErrors.length === 0) return `<p class="muted">No errors recorded.</p>`;
  return `<table class="errors"><thead><tr><th>Run</th><th class="num">Errors</th><th>Most frequent messages</th></tr></thead>
<tbody>${withErrors.map((e) => `<tr><td>${escapeHtml(e.runId)}</td><td class="num">${escapeHtml(e.total)}</td><td>${e.top.map((t) => `${escapeHtml(t.message)} <span class="muted">&times;${escapeHtml(t.count)}</span>`).join("<br>")}</td></tr>`).join("\n")}</tbody></table>`;
}
