// Public API of the report package: result loading, the paper and backend tables, charts, the HTML/Markdown report,
// the regression gate and the run history.
export { type Loaded, type LoadedResults, type LoadOptions, loadResults, loadResultFile, validateResult, requireSome } from './load.ts';
export { PAPER_COLUMNS, COLUMN_TITLES, modelLabel } from './columns.ts';
export {
  buildPaperTable,
  paperTableMarkdown,
  hardwareLabel,
  adapterLabel,
  DEFAULT_LATENCY,
  PAPER_DEVICE,
  type LatencySelection,
  type LatencyStat,
  type PaperTable,
  type PaperRow,
  type PaperCell,
  type SyntheticEval,
} from './paper-table.ts';
export {
  buildBackendTable,
  backendTableMarkdown,
  buildEnvironment,
  environmentMarkdown,
  CALIBRATION_ID,
  type BackendRow,
  type EnvironmentEntry,
} from './backends.ts';
export { buildCharts, type Chart, type ChartSet } from './charts.ts';
export { renderSvg, svgToPng, findFont } from './render.ts';
export { markdownToHtml } from './markdown.ts';
export { writeReport, reportHtml, reportMarkdown, type ReportOptions, type ReportData } from './report.ts';
export { extractFigures, calibrationOf, type Figure, type Calibration } from './figures.ts';
export {
  compareResults,
  checkMarkdown,
  checkText,
  checkRows,
  CHECK_HEADER,
  DEFAULT_TOLERANCES,
  type Tolerances,
  type CheckReport,
  type Comparison,
  type Verdict,
} from './check.ts';
export { appendHistory, readHistory, historyEntry, type HistoryEntry, type HistoryFigure } from './history.ts';
export { buildEvalTable, evalTableMarkdown, type EvalRow } from './evaluations.ts';
