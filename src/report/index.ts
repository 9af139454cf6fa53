// HTML report, live view and exports: public API.
export {
  DEFAULT_MARGIN,
  type LineChartOptions,
  linearScale,
  lineChart,
  niceDomain,
  niceTicks,
  PALETTE,
} from "./chart.js";
export { clusterTexts, greedyCluster, jaccard, wordShingles } from "./cluster.js";
export { type BuildReportOptions, buildReportData, judgeDisagreement } from "./data.js";
export { escapeHtml } from "./escape.js";
export {
  CSV_COLUMNS,
  csvCell,
  csvRow,
  DEFAULT_REFUSAL,
  DEFAULT_RUBRIC,
  defaultJudge,
  EXPORT_FORMATS,
  type ExportFormat,
  type ExportOptions,
  type ExportResult,
  exportRun,
  isFinding,
  type JudgeChoice,
  writeFindings,
} from "./exports.js";
export { REWARD_TERMS, renderReport } from "./html.js";
export type { ReportStore } from "./store-like.js";
export type {
  ComparisonTable,
  CurvePoint,
  CurveSeries,
  ErrorCount,
  Finding,
  FindingGroup,
  ReportData,
  RunSummary,
  TrainingCurves,
} from "./types.js";
export { isLoopback, startViewServer, type ViewServer, type ViewServerOptions } from "./view.js";
