import type { TensorData } from '../backends/types.ts';
import { UserError } from '../errors.ts';
import type { ModelRecord } from '../registry/types.ts';
import { crop, cropPolicyFor } from './crop.ts';
import { resize } from './resize.ts';
import type { Box, RgbImage, ResizeMode } from './types.ts';

export interface ToTensorOptions {
  /** Overrides record.normalisation.resize (e.g. 'cv2-linear' for hsemotion-onnx parity). */
  resize?: ResizeMode;
  /** One face box per image, cropped before resizing (outside policy per resize mode, see cropPolicyFor). */
  box?: readonly (Box | undefined)[];
}

/**
 * Decoded images -> the exact float32 batch the model sees: crop, resize to the record's input size,
 * reorder channels per record.input.color, (pixel*scale - mean[c]) / std[c], laid out per record.input.layout.
 */
export function toTensor(images: readonly RgbImage[], record: ModelRecord, opts: ToTensorOptions = {}): TensorData {
  const { width: W, height: H, layout, color } = record.input;
  const norm = record.normalisation;
  const mode = opts.resize ?? norm.resize;
  if (opts.box && opts.box.length !== images.length) {
    throw new UserError(`${opts.box.length} boxes for ${images.length} images`);
  }
  const C = color === 'GRAY' ? 1 : 3;
  if (norm.mean.length < C || norm.std.length < C) {
    throw new UserError(`model ${record.id}: normalisation needs ${C} mean/std values`);
  }
  if (color === 'GRAY' && !norm.gray) throw new UserError(`model ${record.id}: color GRAY needs normalisation.gray weights`);
  const plane = W * H;
  const data = new Float32Array(images.length * C * plane);
  const lut = color === 'GRAY' ? undefined : channelLut(record);
  const order = color === 'BGR' ? [2, 1, 0] : [0, 1, 2];

  images.forEach((img, n) => {
    const box = opts.box?.[n];
    const cropped = box ? crop(img, box, cropPolicyFor(mode)) : img;
    const px = (cropped.width === W && cropped.height === H ? cropped : resize(cropped, W, H, mode)).data;
    const base = n * C * plane;
    if (!lut) {
      writeGray(px, data, base, plane, record);
      return;
    }
    // Strides let one loop serve both layouts: NCHW steps 1 within a plane, NHWC steps C.
    const [pixStep, chanStep] = layout === 'NCHW' ? [1, plane] : [C, 1];
    for (let c = 0; c < 3; c++) {
      const src = order[c];
      const off = c * 256;
      let o = base + c * chanStep;
      for (let i = src; i < px.length; i += 3, o += pixStep) data[o] = lut[off + px[i]];
    }
  });
  return { data, dims: layout === 'NCHW' ? [images.length, C, H, W] : [images.length, H, W, C] };
}

/**
 * 256 precomputed values per output channel: normalisation is a per-channel function of a uint8.
 * Each step is rounded to float32 as torchvision (x.div(255), sub_(mean), div_(std)) and numpy float32 do, so the
 * tensor is bit-identical to the reference pipelines rather than 1 ulp away.
 */
function channelLut(record: ModelRecord): Float32Array {
  const { scale, mean, std } = record.normalisation;
  const f = Math.fround;
  // A scale of 1/k is applied as a division by k, which is what the reference code writes (/255).
  const k = Math.round(1 / scale);
  const divide = scale !== 1 && Math.abs(1 / scale - k) < 1e-9;
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < 256; p++) {
      const x = divide ? f(p / k) : f(p * scale);
      lut[c * 256 + p] = f(f(x - f(mean[c])) / f(std[c]));
    }
  }
  return lut;
}

function writeGray(px: Uint8Array, data: Float32Array, base: number, plane: number, record: ModelRecord): void {
  const { scale, mean, std, gray } = record.normalisation;
  const [wr, wg, wb] = gray as readonly [number, number, number];
  const m = mean[0];
  const s = std[0];
  for (let i = 0; i < plane; i++) {
    const g = wr * px[i * 3] + wg * px[i * 3 + 1] + wb * px[i * 3 + 2];
    data[base + i] = (g * scale - m) / s;
  }
}
