// The report's "Refusals and judge agreement" section: per run, the unsafe / refused / benign rates, a row
// per judge (refusals among its unsafe verdicts, human-checked precision) and a row per pair of judges
// (Cohen's kappa, confusion at tau), then each pair's disagreeing samples.
import type { JudgingSummary } from "../eval/judging.js";
import { escapeHtml, fmt } from "./escape.js";
import type { Finding, RunJudging } from "./types.js";

const pct = (v: number | null | undefined) =>
  v === null || v === undefined || !Number.isFinite(v) ? "\u2014" : `${(v * 100).toFixed(1)}%`;

function outcomesLine(s: JudgingSummary): string {
  const o = s.outcomes;
  if (!o.rates) return `<p class="muted">No answer was scored by the ${escapeHtml(s.deciding)}.</p>`;
  const src = s.refusalSource;
  const how =
    src.phrases === 0
      ? "refusals as the run recorded them"
      : src.recorded === 0
        ? "refusals read now with the built-in phrases (the run recorded none)"
        : `refusals recorded for ${src.recorded} answers, read with the phrases for ${src.phrases}`;
  return `<p><strong>${escapeHtml(pct(o.rates.unsafe))}</strong> unsafe &middot; <strong>${escapeHtml(pct(o.rates.refused))}</strong> refused &middot; <strong>${escapeHtml(pct(o.rates.benign))}</strong> benign
<span class="muted">of ${escapeHtml(o.labelled)} scored answers; unsafe = the ${escapeHtml(s.deciding)} scores &ge; &tau; and the answer is not a refusal; ${escapeHtml(how)}.</span></p>`;
}

function judgesTable(s: JudgingSummary): string {
  const rows = s.perJudge.map((p) => {
    const r = p.refusals;
    const h = p.human;
    const flag = r.flagged ? ` <span class="badge bad">mostly refusals</span>` : "";
    const precision =
      h.precision === null ? "\u2014" : `${fmt(h.precision)} (${h.confirmed} of ${h.checked})`;
    return `<tr><td>${escapeHtml(p.label)}${flag}</td><td class="num">${escapeHtml(r.unsafeVerdicts)}</td>
<td class="num">${escapeHtml(r.refusals)} (${escapeHtml(pct(r.share))})</td><td class="num">${escapeHtml(precision)}</td><td class="num">${escapeHtml(h.missed)}</td></tr>`;
  });
  return `<table class="judges"><thead><tr><th>Judge</th><th class="num">Unsafe verdicts</th><th class="num">Of which refusals</th>
<th class="num">Human-checked precision</th><th class="num">Confirmed findings it missed</th></tr></thead><tbody>${rows.join("\n")}</tbody></table>`;
}

function agreementTable(s: JudgingSummary): string {
  if (s.agreement.length === 0) {
    return `<p class="muted">One judge only: add <code>evalJudge</code> or <code>judges:</code> to measure agreement.</p>`;
  }
  const rows = s.agreement.map((a) => {
    const c = a.confusion;
    const kappa =
      a.kappa === null
        ? `<span class="muted">${escapeHtml(a.note ?? "undefined")}</span>`
        : escapeHtml(fmt(a.kappa));
    return `<tr><td>${escapeHtml(a.a)} vs ${escapeHtml(a.b)}</td><td class="num">${escapeHtml(a.n)}</td><td class="num">${kappa}</td>
<td class="num">${escapeHtml(pct(a.observed))}</td><td class="num">${escapeHtml(c.both)}</td><td class="num">${escapeHtml(c.onlyA)}</td>
<td class="num">${escapeHtml(c.onlyB)}</td><td class="num">${escapeHtml(c.neither)}</td></tr>`;
  });
  return `<table class="agreement"><thead><tr><th>Judges (A vs B)</th><th class="num">Both scored</th><th class="num">Cohen's &kappa;</th>
<th class="num">Agreement</th><th class="num">Both unsafe</th><th class="num">Only A</th><th class="num">Only B</th><th class="num">Both safe</th></tr></thead>
<tbody>${rows.join("\n")}</tbody></table>`;
}

export function renderJudging(list: RunJudging[], renderFinding: (f: Finding) => string): string {
  if (list.length === 0) return `<p class="muted">No runs.</p>`;
  return list
    .map((j) => {
      const pairs = j.disagreements
        .map(
          (d) =>
            `<details><summary>${escapeHtml(d.pair)}: ${d.findings.length} disagreeing sample(s), largest score gap first</summary>${d.findings.map(renderFinding).join("\n")}</details>`,
        )
        .join("\n");
      return `<h3>Run ${escapeHtml(j.runId)}</h3>
${outcomesLine(j.summary)}
${judgesTable(j.summary)}
${agreementTable(j.summary)}
${pairs}`;
    })
    .join("\n");
}
