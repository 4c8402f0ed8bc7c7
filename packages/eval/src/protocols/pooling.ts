import { UserError } from '@affectbench/core';

/**
 * Video-level statistics pooling of hsemotion-protocols.md §3.4, in float64 (the notebooks used
 * numpy on float32 features; the difference is ~1e-7 relative). std is numpy's default population
 * std (ddof 0).
 */

/** One decoded frame of a video. */
export interface FrameFeatures {
  /** Features of each detected face: AFEW keeps the first face only, VGAF every face. */
  faces: readonly ArrayLike<number>[];
  /** Features of the whole frame when no face was found (AFEW's `<frame>noface.png`); only the weighted pooling uses it. */
  wholeFrame?: ArrayLike<number>;
}

export interface VideoFeatures {
  id: string;
  label: number;
  frames: readonly FrameFeatures[];
}

export interface PooledVideo {
  id: string;
  label: number;
  vector: Float64Array;
  /** False when no frame had a face: the vector is then all zeros (or, for the weighted variant, whole-frame statistics). */
  hasFaces: boolean;
}

function checkDim(rows: readonly ArrayLike<number>[], dim: number, what: string): void {
  for (const r of rows) if (r.length !== dim) throw new UserError(`${what}: feature vector of length ${r.length}, expected ${dim}`);
}

/** [mean, std, min, max] over rows, each of length dim (4·dim values). Zero rows → zeros. */
export function meanStdMinMax(rows: readonly ArrayLike<number>[], dim: number): Float64Array {
  const out = new Float64Array(4 * dim);
  const m = rows.length;
  if (m === 0) return out;
  checkDim(rows, dim, 'statistics pooling');
  for (let j = 0; j < dim; j++) {
    let sum = 0;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < m; i++) {
      const v = rows[i][j];
      sum += v;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const mean = sum / m;
    let ss = 0;
    for (let i = 0; i < m; i++) {
      const dv = rows[i][j] - mean;
      ss += dv * dv;
    }
    out[j] = mean;
    out[dim + j] = Math.sqrt(ss / m);
    out[2 * dim + j] = lo;
    out[3 * dim + j] = hi;
  }
  return out;
}

/** [mean, std] over rows (2·dim values). */
export function meanStd(rows: readonly ArrayLike<number>[], dim: number): Float64Array {
  const out = new Float64Array(2 * dim);
  const m = rows.length;
  if (m === 0) return out;
  checkDim(rows, dim, 'statistics pooling');
  for (let j = 0; j < dim; j++) {
    let sum = 0;
    for (let i = 0; i < m; i++) sum += rows[i][j];
    const mean = sum / m;
    let ss = 0;
    for (let i = 0; i < m; i++) {
      const dv = rows[i][j] - mean;
      ss += dv * dv;
    }
    out[j] = mean;
    out[dim + j] = Math.sqrt(ss / m);
  }
  return out;
}

/** sklearn.preprocessing.normalize (L2) of one vector, in place; a zero vector stays zero. */
export function l2NormaliseInPlace(v: Float64Array): Float64Array {
  let ss = 0;
  for (let i = 0; i < v.length; i++) ss += v[i] * v[i];
  const norm = Math.sqrt(ss);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/** AFEW, EfficientNets: [mean, std, min, max] over the frames with a face (first face of each). */
export function poolAfew(video: VideoFeatures, dim: number): PooledVideo {
  const faces = video.frames.filter((f) => f.faces.length > 0).map((f) => f.faces[0]);
  return { id: video.id, label: video.label, vector: meanStdMinMax(faces, dim), hasFaces: faces.length > 0 };
}

/**
 * AFEW, mobilenet_7 (`USE_ALL_FEATURES=True`): statistics of face frames and of no-face frames
 * (whole-frame features) computed separately and summed, each weighted by its share of the frames.
 * Every clip gets a non-zero vector, which is why its two accuracies coincide.
 */
export function poolAfewWeighted(video: VideoFeatures, dim: number): PooledVideo {
  const faces: ArrayLike<number>[] = [];
  const noFace: ArrayLike<number>[] = [];
  for (const f of video.frames) {
    if (f.faces.length > 0) faces.push(f.faces[0]);
    else if (f.wholeFrame) noFace.push(f.wholeFrame);
    else throw new UserError(`video ${video.id}: a frame without a face carries no whole-frame features, which the weighted pooling needs`);
  }
  const total = faces.length + noFace.length;
  const vector = new Float64Array(4 * dim);
  if (total > 0) {
    const a = meanStdMinMax(faces, dim);
    const b = meanStdMinMax(noFace, dim);
    const wa = faces.length / total;
    const wb = noFace.length / total;
    for (let j = 0; j < vector.length; j++) vector[j] = wa * a[j] + wb * b[j];
  }
  return { id: video.id, label: video.label, vector, hasFaces: faces.length > 0 };
}

/** VGAF two-level: per frame [mean, std] over its faces, then per video [mean, std] over frames with faces. */
export function poolVgaf(video: VideoFeatures, dim: number): PooledVideo {
  const perFrame = video.frames.filter((f) => f.faces.length > 0).map((f) => meanStd(f.faces, dim));
  return { id: video.id, label: video.label, vector: meanStd(perFrame, 2 * dim), hasFaces: perFrame.length > 0 };
}

/**
 * Baseline without a classifier: mean of the per-face class scores over every face of every frame.
 * The vector is the averaged scores; argmax is the prediction.
 */
export function poolScores(video: VideoFeatures, numClasses: number): PooledVideo {
  const faces = video.frames.flatMap((f) => f.faces);
  checkDim(faces, numClasses, `video ${video.id}: score averaging`);
  const vector = new Float64Array(numClasses);
  for (const s of faces) for (let j = 0; j < numClasses; j++) vector[j] += s[j];
  if (faces.length > 0) for (let j = 0; j < numClasses; j++) vector[j] /= faces.length;
  return { id: video.id, label: video.label, vector, hasFaces: faces.length > 0 };
}
