import type { EvalRow } from './evaluations.ts';
import type { BackendRow } from './backends.ts';
import { COLUMN_TITLES, PAPER_COLUMNS } from './columns.ts';
import type { HistoryEntry } from './history.ts';
import type { PaperTable } from './paper-table.ts';

/** A Vega-Lite spec with its data inline, so the file renders anywhere without a network. */
export interface Chart {
  name: string;
  title: string;
  spec: Record<string, unknown>;
}

export interface ChartSet {
  charts: Chart[];
  /** Charts not drawn, with why (e.g. no eval results for latency vs accuracy). */
  skipped: { name: string; reason: string }[];
}

export const CHART_FONT = 'DejaVu Sans';

const CONFIG = {
  font: CHART_FONT,
  background: 'white',
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
  title: { fontSize: 14, anchor: 'start' },
};

function spec(title: string, body: Record<string, unknown>): Record<string, unknown> {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, config: CONFIG, ...body };
}

const shown = (r: BackendRow) => (r.weights === 'synthetic' ? `${r.model} (twin)` : r.model);
/** Panel label: the backend, what it ran on (a GPU by name, 'software' for CPU-emulated WebGPU) and the machine. */
const backendShown = (r: BackendRow) => {
  const device = r.adapter?.includes('not a GPU') ? 'software' : r.adapter ? r.adapter.split(' on ').pop() : null;
  return `${r.backend}${device ? ` (${device})` : ''} · ${r.machine}`;
};

export function buildCharts(input: { backends: readonly BackendRow[]; paper: PaperTable; history: readonly HistoryEntry[]; evals?: readonly EvalRow[] }): ChartSet {
  const charts: Chart[] = [];
  const skipped: ChartSet['skipped'] = [];
  const add = (c: Chart | string, name: string) => (typeof c === 'string' ? skipped.push({ name, reason: c }) : charts.push(c));
  const timed = input.backends.filter((r) => r.available && r.p50 !== null);
  add(paperChart(input.paper), 'paper-table');
  add(latencyChart(timed), 'latency-by-backend');
  add(batchChart(timed), 'batch-scaling');
  add(speedupChart(timed), 'speedup');
  add(accuracyChart(input.paper, input.evals ?? [], timed), 'latency-vs-accuracy');
  add(trendChart(input.history), 'trends');
  return { charts, skipped };
}

function latencyChart(rows: readonly BackendRow[]): Chart | string {
  const values = rows.filter((r) => r.batch === 1).map((r) => ({ model: shown(r), backend: backendShown(r), p50: r.p50, p90: r.p90, p99: r.p99 }));
  if (values.length === 0) return 'no batch-1 bench rows';
  const x = { field: 'model', type: 'nominal', title: null, axis: { labelAngle: -30, labelLimit: 300 } };
  const title = 'Latency per image, batch 1: p50 bars, whisker p50–p99, ticks at p90 (grey) and p99 (black)';
  return {
    name: 'latency-by-backend',
    title,
    spec: spec(title, {
      data: { values },
      facet: { row: { field: 'backend', type: 'nominal', title: null, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 12 } } },
      // Backends differ by up to 1000× (software WebGPU): one shared axis would flatten every CPU bar.
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 520,
        height: 140,
        layer: [
          { mark: { type: 'bar', color: '#4c78a8' }, encoding: { x, y: { field: 'p50', type: 'quantitative', title: 'ms' }, tooltip: [{ field: 'model' }, { field: 'p50' }, { field: 'p90' }, { field: 'p99' }] } },
          { mark: { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'p50', type: 'quantitative' }, y2: { field: 'p99' } } },
          { mark: { type: 'tick', color: '#888', thickness: 2, size: 14 }, encoding: { x, y: { field: 'p90', type: 'quantitative' } } },
          { mark: { type: 'tick', color: 'black', thickness: 2, size: 14 }, encoding: { x, y: { field: 'p99', type: 'quantitative' } } },
        ],
      },
    }),
  };
}

function batchChart(rows: readonly BackendRow[]): Chart | string {
  const batches = new Set(rows.map((r) => r.batch));
  if (batches.size < 2) return 'every bench row has the same batch size';
  const values = rows.map((r) => ({ model: shown(r), backend: r.backend, batch: r.batch, throughput: r.throughput, perImage: (r.p50 as number) / r.batch }));
  const title = 'Batch-size scaling: images per second';
  return {
    name: 'batch-scaling',
    title,
    spec: spec(title, {
      data: { values },
      facet: { column: { field: 'backend', type: 'nominal', title: null } },
      resolve: { scale: { y: 'independent' } },
      spec: {
        width: 260,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'batch', type: 'quantitative', scale: { type: 'log', base: 2 }, axis: { values: [...batches].sort((a, b) => a - b) } },
          y: { field: 'throughput', type: 'quantitative', title: 'images/s' },
          color: { field: 'model', type: 'nominal' },
          tooltip: [{ field: 'model' }, { field: 'batch' }, { field: 'throughput' }, { field: 'perImage', title: 'p50 ms per image' }],
        },
      },
    }),
  };
}

function speedupChart(rows: readonly BackendRow[]): Chart | string {
  const values = rows.filter((r) => r.batch === 1 && r.backend !== 'node-cpu' && r.speedup !== null).map((r) => ({ model: shown(r), backend: backendShown(r), speedup: r.speedup, one: 1 }));
  const shared = {
    x: { field: 'model', type: 'nominal', title: null, axis: { labelAngle: -30, labelLimit: 300 } },
    xOffset: { field: 'backend' },
    color: { field: 'backend', type: 'nominal' },
  };
  if (values.length === 0) return 'no backend other than node-cpu with a node-cpu row to compare against';
  const title = 'Speed-up relative to node-cpu (p50, batch 1; above 1 = faster)';
  return {
    name: 'speedup',
    title,
    spec: spec(title, {
      width: 560,
      height: 260,
      data: { values },
      // Lollipops from 1× rather than bars: bars have no base on a log scale, and ratios need one.
      layer: [
        {
          mark: { type: 'rule', strokeWidth: 3 },
          encoding: { ...shared, y: { field: 'one', type: 'quantitative', scale: { type: 'log' }, title: '× node-cpu (log scale)' }, y2: { field: 'speedup' } },
        },
        {
          mark: { type: 'point', filled: true, size: 120, opacity: 1 },
          encoding: { ...shared, y: { field: 'speedup', type: 'quantitative' }, tooltip: [{ field: 'model' }, { field: 'backend' }, { field: 'speedup', format: '.2f' }] },
        },
        { mark: { type: 'rule', color: 'black', strokeDash: [4, 3] }, encoding: { y: { datum: 1, type: 'quantitative' } } },
      ],
    }),
  };
}

function accuracyChart(paper: PaperTable, evals: readonly EvalRow[], timed: readonly BackendRow[]): Chart | string {
  const values: { model: string; column: string; latency: number | null; accuracy: number | null; paper: number | null }[] = paper.rows.flatMap((r) =>
    r.latency.ours === null
      ? []
      : r.cells
          .filter((c) => c.ours !== null && c.column !== 'mtl')
          .map((c) => ({ model: r.model, column: COLUMN_TITLES[c.column], latency: r.latency.ours, accuracy: c.ours, paper: c.paper })),
  );
  // Real-weight evals outside the paper table (other models, other datasets), timed the same way.
  const inTable = new Set(paper.rows.map((r) => r.model));
  const { backend, batch } = paper.latency;
  for (const e of evals) {
    if (e.weights !== 'real' || inTable.has(e.model)) continue;
    const bench = timed
      .filter((b) => b.model === e.model && b.weights === 'real' && b.backend === backend && b.batch === batch)
      .sort((a, b) => b.date.localeCompare(a.date))[0];
    if (bench?.p50 != null) values.push({ model: e.model, column: `${e.dataset} (${e.protocol})`, latency: bench.p50, accuracy: e.accuracy * 100, paper: null });
  }
  if (values.length === 0) return 'no real-weight eval result with a latency for the same model';
  const title = `Latency (${paper.latency.backend} ${paper.latency.stat}, batch ${paper.latency.batch}) versus accuracy (real weights only)`;
  return {
    name: 'latency-vs-accuracy',
    title,
    spec: spec(title, {
      width: 520,
      height: 300,
      data: { values },
      mark: { type: 'point', filled: true, size: 90 },
      encoding: {
        x: { field: 'latency', type: 'quantitative', title: 'ms', scale: { zero: false, padding: 24 } },
        y: { field: 'accuracy', type: 'quantitative', title: 'accuracy, %', scale: { zero: false, padding: 24 } },
        color: { field: 'column', type: 'nominal', title: 'dataset' },
        shape: { field: 'model', type: 'nominal' },
        tooltip: [{ field: 'model' }, { field: 'column' }, { field: 'accuracy' }, { field: 'paper' }, { field: 'latency' }],
      },
    }),
  };
}

function trendChart(history: readonly HistoryEntry[]): Chart | string {
  // One line per figure: keep the headline ones (node-cpu batch 1, top-1 accuracy) or the legend outgrows the chart.
  const headline = (key: string) => key.includes('|node-cpu|b1|') || key.endsWith('|accuracy');
  const values = history.flatMap((e) =>
    e.figures.filter((f) => headline(f.key)).map((f) => ({
      date: e.date,
      commit: e.commit?.slice(0, 10) ?? 'no git',
      figure: f.label,
      kind: f.kind === 'latency' ? 'latency, ms' : 'accuracy, points',
      value: f.value,
    })),
  );
  if (values.length === 0) return 'results/history.jsonl is empty or absent';
  const title = 'Trends across runs (results/history.jsonl)';
  return {
    name: 'trends',
    title,
    spec: spec(title, {
      data: { values },
      facet: { row: { field: 'kind', type: 'nominal', title: null } },
      resolve: { scale: { y: 'independent', color: 'independent' } },
      spec: {
        width: 560,
        height: 200,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'date', type: 'temporal', title: null },
          y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
          color: { field: 'figure', type: 'nominal', legend: { orient: 'bottom', columns: 1, labelLimit: 600 } },
          tooltip: [{ field: 'figure' }, { field: 'value' }, { field: 'commit' }, { field: 'date', type: 'temporal' }],
        },
      },
    }),
  };
}

/** The HSEmotion table as a chart: the paper's figure per cell, ours beside it where a real-weight result exists. */
function paperChart(paper: PaperTable): Chart | string {
  const values = paper.rows.flatMap((r) =>
    r.cells
      .filter((c) => c.column !== 'mtl' && c.paper !== null)
      .flatMap((c) => [
        { model: r.model, column: COLUMN_TITLES[c.column], source: 'paper', value: c.paper },
        ...(c.ours === null ? [] : [{ model: r.model, column: COLUMN_TITLES[c.column], source: 'ours (real weights)', value: c.ours }]),
      ]),
  );
  if (values.length === 0) return 'no paper figures';
  const measured = values.filter((v) => v.source !== 'paper').length;
  const title = `HSEmotion accuracy, % (paper${measured ? ' vs ours' : '; none of ours measured yet: no real-weight results'})`;
  return {
    name: 'paper-table',
    title,
    spec: spec(title, {
      data: { values },
      facet: { column: { field: 'column', type: 'nominal', title: null, sort: PAPER_COLUMNS.map((c) => COLUMN_TITLES[c]) } },
      spec: {
        width: 150,
        height: 220,
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'model', type: 'nominal', title: null, sort: paper.rows.map((r) => r.model) },
          yOffset: { field: 'source' },
          x: { field: 'value', type: 'quantitative', title: '%', scale: { domain: [0, 80] } },
          color: { field: 'source', type: 'nominal', title: null, scale: { domain: ['paper', 'ours (real weights)'], range: ['#bbbbbb', '#4c78a8'] } },
          tooltip: [{ field: 'model' }, { field: 'column' }, { field: 'source' }, { field: 'value' }],
        },
      },
    }),
  };
}
