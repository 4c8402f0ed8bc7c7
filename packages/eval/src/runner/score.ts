import type { ClassificationMetrics, PaperColumn } from '@affectbench/core';
import { UserError } from '@affectbench/core';
import { columnsFor } from '../datasets/labels.ts';
import type { ProtocolSpec } from '../datasets/types.ts';
import { ccc } from '../metrics/ccc.ts';
import { computeClassification } from '../metrics/classification.ts';
import { bootstrapClassification } from '../metrics/stats.ts';
import type { PredictionRow } from './predictions-file.ts';

export interface ScoreOutput {
  metrics: ClassificationMetrics & Record<string, unknown>;
  /** Rows in the protocol's denominator. */
  scored: number;
  /** Rows left out by the protocol, by reason. */
  excluded: Record<string, number>;
  paper?: { column: PaperColumn; value: number };
}

/** Index of the largest score among `cols`; -1 when the row has no scores (a video without frames). */
export function argmaxOver(scores: readonly number[], cols: readonly number[]): number {
  if (scores.length === 0) return -1;
  let best = 0;
  for (let j = 1; j < cols.length; j++) if (scores[cols[j]] > scores[cols[best]]) best = j;
  return best;
}

/**
 * Metrics of one protocol from prediction rows (any order: rows are sorted by id first, so shards merged in any
 * order score exactly like one run). The model's scores (`modelScores`) are matched to the protocol's classes by
 * name, so the rows of one run can be re-scored under another protocol over the same classes.
 */
export function scoreRows(
  input: readonly PredictionRow[],
  protocol: ProtocolSpec,
  modelClasses: readonly string[],
  opts: { bootstrap?: boolean; outside?: Record<string, number> } = {},
): ScoreOutput {
  const rows = [...input].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const cols = columnsFor(modelClasses, protocol.classes, `protocol ${protocol.name}`);
  const k = protocol.classes.length;
  const labels: number[] = [];
  const preds: number[] = [];
  const excluded: Record<string, number> = {};
  let keptWrong = 0;
  // Samples labelled outside the protocol's classes never reach the predictions file; the caller counts them.
  for (const [name, n] of Object.entries(opts.outside ?? {})) {
    if (protocol.others === 'keep-as-wrong') keptWrong += n;
    else excluded[`label ${name} not scored by ${protocol.name}`] = n;
  }
  const allVideos = { n: 0, correct: 0 };
  const framed = { labels: [] as number[], preds: [] as number[] };
  const va: { tv: number[]; pv: number[]; ta: number[]; pa: number[] } = { tv: [], pv: [], ta: [], pa: [] };
  for (const r of rows) {
    const y = protocol.classes.indexOf(r.labelName);
    if (y < 0) {
      if (protocol.others === 'keep-as-wrong') keptWrong += 1;
      else excluded[`label ${r.labelName} not scored by ${protocol.name}`] = (excluded[`label ${r.labelName} not scored by ${protocol.name}`] ?? 0) + 1;
      continue;
    }
    const p = argmaxOver(r.modelScores ?? r.scores, cols);
    if (protocol.unit === 'video-mean-scores') {
      allVideos.n += 1;
      if (p === y) allVideos.correct += 1;
      if (p >= 0) {
        framed.labels.push(y);
        framed.preds.push(p);
      }
      // The paper's convention: accuracy over the videos in which faces were found; all videos reported beside it.
      if (!r.hasFaces) continue;
    }
    labels.push(y);
    preds.push(p);
    // AffectNet marks unusable valence/arousal with −2; only values in [−1, 1] count.
    if (r.valence !== undefined && r.valenceTrue !== undefined && r.valenceTrue >= -1) {
      va.tv.push(r.valenceTrue);
      va.pv.push(r.valence);
    }
    if (r.arousal !== undefined && r.arousalTrue !== undefined && r.arousalTrue >= -1) {
      va.ta.push(r.arousalTrue);
      va.pa.push(r.arousal);
    }
  }
  let note: string | undefined;
  if (labels.length === 0 && framed.labels.length > 0) {
    // No video has a face frame (e.g. no detector run): the paper's subset is empty, so score whole-frame videos, flagged.
    labels.push(...framed.labels);
    preds.push(...framed.preds);
    note = 'no video has a face frame: metrics are over whole-frame scores of all videos with frames';
  }
  if (labels.length === 0) throw new UserError(`protocol ${protocol.name}: no sample to score (${rows.length} predictions, none in its classes${protocol.unit === 'video-mean-scores' ? ' with faces' : ''})`);
  const base = computeClassification({ labels, preds, numClasses: k, classNames: protocol.classes });
  const metrics: ScoreOutput['metrics'] = { ...base, protocolClasses: [...protocol.classes], modelColumns: cols };
  if (opts.bootstrap !== false) metrics.ci95 = bootstrapClassification(labels, preds, k);
  if (va.tv.length > 1 || va.ta.length > 1) {
    metrics.ccc = {
      ...(va.tv.length > 1 ? { valence: ccc(va.tv, va.pv) } : {}),
      ...(va.ta.length > 1 ? { arousal: ccc(va.ta, va.pa) } : {}),
    };
  }
  if (protocol.others === 'keep-as-wrong') {
    // Third-party notebook: the excluded class stays in the loop, and the denominator is len − its count.
    metrics.notebookVariant = { loop: labels.length + keptWrong, denominator: labels.length, accuracy: base.accuracy };
  }
  if (protocol.unit === 'video-mean-scores') {
    metrics.allVideos = { n: allVideos.n, accuracy: allVideos.n ? allVideos.correct / allVideos.n : 0 };
    metrics.coverage = `${note ? 0 : labels.length}/${allVideos.n}`;
    if (note) metrics.note = note;
  }
  const scored = labels.length;
  const out: ScoreOutput = { metrics, scored, excluded };
  if (protocol.paperColumn) {
    const v = protocol.headline === 'macroF1' ? base.macroF1 : base.accuracy;
    out.paper = { column: protocol.paperColumn, value: Math.round(v * 1e6) / 1e4 };
  }
  return out;
}
