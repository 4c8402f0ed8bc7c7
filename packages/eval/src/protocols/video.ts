import type { ClassificationMetrics } from '@affectbench/core';
import { UserError } from '@affectbench/core';
import { AFEW_CLASSES, VGAF_CLASSES } from '../datasets/video.ts';
import { computeClassification } from '../metrics/classification.ts';
import { LinearSVC } from './linear-svc.ts';
import { SVC } from './svc-rbf.ts';
import { l2NormaliseInPlace, type PooledVideo, poolAfew, poolScores, poolVgaf, type VideoFeatures } from './pooling.ts';


/** A README cell a protocol reproduces, with the classifier setting the notebooks used for it. */
export interface PaperCell {
  model: string;
  column: 'afew' | 'vgaf';
  /** The README value, percent. */
  value: number;
  /** C of this cell's classifier, where the notebooks print it. */
  C?: number;
  /** The notebooks' classifier for this cell where it is not the protocol's (§3.4: VGAF tuned it per model). */
  classifier?: SvmClassifier;
  /** Overrides the protocol's L2 normalisation for this cell (§3.4: mobilenet_7 VGAF is not normalised). */
  l2Normalise?: boolean;
  /** Which accuracy the README reports for this cell (§3.5): over videos with faces, or over all videos. */
  accuracyOver: 'faces' | 'all';
  /** 'unconfirmed' where the notebooks do not print the value or the C. */
  evidence: 'printed' | 'unconfirmed';
}

/** 'linear-svc': sklearn LinearSVC(C); 'svc-rbf': sklearn SVC(kernel='rbf', C, gamma='scale'). */
export type SvmClassifier = 'linear-svc' | 'svc-rbf';

export interface VideoProtocol {
  name: string;
  description: string;
  dataset: 'afew' | 'vgaf';
  classNames: readonly string[];
  /** Turns one video's per-frame features (or per-face scores, for 'argmax') into one vector. */
  pool: (video: VideoFeatures, dim: number) => PooledVideo;
  l2Normalise: boolean;
  /** The classifier of cells that name none. */
  classifier: SvmClassifier | 'argmax';
  /** C when the caller gives none. */
  defaultC?: number;
  cells: readonly PaperCell[];
}

/** hsemotion-protocols.md §3.4: EfficientNet embeddings, [mean,std,min,max] over face frames, L2, LinearSVC. */
export const AFEW_SVM_STATS: VideoProtocol = {
  name: 'afew-svm-stats',
  description:
    'AFEW 7 classes: penultimate embedding per face frame (first MTCNN face), [mean,std,min,max] over face frames, L2-normalised, LinearSVC(C) fitted on train videos with faces; accuracy over validation videos with faces (379/383 in the paper) and over all',
  dataset: 'afew',
  classNames: AFEW_CLASSES,
  pool: poolAfew,
  l2Normalise: true,
  classifier: 'linear-svc',
  defaultC: 1,
  cells: [
    { model: 'enet_b0_8_best_afew', column: 'afew', value: 59.89, C: 1.1, accuracyOver: 'faces', evidence: 'printed' },
    { model: 'enet_b2_7', column: 'afew', value: 59.63, C: 1.95, accuracyOver: 'faces', evidence: 'printed' },
    { model: 'enet_b2_8', column: 'afew', value: 57.78, C: 3.5, accuracyOver: 'faces', evidence: 'printed' },
    { model: 'enet_b0_8_best_vgaf', column: 'afew', value: 55.14, accuracyOver: 'faces', evidence: 'unconfirmed' },
    { model: 'enet_b0_8_va_mtl', column: 'afew', value: 56.73, accuracyOver: 'faces', evidence: 'unconfirmed' },
    { model: 'enet_b0_7', column: 'afew', value: 56.99, accuracyOver: 'faces', evidence: 'unconfirmed' },
    { model: 'enet_b2_8_best', column: 'afew', value: 56.73, accuracyOver: 'faces', evidence: 'unconfirmed' },
  ],
};

/** §3.4 VGAF: two-level [mean,std] statistics, L2, LinearSVC; the cells that used an RBF SVC (and no L2) say so. */
export const VGAF_SVM_STATS: VideoProtocol = {
  name: 'vgaf-svm-stats',
  description:
    'VGAF 3 classes: embedding per aligned MTCNN face, per frame [mean,std] over faces, per video [mean,std] over frames, L2-normalised, LinearSVC(C) fitted on train videos with faces (per model as the notebooks: RBF SVC(C) for enet_b2_8, un-normalised RBF SVC for mobilenet_7); accuracy over validation videos with faces (741/766 in the paper) and over all',
  dataset: 'vgaf',
  classNames: VGAF_CLASSES,
  pool: poolVgaf,
  l2Normalise: true,
  classifier: 'linear-svc',
  defaultC: 1,
  cells: [
    { model: 'enet_b0_8_best_vgaf', column: 'vgaf', value: 68.29, C: 0.5, accuracyOver: 'faces', evidence: 'printed' },
    { model: 'enet_b2_7', column: 'vgaf', value: 69.84, C: 0.01, accuracyOver: 'all', evidence: 'printed' },
    { model: 'enet_b2_8', column: 'vgaf', value: 70.23, C: 1.9, classifier: 'svc-rbf', accuracyOver: 'all', evidence: 'printed' },
    { model: 'mobilenet_7', column: 'vgaf', value: 68.92, C: 1, classifier: 'svc-rbf', l2Normalise: false, accuracyOver: 'all', evidence: 'printed' },
  ],
};

/** Not a paper protocol: the classifier-free baseline every video protocol is compared against. */
export const AFEW_SCORE_AVERAGE: VideoProtocol = {
  name: 'afew-score-average',
  description: 'AFEW baseline without training: mean of the per-face class probabilities over the video, argmax (the model must output the 7 AFEW classes in AFEW order)',
  dataset: 'afew',
  classNames: AFEW_CLASSES,
  pool: (video) => poolScores(video, AFEW_CLASSES.length),
  l2Normalise: false,
  classifier: 'argmax',
  cells: [],
};

export const VGAF_SCORE_AVERAGE: VideoProtocol = {
  name: 'vgaf-score-average',
  description: 'VGAF baseline without training: mean of per-face 3-class scores over every face of every frame, argmax',
  dataset: 'vgaf',
  classNames: VGAF_CLASSES,
  pool: (video) => poolScores(video, VGAF_CLASSES.length),
  l2Normalise: false,
  classifier: 'argmax',
  cells: [],
};

export const VIDEO_PROTOCOLS: readonly VideoProtocol[] = [AFEW_SVM_STATS, VGAF_SVM_STATS, AFEW_SCORE_AVERAGE, VGAF_SCORE_AVERAGE];

export function getVideoProtocol(name: string): VideoProtocol {
  const p = VIDEO_PROTOCOLS.find((v) => v.name === name);
  if (!p) throw new UserError(`unknown video protocol "${name}"`, { hint: `known: ${VIDEO_PROTOCOLS.map((v) => v.name).join(', ')}` });
  return p;
}

/** The README cell a model fills under a protocol (its C, which accuracy to compare), if the paper has one. */
export function paperCell(protocol: VideoProtocol, model: string): PaperCell | undefined {
  return protocol.cells.find((c) => c.model === model);
}

export interface VideoPrediction {
  id: string;
  label: number;
  /** null: a score-average video with no face has nothing to average (counted wrong in the complete accuracy). */
  pred: number | null;
  hasFaces: boolean;
}

export interface VideoProtocolResult {
  protocol: string;
  classifier: SvmClassifier | 'argmax';
  l2Normalised: boolean;
  C?: number;
  coverage: { withFaces: number; total: number };
  /** Over test videos with at least one face: the paper's "Accuracy". */
  accuracyFaces: number;
  /** Over every test video: the paper's "Complete accuracy". */
  accuracyComplete: number;
  /** Metrics over the videos with faces. */
  metrics: ClassificationMetrics;
  predictions: VideoPrediction[];
  /** nIter: per one-vs-rest problem (LinearSVC) or per class pair (SVC); supportCount: SVC only, per class. */
  svm?: { nIter: number[]; converged: boolean; supportCount?: number[] };
}

/**
 * Pools, (optionally) trains and predicts one video protocol. `dim` = per-frame feature size
 * (for 'argmax' protocols, the number of classes). The SVM is fitted on train videos with faces only,
 * then predicts every test video, zero vectors included, as the notebooks do. `model` selects the README
 * cell whose classifier and normalisation apply (the protocol's own where the model has no cell).
 */
export function runVideoProtocol(
  protocol: VideoProtocol,
  data: { train?: readonly VideoFeatures[]; test: readonly VideoFeatures[]; dim: number },
  opts: { C?: number; seed?: number; model?: string } = {},
): VideoProtocolResult {
  const k = protocol.classNames.length;
  const cell = opts.model === undefined ? undefined : paperCell(protocol, opts.model);
  const classifier = cell?.classifier ?? protocol.classifier;
  const l2 = cell?.l2Normalise ?? protocol.l2Normalise;
  const prep = (v: VideoFeatures): PooledVideo => {
    if (!Number.isInteger(v.label) || v.label < 0 || v.label >= k) throw new UserError(`video ${v.id}: label ${v.label} is not a class in 0..${k - 1}`);
    const p = protocol.pool(v, data.dim);
    if (l2) l2NormaliseInPlace(p.vector);
    return p;
  };
  if (data.test.length === 0) throw new UserError(`${protocol.name}: no test videos`);
  const test = data.test.map(prep);
  let predict: (p: PooledVideo) => number | null;
  let svmInfo: VideoProtocolResult['svm'];
  let C: number | undefined;
  if (classifier !== 'argmax') {
    const train = (data.train ?? []).map(prep).filter((p) => p.hasFaces);
    if (train.length === 0) throw new UserError(`${protocol.name}: no training videos with faces`);
    C = opts.C ?? cell?.C ?? protocol.defaultC;
    const X = train.map((p) => p.vector);
    const y = train.map((p) => p.label);
    if (classifier === 'svc-rbf') {
      const svm = new SVC({ C }).fit(X, y);
      svmInfo = { nIter: svm.nIter, converged: svm.converged, supportCount: svm.supportCount };
      // One batched call: the RBF SVC streams every support vector per block of samples, not per sample.
      const preds = svm.predict(test.map((p) => p.vector));
      const byVideo = new Map(test.map((p, i) => [p, preds[i]]));
      predict = (p) => byVideo.get(p) ?? null;
    } else {
      const svm = new LinearSVC({ C, seed: opts.seed }).fit(X, y);
      svmInfo = { nIter: svm.nIter, converged: svm.converged };
      predict = (p) => svm.predictOne(p.vector);
    }
  } else {
    predict = (p) => {
      if (!p.hasFaces) return null;
      let best = 0;
      for (let j = 1; j < p.vector.length; j++) if (p.vector[j] > p.vector[best]) best = j;
      return best;
    };
  }
  const predictions = test.map((p) => ({ id: p.id, label: p.label, pred: predict(p), hasFaces: p.hasFaces }));
  const withFaces = predictions.filter((p) => p.hasFaces && p.pred !== null);
  if (withFaces.length === 0) throw new UserError(`${protocol.name}: no test video has a face`);
  const metrics = computeClassification({
    labels: withFaces.map((p) => p.label),
    preds: withFaces.map((p) => p.pred as number),
    numClasses: k,
    classNames: protocol.classNames,
  });
  const correctAll = predictions.filter((p) => p.pred === p.label).length;
  return {
    protocol: protocol.name,
    classifier,
    l2Normalised: l2,
    ...(C !== undefined ? { C } : {}),
    coverage: { withFaces: withFaces.length, total: predictions.length },
    accuracyFaces: metrics.accuracy,
    accuracyComplete: correctAll / predictions.length,
    metrics,
    predictions,
    ...(svmInfo ? { svm: svmInfo } : {}),
  };
}
