import { closeSync, createReadStream, existsSync, fstatSync, ftruncateSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ClassificationMetrics } from '@affectbench/core';
import { BadFileError, UserError } from '@affectbench/core';
import { ccc } from './metrics/ccc.ts';
import { computeClassification } from './metrics/classification.ts';
import { bootstrapClassification } from './metrics/stats.ts';

/**
 * Per-sample predictions, one JSON object per line: the seam between running a model and scoring it
 * (`affectbench score` recomputes every metric from this file alone).
 *
 *   {"id": "val/Happy/001.jpg", "label": 3, "scores": [0.1, ...]}     scores: one per class, argmax = prediction
 *   {"id": "clip_17", "label": 2, "pred": 5}                          pred: the predicted class directly
 *
 * When both are present `pred` is the prediction (e.g. a protocol that argmaxes over a subset of scores).
 * Optional: valence, arousal (predicted), valenceTrue, arousalTrue (annotated), and any further fields
 * the runner adds (faces, frames, ...), which are kept and ignored by scoring.
 */
export interface PredictionRecord {
  id: string;
  label: number;
  scores?: number[];
  pred?: number;
  valence?: number;
  arousal?: number;
  valenceTrue?: number;
  arousalTrue?: number;
  [extra: string]: unknown;
}

/** A malformed line: the message reads `file:line: problem`. */
export class BadLineError extends BadFileError {
  readonly line: number;
  constructor(file: string, line: number, problem: string) {
    super(file, problem);
    this.message = `${file}:${line}: ${problem}`;
    this.line = line;
  }
}

export interface ReadOptions {
  /** Expected number of classes: scores must have this length, labels and preds must be below it. */
  numClasses?: number;
  /** readPredictionsFile: return [] for a file with no records instead of failing (a run that wrote nothing yet). */
  allowEmpty?: boolean;
}

const VA_FIELDS = ['valence', 'arousal', 'valenceTrue', 'arousalTrue'] as const;

/** Validates one parsed line; returns the problem, or null when it is a usable record. */
function problemOf(v: unknown, numClasses: number | undefined): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const r = v as Record<string, unknown>;
  if (typeof r.id !== 'string' || r.id === '') return 'missing "id" (a non-empty string)';
  if (r.label === undefined) return 'missing "label"';
  if (!Number.isInteger(r.label) || (r.label as number) < 0) return `"label" must be a non-negative integer (got ${JSON.stringify(r.label)})`;
  if (numClasses !== undefined && (r.label as number) >= numClasses) return `label ${r.label} is out of range for ${numClasses} classes`;
  if (r.scores === undefined && r.pred === undefined) return 'needs "scores" (one per class) or "pred"';
  if (r.scores !== undefined) {
    if (!Array.isArray(r.scores) || r.scores.length === 0) return '"scores" must be a non-empty array of numbers';
    if (!r.scores.every((s) => typeof s === 'number' && Number.isFinite(s))) return '"scores" must contain only finite numbers';
    if (numClasses !== undefined && r.scores.length !== numClasses) return `"scores" has ${r.scores.length} values, expected ${numClasses} (one per class)`;
  }
  if (r.pred !== undefined) {
    if (!Number.isInteger(r.pred) || (r.pred as number) < 0) return `"pred" must be a non-negative integer (got ${JSON.stringify(r.pred)})`;
    if (numClasses !== undefined && (r.pred as number) >= numClasses) return `pred ${r.pred} is out of range for ${numClasses} classes`;
  }
  for (const f of VA_FIELDS) {
    if (r[f] !== undefined && !(typeof r[f] === 'number' && Number.isFinite(r[f]))) return `"${f}" must be a finite number`;
  }
  return null;
}

/** Parses and validates one line; throws BadLineError naming file:line. */
export function parsePredictionLine(text: string, file: string, line: number, opts: ReadOptions = {}): PredictionRecord {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new BadLineError(file, line, `not valid JSON (${(err as Error).message})`);
  }
  const problem = problemOf(v, opts.numClasses);
  if (problem) throw new BadLineError(file, line, problem);
  return v as PredictionRecord;
}

/**
 * Streams the records of a predictions file. Blank lines are skipped; every other malformed line,
 * a duplicate id, or scores whose length changes between lines is a BadLineError.
 */
export async function* readPredictions(path: string, opts: ReadOptions = {}): AsyncGenerator<PredictionRecord> {
  if (!existsSync(path)) throw new BadFileError(path, 'no such file');
  const seen = new Map<string, number>();
  let width = opts.numClasses;
  let widthLine = 0;
  let lineNo = 0;
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const text of rl) {
      lineNo++;
      if (text.trim() === '') continue;
      const rec = parsePredictionLine(text, path, lineNo, opts);
      const first = seen.get(rec.id);
      if (first !== undefined) throw new BadLineError(path, lineNo, `duplicate id "${rec.id}" (first on line ${first})`);
      seen.set(rec.id, lineNo);
      if (rec.scores) {
        if (width === undefined) {
          width = rec.scores.length;
          widthLine = lineNo;
        } else if (rec.scores.length !== width) {
          const why = opts.numClasses !== undefined ? `expected ${width}` : `line ${widthLine} has ${width}`;
          throw new BadLineError(path, lineNo, `"scores" has ${rec.scores.length} values, ${why}`);
        }
      }
      yield rec;
    }
  } finally {
    rl.close();
  }
}

export async function readPredictionsFile(path: string, opts: ReadOptions = {}): Promise<PredictionRecord[]> {
  const out: PredictionRecord[] = [];
  for await (const r of readPredictions(path, opts)) out.push(r);
  if (out.length === 0 && !opts.allowEmpty) throw new BadFileError(path, 'contains no predictions');
  return out;
}

/**
 * Ids already written to a predictions file, so a killed run can resume. A missing file is an empty
 * set; an unterminated last line (the write the kill interrupted) is ignored; any other bad line is an error.
 */
export function readCompletedIds(path: string): Set<string> {
  const ids = new Set<string>();
  if (!existsSync(path)) return ids;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  // After the last '\n' is either '' (a complete file) or the interrupted line.
  const complete = lines.length - 1;
  for (let i = 0; i < complete; i++) {
    if (lines[i].trim() === '') continue;
    ids.add(parsePredictionLine(lines[i], path, i + 1).id);
  }
  return ids;
}

/**
 * Appends records one line at a time (synchronously, so a record is on disk once append returns).
 * Opening an existing file first cuts off an unterminated last line left by a killed run.
 */
export class PredictionWriter {
  private fd: number | null;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, 'a+');
    dropPartialLastLine(this.fd);
  }

  append(record: PredictionRecord): void {
    if (this.fd === null) throw new Error(`PredictionWriter for ${this.path} is closed`);
    const problem = problemOf(record, undefined);
    if (problem) throw new UserError(`refusing to write a bad prediction record for ${this.path}: ${problem}`);
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

function dropPartialLastLine(fd: number): void {
  const total = fstatSync(fd).size;
  if (total === 0) return;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, total - 1);
  if (last[0] === 0x0a) return;
  // Scan back in blocks for the previous newline and cut there.
  const block = Buffer.alloc(64 * 1024);
  let end = total;
  while (end > 0) {
    const start = Math.max(0, end - block.length);
    const len = end - start;
    readSync(fd, block, 0, len, start);
    const nl = block.subarray(0, len).lastIndexOf(0x0a);
    if (nl >= 0) {
      ftruncateSync(fd, start + nl + 1);
      return;
    }
    end = start;
  }
  ftruncateSync(fd, 0);
}

export interface ScoreOptions {
  /** Number of classes; default: the scores' length, else the largest label or prediction + 1. */
  numClasses?: number;
  classNames?: readonly string[];
  /** Bootstrap resamples for ci95; 0 = no intervals. Default 1000. */
  bootstrap?: number;
  seed?: number;
  /** Classes macro-F1 averages over (see computeClassification); default sklearn's union of labels and predictions. */
  averageLabels?: readonly number[];
}

/** The prediction a record stands for: `pred`, else the argmax of `scores` (first on ties, as numpy). */
export function predictionOf(r: PredictionRecord): number {
  if (r.pred !== undefined) return r.pred;
  const s = r.scores as number[];
  let best = 0;
  for (let j = 1; j < s.length; j++) if (s[j] > s[best]) best = j;
  return best;
}

/**
 * Metrics of a set of records: classification metrics, bootstrap intervals, and CCC of valence/arousal
 * over the records that carry both the prediction and the annotation.
 */
export function scorePredictions(records: readonly PredictionRecord[], opts: ScoreOptions = {}): ClassificationMetrics {
  if (records.length === 0) throw new UserError('no predictions to score');
  records.forEach((r, i) => {
    const problem = problemOf(r, opts.numClasses);
    if (problem) throw new UserError(`prediction record ${i} (${JSON.stringify(r.id)}): ${problem}`);
  });
  const labels = new Int32Array(records.length);
  const preds = new Int32Array(records.length);
  let maxClass = 0;
  let width: number | undefined;
  records.forEach((r, i) => {
    labels[i] = r.label;
    preds[i] = predictionOf(r);
    maxClass = Math.max(maxClass, r.label, preds[i]);
    if (r.scores) {
      if (width !== undefined && r.scores.length !== width) throw new UserError(`prediction record ${i} (${JSON.stringify(r.id)}): "scores" has ${r.scores.length} values, earlier records ${width}`);
      width = r.scores.length;
    }
  });
  const numClasses = opts.numClasses ?? Math.max(width ?? 0, maxClass + 1);
  if (opts.numClasses === undefined && width !== undefined && maxClass >= width) {
    throw new UserError(`a label or prediction (${maxClass}) is out of range for the ${width} scores per record`);
  }
  const metrics = computeClassification({ labels, preds, numClasses, classNames: opts.classNames, averageLabels: opts.averageLabels });
  const resamples = opts.bootstrap ?? 1000;
  if (resamples > 0) {
    metrics.ci95 = bootstrapClassification(labels, preds, numClasses, { resamples, seed: opts.seed ?? 0, averageLabels: opts.averageLabels });
  }
  const cccOf = (p: 'valence' | 'arousal'): number | undefined => {
    const t: number[] = [];
    const y: number[] = [];
    for (const r of records) {
      const truth = r[`${p}True`];
      const pred = r[p];
      if (typeof truth === 'number' && typeof pred === 'number') {
        t.push(truth);
        y.push(pred);
      }
    }
    return t.length > 0 ? ccc(t, y) : undefined;
  };
  const valence = cccOf('valence');
  const arousal = cccOf('arousal');
  if (valence !== undefined || arousal !== undefined) {
    metrics.ccc = { ...(valence !== undefined ? { valence } : {}), ...(arousal !== undefined ? { arousal } : {}) };
  }
  return metrics;
}
