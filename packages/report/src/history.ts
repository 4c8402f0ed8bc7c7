import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BadFileError, type ResultFile } from '@affectbench/core';
import { benchFigures, evalFigures, type FigureKind } from './figures.ts';

/** One line of results/history.jsonl: the figures of one run, to draw trends across commits. */
export interface HistoryEntry {
  schema: 1;
  kind: ResultFile['kind'];
  commit: string | null;
  dirty: boolean;
  date: string;
  host: string;
  cpu: string;
  figures: HistoryFigure[];
}

export interface HistoryFigure {
  key: string;
  label: string;
  kind: FigureKind;
  model: string;
  value: number;
  unit: 'points' | 'ms';
  /** Latency ÷ the run's calibration latency, when the run has a calibration row. */
  normalised?: number;
}

export function historyEntry(result: ResultFile, file = ''): HistoryEntry {
  const figs = result.kind === 'eval' ? (result.model.weights === 'real' ? evalFigures(result, file) : []) : benchFigures(result, file).figures;
  const p = result.provenance;
  return {
    schema: 1,
    kind: result.kind,
    commit: p.git?.commit ?? null,
    dirty: p.git?.dirty ?? false,
    date: p.date,
    host: p.host.hostname,
    cpu: p.host.cpu,
    figures: figs.map((f) => ({
      key: f.key,
      label: f.label,
      kind: f.kind,
      model: f.model,
      value: f.value,
      unit: f.unit,
      ...(f.normalised !== undefined ? { normalised: f.normalised } : {}),
    })),
  };
}

/**
 * Appends one line per run; a run already recorded (same kind, host and date) is not added twice, so regenerating
 * reports or re-running a command on the same result file keeps the trend honest. Returns null then.
 * Synthetic-weight eval runs add an entry with no figures (their accuracy means nothing).
 */
export function appendHistory(result: ResultFile, historyFile = 'results/history.jsonl'): HistoryEntry | null {
  const entry = historyEntry(result);
  if (readHistory(historyFile).some((e) => e.kind === entry.kind && e.host === entry.host && e.date === entry.date)) return null;
  mkdirSync(dirname(historyFile), { recursive: true });
  // One write of one line with O_APPEND: concurrent runs interleave whole lines, never halves.
  appendFileSync(historyFile, `${JSON.stringify(entry)}\n`);
  return entry;
}

/** Reads the history; a missing file is an empty history, a malformed line a BadFileError naming the line. */
export function readHistory(historyFile: string): HistoryEntry[] {
  let text: string;
  try {
    text = readFileSync(historyFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new BadFileError(historyFile, `cannot read (${(err as Error).message})`);
  }
  const out: HistoryEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let e: HistoryEntry;
    try {
      e = JSON.parse(line);
    } catch (err) {
      throw new BadFileError(historyFile, `line ${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    if (e?.schema !== 1 || !Array.isArray(e.figures) || typeof e.date !== 'string' || Number.isNaN(Date.parse(e.date))) {
      throw new BadFileError(historyFile, `line ${i + 1}: not a history entry (needs schema 1, date, figures)`);
    }
    out.push(e);
  });
  return out;
}
