import { nodeCpu } from '../backends/node-cpu.ts';
import type { Backend, Session, SessionOptions } from '../backends/types.ts';
import type { Box, RgbImage } from '../image/types.ts';
import { getModel } from '../registry/index.ts';
import { materializeBundled, packageDir } from '../store/bundled.ts';
import { blazefaceAnchors, decodeBlazeface, landmarksOf, nonMaxSuppression } from './blazeface.ts';
import { resizeBilinearTf } from '../image/resize-tf.ts';

export interface DetectedFace {
  /** Face box in original-image pixels, clamped to the image (the detector's tight box: no margin); never empty. */
  box: Box;
  /** Sigmoid of the anchor's logit, 0..1. */
  score: number;
  /** Six points in image pixels: right eye, left eye, nose, mouth, right ear, left ear (MediaPipe order). */
  landmarks?: [number, number][];
}

export interface DetectOptions {
  /** Keep candidates with score > this. Default 0.2 (human's face.detector.minConfidence). */
  scoreThreshold?: number;
  /** Drop a candidate whose IoU with a kept box is ≥ this. Default 0.1 (human's face.detector.iouThreshold). */
  iouThreshold?: number;
  /** Most faces returned. Default: no limit (human caps at face.detector.maxDetected = 1). */
  maxFaces?: number;
}

export interface FaceDetectorOptions extends DetectOptions {
  /** Runtime for the converted ONNX model; default node-cpu (onnxruntime-node, CPU EP). */
  backend?: Backend;
  sessionOptions?: SessionOptions;
  /** TF.js blazeface model.json; default the one in @vladmandic/human. */
  modelJson?: string;
  /** Where the converted ONNX file is cached (keyed by the model.json's sha256). Default: the model store's cache dir. */
  cacheDir?: string;
}

const BLAZEFACE = getModel('blazeface');

/** Directory of the installed @vladmandic/human package (its models/ and assets/ are used as real material). */
export function humanPackageDir(): string {
  return packageDir('@vladmandic/human');
}

/**
 * BlazeFace (MediaPipe short-range) on whole images: resize to 256×256 (no letterbox, as human does), score and decode
 * all 896 anchors, hard NMS, boxes mapped back to the original image. One session is created on first use and reused.
 */
export class FaceDetector {
  private session?: Promise<Session>;
  private readonly anchors: Float32Array;
  private readonly size: number;

  constructor(private readonly opts: FaceDetectorOptions = {}) {
    this.size = BLAZEFACE.input.width;
    this.anchors = blazefaceAnchors(this.size);
  }

  private open(): Promise<Session> {
    if (!this.session) {
      const path = materializeBundled(BLAZEFACE, { cacheDir: this.opts.cacheDir, source: this.opts.modelJson });
      this.session = (this.opts.backend ?? nodeCpu).createSession(path, this.opts.sessionOptions);
      // A failed open must not be cached: the next call tries again (and reports its own error).
      this.session.catch(() => {
        this.session = undefined;
      });
    }
    return this.session;
  }

  /** The preprocessed NHWC input tensor for one image (exposed for parity tests). */
  preprocess(img: RgbImage): Float32Array {
    const { mean, std } = BLAZEFACE.normalisation;
    const t = resizeBilinearTf(img, this.size, this.size);
    for (let i = 0; i < t.length; i++) t[i] = (t[i] - mean[i % 3]) / std[i % 3];
    return t;
  }

  async detect(img: RgbImage, opts: DetectOptions = {}): Promise<DetectedFace[]> {
    if (img.width < 1 || img.height < 1) return [];
    const session = await this.open();
    const outs = await session.run({ [BLAZEFACE.input.name]: { data: this.preprocess(img), dims: [1, this.size, this.size, 3] } });
    const rows = this.rows(Object.values(outs).map((t) => t.data));
    const { boxes, scores } = decodeBlazeface(rows, this.anchors);
    const keep = nonMaxSuppression(boxes, scores, {
      maxOutput: opts.maxFaces ?? this.opts.maxFaces ?? Number.POSITIVE_INFINITY,
      iouThreshold: opts.iouThreshold ?? this.opts.iouThreshold ?? 0.1,
      scoreThreshold: opts.scoreThreshold ?? this.opts.scoreThreshold ?? 0.2,
    });
    const fx = img.width / this.size;
    const fy = img.height / this.size;
    const faces: DetectedFace[] = [];
    for (const i of keep) {
      // The regressor can emit a negative width or height; TF's NMS reads such a box by its min/max corners, so do we.
      const [ax, bx] = [boxes[4 * i] * fx, boxes[4 * i + 2] * fx];
      const [ay, by] = [boxes[4 * i + 1] * fy, boxes[4 * i + 3] * fy];
      const x1 = clamp(Math.min(ax, bx), 0, img.width);
      const x2 = clamp(Math.max(ax, bx), 0, img.width);
      const y1 = clamp(Math.min(ay, by), 0, img.height);
      const y2 = clamp(Math.max(ay, by), 0, img.height);
      // A box wholly outside the image has nothing to crop.
      if (x2 <= x1 || y2 <= y1) continue;
      faces.push({
        box: { x: x1, y: y1, width: x2 - x1, height: y2 - y1 },
        score: scores[i],
        landmarks: landmarksOf(rows, this.anchors, i).map(([x, y]) => [x * fx, y * fy] as [number, number]),
      });
    }
    return faces;
  }

  /**
   * human tells the four outputs apart by size, not name (scores 384 < scores 512 < boxes 384·16 < boxes 512·16),
   * then lays out [512 anchors; 384 anchors] × [score, 16 regressors] in anchor order.
   */
  private rows(outputs: Float32Array[]): Float32Array {
    if (outputs.length !== 4) throw new Error(`blazeface: expected 4 outputs, got ${outputs.length}`);
    const [s384, s512, r384, r512] = [...outputs].sort((a, b) => a.length - b.length);
    const rows = new Float32Array((512 + 384) * 17);
    const put = (scores: Float32Array, regs: Float32Array, offset: number) => {
      for (let i = 0; i < scores.length; i++) {
        rows[(offset + i) * 17] = scores[i];
        rows.set(regs.subarray(i * 16, i * 16 + 16), (offset + i) * 17 + 1);
      }
    };
    put(s512, r512, 0);
    put(s384, r384, 512);
    return rows;
  }

  async release(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    if (s) await (await s).release();
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** One-shot detection (creates and releases a detector); use FaceDetector directly for many images. */
export async function detectFaces(img: RgbImage, opts: FaceDetectorOptions = {}): Promise<DetectedFace[]> {
  const d = new FaceDetector(opts);
  try {
    return await d.detect(img);
  } finally {
    await d.release();
  }
}
