import type { Box, RgbImage } from '../image/types.ts';

/**
 * How a detected box becomes the crop fed to an expression model. The default (all options off) is the plain
 * detector box, which is HSEmotion's rule: AffectNet crops are the annotation box and AFEW crops the raw MTCNN box,
 * both with no margin, no squaring and no alignment (reference/hsemotion-protocols.md §2.3, §3.2).
 */
export interface FaceCropOptions {
  /** Multiply width and height about the box centre (human's face.detector.scale is 1.4). Default 1. */
  scale?: number;
  /** Pixels added on every side after scaling (the AFEW "44 px margin" variant is 22 per side). Default 0. */
  margin?: number;
  /** Grow the shorter side to the longer one about the centre, as human's squarifyBox. Default false. */
  square?: boolean;
}

/** The crop rectangle in whole pixels (corners rounded), clamped to the image; never empty for a box inside it. */
export function faceCropBox(box: Box, img: Pick<RgbImage, 'width' | 'height'>, opts: FaceCropOptions = {}): Box {
  const scale = opts.scale ?? 1;
  const margin = opts.margin ?? 0;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let w = box.width * scale + 2 * margin;
  let h = box.height * scale + 2 * margin;
  if (opts.square) w = h = Math.max(w, h);
  const x1 = Math.max(0, Math.round(cx - w / 2));
  const y1 = Math.max(0, Math.round(cy - h / 2));
  const x2 = Math.min(img.width, Math.max(x1 + 1, Math.round(cx + w / 2)));
  const y2 = Math.min(img.height, Math.max(y1 + 1, Math.round(cy + h / 2)));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}
