import { type Box, type FaceCropOptions, FaceDetector, type ModelRecord, type ResizeMode, type RgbImage, faceCropBox, readImage, toTensor } from '@affectbench/core';
import type { Sample } from '../datasets/types.ts';
import { decodeVideoFrames } from './decode.ts';

export interface PreparedSample {
  id: string;
  /** `count` model inputs laid out back to back, exactly as the model takes them. */
  data: Float32Array;
  count: number;
  /** Per input: whether it is a face crop (false = whole frame without a detected face). */
  faces: boolean[];
  /** Per input, for frames with several faces: the frame it belongs to. */
  frameKeys?: string[];
}

export interface PrepareOptions {
  resize?: ResizeMode;
  /** Keep every stride-th video frame. */
  frameStride?: number;
  /** Find the face with the detector (BlazeFace) in images without an annotation box, and in decoded video frames. */
  detectFaces?: boolean;
  /** How a detected box becomes the crop (default: the plain detector box, HSEmotion's rule). */
  faceCrop?: FaceCropOptions;
}

// One detector per thread: its ONNX session is created on first use and reused for every sample.
let detector: FaceDetector | undefined;

/** The highest-scoring face's crop box, or undefined when the detector finds none. */
async function faceBox(img: RgbImage, opts: PrepareOptions): Promise<Box | undefined> {
  detector ??= new FaceDetector();
  const faces = await detector.detect(img, { maxFaces: 1 });
  return faces[0] ? faceCropBox(faces[0].box, img, opts.faceCrop) : undefined;
}

/** Decode, crop and normalise one sample; runs inside the worker threads. */
export async function prepareSample(sample: Sample, record: ModelRecord, opts: PrepareOptions = {}): Promise<PreparedSample> {
  let images: RgbImage[];
  let faces: boolean[];
  let boxes: (Sample['box'] | undefined)[] | undefined;
  let frameKeys: string[] | undefined;
  if (sample.imagePath) {
    images = [await readImage(sample.imagePath)];
    if (sample.box) {
      boxes = [sample.box];
      faces = [true];
    } else if (opts.detectFaces) {
      const b = await faceBox(images[0], opts);
      boxes = [b];
      faces = [b !== undefined];
    } else faces = [true];
  } else if (sample.frames) {
    const stride = Math.max(1, opts.frameStride ?? 1);
    const picked = sample.frames.filter((_, i) => i % stride === 0);
    images = await Promise.all(picked.map((f) => readImage(f.path)));
    faces = picked.map((f) => f.face);
    if (picked.some((f) => f.frame !== undefined)) frameKeys = picked.map((f, i) => f.frame ?? String(i));
  } else if (sample.video) {
    images = await decodeVideoFrames(sample.video, opts.frameStride ?? 1);
    if (opts.detectFaces) {
      // AFEW's rule: first face per frame, plain box; a frame without a face stays whole and is flagged (noface).
      boxes = [];
      for (const img of images) boxes.push(await faceBox(img, opts));
      faces = boxes.map((b) => b !== undefined);
    } else faces = images.map(() => false);
  } else {
    throw new Error(`sample ${sample.id} has no image, frames or video`);
  }
  if (images.length === 0) return { id: sample.id, data: new Float32Array(0), count: 0, faces: [] };
  const t = toTensor(images, record, { resize: opts.resize, box: boxes });
  return { id: sample.id, data: t.data, count: images.length, faces, ...(frameKeys ? { frameKeys } : {}) };
}
