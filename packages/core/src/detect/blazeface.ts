/**
 * BlazeFace post-processing exactly as @vladmandic/human 3.3.6 does it (src/face/blazeface.ts, facemeshutil.ts),
 * in plain TypeScript so detection needs no TF.js at run time.
 */

/** Anchor centres in input pixels: a 16×16 grid of stride 16 with 2 anchors, then 8×8 of stride 32 with 6 (896 in all). */
export function blazefaceAnchors(inputSize: number): Float32Array {
  const spec = { strides: [inputSize / 16, inputSize / 8], anchors: [2, 6] };
  const out: number[] = [];
  for (let i = 0; i < spec.strides.length; i++) {
    const stride = spec.strides[i];
    const grid = Math.floor((inputSize + stride - 1) / stride);
    for (let y = 0; y < grid; y++) {
      for (let x = 0; x < grid; x++) {
        for (let n = 0; n < spec.anchors[i]; n++) out.push(stride * (x + 0.5), stride * (y + 0.5));
      }
    }
  }
  return Float32Array.from(out);
}

/** One raw candidate in model-input pixels. */
export interface RawDetection {
  index: number;
  score: number;
  /** x1, y1, x2, y2 in input pixels. */
  box: [number, number, number, number];
  /** Six [x, y] points (eyes, nose, mouth, ears) in input pixels. */
  landmarks: [number, number][];
}

/**
 * Rows of 17 values per anchor: score logit, centre offset x/y, width, height, 6 landmark offsets (x, y).
 * `rows` holds the 512 stride-16 rows first, then the 384 stride-32 rows, the order of the anchors.
 */
export function decodeBlazeface(rows: Float32Array, anchors: Float32Array): { boxes: Float32Array; scores: Float32Array } {
  const n = anchors.length / 2;
  if (rows.length !== n * 17) throw new Error(`blazeface: ${rows.length} values for ${n} anchors (expected ${n * 17})`);
  const boxes = new Float32Array(n * 4);
  const scores = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = i * 17;
    const cx = rows[r + 1] + anchors[2 * i];
    const cy = rows[r + 2] + anchors[2 * i + 1];
    const hw = rows[r + 3] / 2;
    const hh = rows[r + 4] / 2;
    boxes[4 * i] = cx - hw;
    boxes[4 * i + 1] = cy - hh;
    boxes[4 * i + 2] = cx + hw;
    boxes[4 * i + 3] = cy + hh;
    scores[i] = 1 / (1 + Math.exp(-rows[r]));
  }
  return { boxes, scores };
}

export function landmarksOf(rows: Float32Array, anchors: Float32Array, i: number): [number, number][] {
  const pts: [number, number][] = [];
  for (let k = 0; k < 6; k++) pts.push([rows[i * 17 + 5 + 2 * k] + anchors[2 * i], rows[i * 17 + 6 + 2 * k] + anchors[2 * i + 1]]);
  return pts;
}

function iou(b: Float32Array, i: number, j: number): number {
  const [ax1, ay1, ax2, ay2] = [Math.min(b[4 * i], b[4 * i + 2]), Math.min(b[4 * i + 1], b[4 * i + 3]), Math.max(b[4 * i], b[4 * i + 2]), Math.max(b[4 * i + 1], b[4 * i + 3])];
  const [bx1, by1, bx2, by2] = [Math.min(b[4 * j], b[4 * j + 2]), Math.min(b[4 * j + 1], b[4 * j + 3]), Math.max(b[4 * j], b[4 * j + 2]), Math.max(b[4 * j + 1], b[4 * j + 3])];
  const areaA = (ax2 - ax1) * (ay2 - ay1);
  const areaB = (bx2 - bx1) * (by2 - by1);
  if (areaA <= 0 || areaB <= 0) return 0;
  const inter = Math.max(Math.min(ax2, bx2) - Math.max(ax1, bx1), 0) * Math.max(Math.min(ay2, by2) - Math.max(ay1, by1), 0);
  return inter / (areaA + areaB - inter);
}

/**
 * Greedy hard NMS with tf.image.nonMaxSuppression's rules (what human calls): candidates need score > scoreThreshold,
 * are taken by descending score (ties: lower index first), and one is dropped when its IoU with any kept box is
 * ≥ iouThreshold. Returns indices of kept boxes, best first.
 */
export function nonMaxSuppression(boxes: Float32Array, scores: Float32Array, opts: { maxOutput: number; iouThreshold: number; scoreThreshold: number }): number[] {
  const candidates: number[] = [];
  for (let i = 0; i < scores.length; i++) if (scores[i] > opts.scoreThreshold) candidates.push(i);
  candidates.sort((a, b) => scores[b] - scores[a] || a - b);
  const kept: number[] = [];
  for (const c of candidates) {
    if (kept.length >= opts.maxOutput) break;
    if (kept.every((k) => iou(boxes, c, k) < opts.iouThreshold)) kept.push(c);
  }
  return kept;
}
