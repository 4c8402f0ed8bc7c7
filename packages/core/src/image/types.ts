/** Decoded image: 8-bit RGB, interleaved, row-major, `data.length === width*height*3`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Axis-aligned box in pixels; x,y is the top-left corner. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * pil-bilinear: Pillow's BILINEAR resize (antialiased when shrinking), as torchvision Resize on PIL images does (the paper).
 * cv2-linear: OpenCV cv2.resize INTER_LINEAR (no antialias), as hsemotion-onnx does.
 * tf-bilinear: TensorFlow(.js) resizeBilinear with alignCorners=false, halfPixelCenters=false (what @vladmandic/human feeds its
 *   models); TF keeps floats, we round to uint8 like the other modes (at most half a level apart).
 * nearest: nearest neighbour (as the Android app's createScaledBitmap(filter=false)).
 */
export type ResizeMode = 'pil-bilinear' | 'cv2-linear' | 'nearest' | 'tf-bilinear';
export const RESIZE_MODES: readonly ResizeMode[] = ['pil-bilinear', 'cv2-linear', 'nearest', 'tf-bilinear'];
