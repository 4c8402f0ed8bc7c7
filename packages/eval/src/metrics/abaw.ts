import { UserError } from '@affectbench/core';
import { ccc } from './ccc.ts';
import { macroF1 } from './classification.ts';

/** Missing-label codes of the ABAW annotation files (hsemotion-protocols.md §4.2). */
export const ABAW_MISSING = { va: -5, expression: -1, au: -1 } as const;
export const ABAW_EXPRESSIONS = ['Neutral', 'Anger', 'Disgust', 'Fear', 'Happiness', 'Sadness', 'Surprise', 'Other'] as const;
export const ABAW_AUS = ['AU1', 'AU2', 'AU4', 'AU6', 'AU7', 'AU10', 'AU12', 'AU15', 'AU23', 'AU24', 'AU25', 'AU26'] as const;
export const LSD_CLASSES = ['Anger', 'Disgust', 'Fear', 'Happiness', 'Sadness', 'Surprise'] as const;
/** Probabilities at or above this count as an active AU. */
export const AU_THRESHOLD = 0.5;

const range = (k: number) => Array.from({ length: k }, (_, i) => i);

/**
 * ABAW-4 LSD score: mean of the 6 per-class F1s (`metric_for_Exp`: one-hot, binary F1 per class).
 * Every one of the 6 classes counts, present or not, so this is macro-F1 over the explicit labels 0..5.
 */
export function lsdScore(labels: ArrayLike<number>, preds: ArrayLike<number>): number {
  return macroF1(labels, preds, LSD_CLASSES.length, range(LSD_CLASSES.length));
}

/** Binary F1 of the positive class (sklearn f1_score, zero_division=0): 2tp / (2tp + fp + fn). */
export function binaryF1(truth: ArrayLike<number>, predicted: ArrayLike<boolean | number>): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i] === 1;
    const p = Boolean(predicted[i]);
    if (t && p) tp++;
    else if (p) fp++;
    else if (t) fn++;
  }
  const precision = tp + fp > 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn > 0 ? tp / (tp + fn) : 0;
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

export interface MtlInput {
  /** Per frame; −5 where unannotated. */
  valenceTrue: ArrayLike<number>;
  arousalTrue: ArrayLike<number>;
  valence: ArrayLike<number>;
  arousal: ArrayLike<number>;
  /** Per frame, 0..7; −1 where unannotated. */
  expressionTrue: ArrayLike<number>;
  expression: ArrayLike<number>;
  /** Row-major n×12: 0/1, or −1 where unannotated. */
  auTrue: ArrayLike<number>;
  /** Row-major n×12 probabilities (thresholded at 0.5). */
  auProb: ArrayLike<number>;
}

export interface MtlScore {
  cccValence: number;
  cccArousal: number;
  /** (CCC_V + CCC_A) / 2. */
  va: number;
  /** Macro-F1 over all 8 expressions. */
  expression: number;
  /** Mean F1 over the 12 AUs. */
  au: number;
  auF1: number[];
  /** va + expression + au, in [0, 3] (the paper's MTL column). */
  pMtl: number;
  counts: { frames: number; va: number; arousal: number; expression: number; au: number[] };
}

/**
 * ABAW-4 multi-task score P_MTL = mean CCC(V, A) + macro-F1 over 8 expressions + mean F1 over 12 AUs.
 * Each term uses only the frames annotated for it; valence and arousal are masked separately.
 */
export function mtlScore(x: MtlInput): MtlScore {
  const n = x.valenceTrue.length;
  const nAu = ABAW_AUS.length;
  for (const [name, arr, len] of [
    ['arousalTrue', x.arousalTrue, n],
    ['valence', x.valence, n],
    ['arousal', x.arousal, n],
    ['expressionTrue', x.expressionTrue, n],
    ['expression', x.expression, n],
    ['auTrue', x.auTrue, n * nAu],
    ['auProb', x.auProb, n * nAu],
  ] as const) {
    if (arr.length !== len) throw new UserError(`MTL score: ${name} has ${arr.length} values, expected ${len}`);
  }
  const vIdx: number[] = [];
  const aIdx: number[] = [];
  const eTrue: number[] = [];
  const ePred: number[] = [];
  for (let i = 0; i < n; i++) {
    if (x.valenceTrue[i] !== ABAW_MISSING.va) vIdx.push(i);
    if (x.arousalTrue[i] !== ABAW_MISSING.va) aIdx.push(i);
    if (x.expressionTrue[i] !== ABAW_MISSING.expression) {
      eTrue.push(x.expressionTrue[i]);
      ePred.push(x.expression[i]);
    }
  }
  if (vIdx.length === 0 || aIdx.length === 0 || eTrue.length === 0) {
    throw new UserError(`MTL score needs annotated frames for every task (valence ${vIdx.length}, arousal ${aIdx.length}, expression ${eTrue.length})`);
  }
  const cccValence = ccc(x.valenceTrue, x.valence, vIdx);
  const cccArousal = ccc(x.arousalTrue, x.arousal, aIdx);
  const expression = macroF1(eTrue, ePred, ABAW_EXPRESSIONS.length, range(ABAW_EXPRESSIONS.length));
  const auF1: number[] = [];
  const auCounts: number[] = [];
  for (let k = 0; k < nAu; k++) {
    const t: number[] = [];
    const p: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const v = x.auTrue[i * nAu + k];
      if (v === ABAW_MISSING.au) continue;
      if (v !== 0 && v !== 1) throw new UserError(`MTL score: AU label ${v} at frame ${i}, AU ${ABAW_AUS[k]} is not 0, 1 or −1`);
      t.push(v);
      p.push(x.auProb[i * nAu + k] >= AU_THRESHOLD);
    }
    auCounts.push(t.length);
    auF1.push(binaryF1(t, p));
  }
  const au = auF1.reduce((s, v) => s + v, 0) / nAu;
  const va = (cccValence + cccArousal) / 2;
  return {
    cccValence,
    cccArousal,
    va,
    expression,
    au,
    auF1,
    pMtl: va + expression + au,
    counts: { frames: n, va: vIdx.length, arousal: aIdx.length, expression: eTrue.length, au: auCounts },
  };
}
