// Inline stylesheet shared by the static report and the live view. System fonts, print-friendly.
export const REPORT_CSS = `
:root { --fg:#1d2329; --muted:#5f6b77; --line:#d9dde2; --bg:#ffffff; --band:#f5f7f9; --warn:#b54708; --bad:#b42318; --ok:#067647; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--fg); background: var(--bg); }
main { max-width: 1220px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta, .muted { color: var(--muted); }
.notes { background: #fffaeb; border: 1px solid #fedf89; border-radius: 6px; padding: 8px 14px; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--band); font-weight: 600; }
.table-wrap { overflow-x: auto; }
tbody th { background: transparent; }
td.num { text-align: right; white-space: nowrap; }
th.num { text-align: right; }
tbody tr:nth-child(even) { background: #fbfcfd; }
table.summary td { white-space: nowrap; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(480px, 1fr)); gap: 14px 20px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin: 4px 0; }
svg.chart { max-width: 100%; height: auto; font-size: 11px; }
svg.chart .tick { fill: var(--muted); }
svg.chart .axis-label { fill: var(--fg); font-size: 12px; }
svg.chart .legend { fill: var(--fg); font-size: 12px; }
svg.chart .empty { fill: var(--muted); font-size: 14px; }
details { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; padding: 0 12px; }
details[open] { padding-bottom: 10px; }
summary { cursor: pointer; padding: 8px 0; font-weight: 600; }
summary .muted { font-weight: 400; }
pre.text { white-space: pre-wrap; word-break: break-word; margin: 2px 0; padding: 6px 8px; background: var(--band); border-radius: 4px; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.finding { border-top: 1px dashed var(--line); padding-top: 8px; margin-top: 8px; }
.finding:first-of-type { border-top: none; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 10px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.warn { background: #fef0c7; color: var(--warn); }
.badge.bad { background: #fee4e2; color: var(--bad); }
.badge.ok { background: #dcfae6; color: var(--ok); }
table.rewards { width: auto; font-size: 12px; }
table.rewards td, table.rewards th { padding: 2px 8px; }
form.search input[type=search] { width: 320px; padding: 5px 8px; font: inherit; }
@media (max-width: 800px) { .grid2 { grid-template-columns: 1fr; } }
@media print {
  main { max-width: none; padding: 0; }
  details::details-content { content-visibility: visible; display: block; }
  details { break-inside: avoid; }
  figure { break-inside: avoid; }
  form.search { display: none; }
}
`;
