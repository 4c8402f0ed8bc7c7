import { CLASSES_8 } from './registry/hsemotion.ts';
import type { ModelRecord } from './registry/types.ts';

/** Model outputs -> scores, browser-safe. */

/** Numerically stable softmax (subtracts the max first, so large logits do not overflow). */
export function softmax(logits: ArrayLike<number>): Float64Array {
  const out = new Float64Array(logits.length);
  if (logits.length === 0) return out;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp(logits[i] - max);
    sum += out[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= sum;
  return out;
}

/** Index of the largest value (first one on ties); -1 for an empty input. NaN never wins. */
export function argmax(values: ArrayLike<number>): number {
  let best = -1;
  let bestV = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    if (values[i] > bestV || (best === -1 && values[i] === bestV)) {
      best = i;
      bestV = values[i];
    }
  }
  return best;
}

export interface SplitOutputs {
  /** The record's class outputs as the model emitted them (logits or probabilities, per record.outputs.kind). */
  scores: Float64Array;
  /** Class probabilities: softmax of the scores for 'logits' models, the scores themselves for 'probabilities'. */
  probabilities: Float64Array;
  valence?: number;
  arousal?: number;
}

/** One output row -> class scores plus the extra regression heads the record declares (e.g. valence/arousal). */
export function splitOutputs(row: ArrayLike<number>, record: ModelRecord): SplitOutputs {
  const { size, classes, kind, extraHeads } = record.outputs;
  if (row.length !== size) {
    throw new Error(`model ${record.id}: output row has ${row.length} values, the record says ${size}`);
  }
  const scores = Float64Array.from({ length: classes.length }, (_, i) => row[i]);
  const result: SplitOutputs = { scores, probabilities: kind === 'logits' ? softmax(scores) : scores.slice() };
  for (const head of extraHeads ?? []) result[head.name] = row[head.index];
  return result;
}

const CONTEMPT = CLASSES_8.indexOf('Contempt');

/**
 * 8-class scores (CLASSES_8 order) -> the 7-class view (CLASSES_7 order) by dropping Contempt, as the AffectNet-7
 * column is computed for 8-class models. Works on logits or probabilities; argmax is the same either way.
 */
export function sevenClassView(scores8: ArrayLike<number>): Float64Array {
  if (scores8.length !== CLASSES_8.length) throw new Error(`sevenClassView needs ${CLASSES_8.length} scores, got ${scores8.length}`);
  const out = new Float64Array(CLASSES_8.length - 1);
  for (let i = 0, o = 0; i < scores8.length; i++) if (i !== CONTEMPT) out[o++] = scores8[i];
  return out;
}
