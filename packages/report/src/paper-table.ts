import { type BackendName, type BenchResult, type BenchRow, type LatencyStats, listModels, type PaperColumn, type PaperFigures, type WeightsKind } from '@affectbench/core';
import { COLUMN_TITLES, dateOf, fmt, mdTable, ms, newest, PAPER_COLUMNS, signed } from './columns.ts';
import type { Loaded, LoadedResults } from './load.ts';

export type LatencyStat = 'p50' | 'p90' | 'p99' | 'mean';

/** Which of our latency figures stands beside the paper's phone figure. */
export interface LatencySelection {
  backend: BackendName;
  batch: number;
  stat: LatencyStat;
}

/** Forward-only, batch 1, fp32: the timing span of the paper's app (protocols §5). */
export const DEFAULT_LATENCY: LatencySelection = { backend: 'node-cpu', batch: 1, stat: 'p50' };

export const PAPER_DEVICE = 'Samsung Fold 3, Snapdragon 888 CPU';

export interface CellSource {
  file: string;
  date: string;
  protocol: string;
  backend: string;
}

export interface PaperCell {
  column: PaperColumn;
  paper: number | null;
  /** Our value from a real-weight eval result; null = not measured (never the paper's value). */
  ours: number | null;
  /** ours − paper, in the column's unit. */
  diff: number | null;
  source?: CellSource;
  /** Real-weight results that filled this cell; more than one means the newest was taken. */
  candidates: number;
}

export interface PaperLatency {
  paper: { mean: number; sd: number } | null;
  ours: number | null;
  /** What ours ran on, e.g. "node-cpu, Intel Xeon (2 cores)". */
  hardware: string | null;
  weights: WeightsKind | null;
  source?: { file: string; date: string };
}

export interface PaperSize {
  paperMB: number | null;
  /** Megabytes (10^6 bytes, the paper's unit: 3,493,063 fp32 params → "14") of the file we ran. */
  oursMB: number | null;
  diff: number | null;
  weights: WeightsKind | null;
}

export interface PaperRow {
  model: string;
  cells: PaperCell[];
  latency: PaperLatency;
  size: PaperSize;
}

/** A synthetic-weight eval result: listed apart, labelled, never in an accuracy cell. */
export interface SyntheticEval {
  model: string;
  column: PaperColumn | null;
  protocol: string;
  accuracy: number;
  value: number | null;
  file: string;
  date: string;
}

export interface PaperTable {
  latency: LatencySelection;
  rows: PaperRow[];
  synthetic: SyntheticEval[];
  notes: string[];
}

const digitsFor = (c: PaperColumn) => (c === 'mtl' ? 3 : 2);

/** The HSEmotion README table, one row per model in registry order, paper beside ours. */
export function buildPaperTable(results: LoadedResults, opts: { latency?: Partial<LatencySelection> } = {}): PaperTable {
  const latency = { ...DEFAULT_LATENCY, ...opts.latency };
  const models = listModels({ suite: 'hsemotion' });
  const ids = new Set(models.map((m) => m.id));
  const notes: string[] = [];
  const synthetic: SyntheticEval[] = [];

  for (const { file, result: r } of results.evals) {
    const id = r.model.id;
    if (r.model.weights === 'synthetic') {
      synthetic.push({
        model: id ?? r.model.sha256.slice(0, 12),
        column: r.paper?.column ?? null,
        protocol: r.dataset.protocol,
        accuracy: r.metrics.accuracy * 100,
        value: r.paper?.value ?? null,
        file,
        date: r.provenance.date,
      });
    } else if (!id || !ids.has(id)) {
      notes.push(`${file}: model ${id ?? '(unregistered file)'} is not one of the table's models; not placed`);
    } else if (!r.paper) {
      notes.push(`${file}: ${id} on ${r.dataset.protocol} fills no table column (no "paper" field); not placed`);
    }
  }

  const rows = models.map((m): PaperRow => {
    const paper: PaperFigures = m.paper ?? {};
    const cells = PAPER_COLUMNS.map((column): PaperCell => {
      const candidates = results.evals.filter(
        ({ result: r }) => r.model.id === m.id && r.model.weights === 'real' && r.paper?.column === column,
      );
      const pick = newest(candidates, (c) => dateOf(c.result));
      const p = paper[column] ?? null;
      if (!pick?.result.paper) return { column, paper: p, ours: null, diff: null, candidates: 0 };
      const ours = pick.result.paper.value;
      if (candidates.length > 1) {
        notes.push(`${m.id} ${COLUMN_TITLES[column]}: ${candidates.length} results; the newest (${pick.result.provenance.date}, ${pick.file}) is shown`);
      }
      return {
        column,
        paper: p,
        ours,
        diff: p === null ? null : ours - p,
        source: { file: pick.file, date: pick.result.provenance.date, protocol: pick.result.dataset.protocol, backend: pick.result.backend.name },
        candidates: candidates.length,
      };
    });
    return { model: m.id, cells, latency: latencyFor(m.id, paper, results.benches, latency), size: sizeFor(m.id, paper, results) };
  });
  return { latency, rows, synthetic, notes };
}

function latencyFor(id: string, paper: PaperFigures, benches: readonly Loaded<BenchResult>[], sel: LatencySelection): PaperLatency {
  const found: { file: string; result: BenchResult; row: BenchRow }[] = [];
  for (const { file, result } of benches) {
    for (const row of result.rows) {
      if (row.model.id === id && row.backend === sel.backend && row.batch === sel.batch && row.available && row.latencyMs) found.push({ file, result, row });
    }
  }
  // Real files first: a twin has the same graph, but the real file is what the paper timed.
  const real = found.filter((f) => f.row.model.weights === 'real');
  const pool = real.length ? real : found;
  // The newest run; within it (several thread counts) the fastest configuration.
  const latest = newest(pool, (f) => dateOf(f.result));
  const pick = pool
    .filter((f) => latest && dateOf(f.result) === dateOf(latest.result))
    .sort((a, b) => (a.row.latencyMs as LatencyStats)[sel.stat] - (b.row.latencyMs as LatencyStats)[sel.stat])[0];
  return {
    paper: paper.mobileMs ?? null,
    ours: pick?.row.latencyMs ? pick.row.latencyMs[sel.stat] : null,
    hardware: pick ? hardwareLabel(pick.row, pick.result) : null,
    weights: pick?.row.model.weights ?? null,
    ...(pick ? { source: { file: pick.file, date: pick.result.provenance.date } } : {}),
  };
}

function sizeFor(id: string, paper: PaperFigures, results: LoadedResults): PaperSize {
  const seen: { bytes: number; weights: WeightsKind; date: number }[] = [];
  for (const { result } of results.evals) if (result.model.id === id) seen.push({ ...result.model, date: dateOf(result) });
  for (const { result } of results.benches) {
    for (const row of result.rows) if (row.model.id === id) seen.push({ ...row.model, date: dateOf(result) });
  }
  const real = seen.filter((s) => s.weights === 'real');
  const pick = newest(real.length ? real : seen, (s) => s.date);
  const oursMB = pick ? pick.bytes / 1e6 : null;
  const paperMB = paper.sizeMB ?? null;
  return { paperMB, oursMB, diff: oursMB !== null && paperMB !== null ? oursMB - paperMB : null, weights: pick?.weights ?? null };
}

/** "node-cpu, <cpu> (N cores)", or the adapter for GPU backends. */
export function hardwareLabel(row: BenchRow, result: BenchResult): string {
  const adapter = adapterLabel(row.details);
  const where = adapter ?? `${result.provenance.host.cpu} (${result.provenance.host.cores} cores)`;
  return `${row.backend}, ${where}${row.threads ? `, ${row.threads} threads` : ''}`;
}

/** The WebGPU adapter / GPU a row ran on, in words; a software adapter always says so. */
export function adapterLabel(details: Record<string, unknown>): string | null {
  const a = details.adapter ?? details.device ?? details.gpu;
  let label: string | null = null;
  if (typeof a === 'string') label = a;
  else if (a && typeof a === 'object') {
    const o = a as Record<string, unknown>;
    label = [o.vendor, o.architecture, o.description, o.device].filter((x) => typeof x === 'string' && x).join(' / ') || JSON.stringify(o);
  }
  if (/swiftshader/i.test(JSON.stringify(details))) return `SwiftShader, software WebGPU on the CPU (not a GPU figure)${label ? `: ${label}` : ''}`;
  if (details.software === true) return `software adapter on the CPU (not a GPU figure)${label ? `: ${label}` : ''}`;
  return label;
}

function cellText(c: PaperCell): string {
  const d = digitsFor(c.column);
  // The paper's own figure as printed (63.125 stays 63.125), never rounded into something it did not say.
  const p = c.paper === null ? '–' : String(c.paper);
  if (c.ours === null) return c.paper === null ? '–' : `${p} / not measured`;
  const ours = `${fmt(c.ours, d)}${c.candidates > 1 ? '†' : ''}`;
  return c.diff === null ? `– / ${ours}` : `${p} / ${ours} (${signed(c.diff, d)})`;
}

/** Markdown: the table, then footnotes naming the hardware of our latency and any synthetic results. */
export function paperTableMarkdown(t: PaperTable): string {
  const hw = new Map<string, number>();
  const rows = t.rows.map((r) => {
    const paperLat = r.latency.paper ? `${r.latency.paper.mean} ± ${r.latency.paper.sd}` : '–';
    let ourLat = 'not measured';
    if (r.latency.ours !== null && r.latency.hardware) {
      const key = r.latency.hardware;
      if (!hw.has(key)) hw.set(key, hw.size + 1);
      ourLat = `${ms(r.latency.ours)} [${hw.get(key)}]${r.latency.weights === 'synthetic' ? ' (twin)' : ''}`;
    }
    const size = r.size.oursMB === null ? `${fmt(r.size.paperMB, 0)} / not measured` : `${fmt(r.size.paperMB, 0)} / ${fmt(r.size.oursMB, 1)}${r.size.weights === 'synthetic' ? ' (twin)' : ''}`;
    return [r.model, ...r.cells.map(cellText), `${paperLat} / ${ourLat}`, size];
  });
  const header = ['Model', ...PAPER_COLUMNS.map((c) => COLUMN_TITLES[c]), 'Latency, ms', 'Size, MB'];
  const lines = [
    mdTable(header, rows),
    '',
    `Each cell: paper / ours (ours − paper). Accuracy columns in %, MTL is P_MTL. "not measured" = no real-weight result for that cell; the paper value is never copied into ours.`,
    `Latency: paper = mean ± sd on a ${PAPER_DEVICE} (forward only, batch 1); ours = ${t.latency.stat}, batch ${t.latency.batch}, ${t.latency.backend} by default, on:`,
    ...[...hw].map(([label, n]) => `[${n}] ${label}`),
    'Size: paper MB / MB of the file we ran (10^6 bytes). "(twin)" = architecture twin with synthetic weights: valid for latency and size, never for accuracy.',
  ];
  if (t.rows.some((r) => r.cells.some((c) => c.candidates > 1))) lines.push('† several results filled this cell; the newest is shown (see notes).');
  if (t.synthetic.length) {
    lines.push('', '**Synthetic-weight eval results** (architecture twins; their accuracy measures nothing and is kept out of the table):', '');
    lines.push(
      mdTable(
        ['Model', 'Protocol', 'Column', 'Accuracy %', 'Date', 'File'],
        t.synthetic.map((s) => [s.model, s.protocol, s.column ? COLUMN_TITLES[s.column] : '–', fmt(s.accuracy), s.date, s.file]),
      ),
    );
  }
  if (t.notes.length) lines.push('', '**Notes**', '', ...t.notes.map((n) => `- ${n}`));
  return lines.join('\n');
}
