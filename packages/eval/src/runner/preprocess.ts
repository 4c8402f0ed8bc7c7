import { type ModelRecord, type ResizeMode, readImage, toTensor } from '@affectbench/core';
import type { Sample } from '../datasets/types.ts';
import { decodeVideoFrames } from './decode.ts';

export interface PreparedSample {
  id: string;
  /** `count` model inputs laid out back to back, exactly as the model takes them. */
  data: Float32Array;
  count: number;
  /** Per input: whether it is a face crop (false = whole frame without a detected face). */
  faces: boolean[];
}

export interface PrepareOptions {
  resize?: ResizeMode;
  /** Keep every stride-th video frame. */
  frameStride?: number;
}

/** Decode, crop and normalise one sample; runs inside the worker threads. */
export async function prepareSample(sample: Sample, record: ModelRecord, opts: PrepareOptions = {}): Promise<PreparedSample> {
  let images;
  let faces: boolean[];
  let boxes: (Sample['box'] | undefined)[] | undefined;
  if (sample.imagePath) {
    images = [await readImage(sample.imagePath)];
    faces = [true];
    boxes = sample.box ? [sample.box] : undefined;
  } else if (sample.frames) {
    const stride = Math.max(1, opts.frameStride ?? 1);
    const picked = sample.frames.filter((_, i) => i % stride === 0);
    images = await Promise.all(picked.map((f) => readImage(f.path)));
    faces = picked.map((f) => f.face);
  } else if (sample.video) {
    // No detector in this path yet: whole frames, flagged as non-face so video accuracy "with faces" stays honest.
    images = await decodeVideoFrames(sample.video, opts.frameStride ?? 1);
    faces = images.map(() => false);
  } else {
    throw new Error(`sample ${sample.id} has no image, frames or video`);
  }
  if (images.length === 0) return { id: sample.id, data: new Float32Array(0), count: 0, faces: [] };
  const t = toTensor(images, record, { resize: opts.resize, box: boxes });
  return { id: sample.id, data: t.data, count: images.length, faces };
}
