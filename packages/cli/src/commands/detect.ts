import { FaceDetector, faceCropBox, getBackend, readImage, UserError } from '@affectbench/core';
import { type Command, emit, table } from '../command.ts';

export const detect: Command = {
  path: ['detect'],
  summary: "find faces in an image with BlazeFace (human's model, converted to ONNX on first use)",
  usage: '--image FILE [--score S] [--iou T] [--max N] [--scale F] [--margin PX] [--square] [--backend NAME] [--json]',
  options: {
    image: { type: 'string', description: 'JPEG, PNG or TIFF file' },
    score: { type: 'number', description: 'keep faces with score above this', default: 0.2 },
    iou: { type: 'number', description: 'NMS: drop a face overlapping a better one by IoU ≥ this', default: 0.1 },
    max: { type: 'number', description: 'most faces to report (default: all)' },
    scale: { type: 'number', description: 'crop: grow the box about its centre by this factor', default: 1 },
    margin: { type: 'number', description: 'crop: pixels added on every side', default: 0 },
    square: { type: 'boolean', description: 'crop: make the box square (longer side)' },
    backend: { type: 'string', description: 'runtime for the detector', default: 'node-cpu' },
    'cache-dir': { type: 'string', description: 'where the converted detector is cached (default: the model cache)' },
  },
  async run(args, io) {
    const path = args.options.image;
    if (typeof path !== 'string' || path === '') throw new UserError('detect needs --image FILE');
    const o = args.options;
    const img = await readImage(path);
    const detector = new FaceDetector({ backend: getBackend(o.backend as string), cacheDir: o['cache-dir'] as string | undefined });
    try {
      const faces = await detector.detect(img, { scoreThreshold: o.score as number, iouThreshold: o.iou as number, maxFaces: o.max as number | undefined });
      const cropOpts = { scale: o.scale as number, margin: o.margin as number, square: o.square === true };
      const rows = faces.map((f) => ({ ...f, crop: faceCropBox(f.box, img, cropOpts) }));
      const r1 = (v: number) => v.toFixed(1);
      emit(io, { image: path, width: img.width, height: img.height, crop: cropOpts, faces: rows }, () =>
        faces.length === 0
          ? `${path} (${img.width}x${img.height}): no faces`
          : `${path} (${img.width}x${img.height}): ${faces.length} face${faces.length === 1 ? '' : 's'}\n${table(
              rows.map((f, i) => [String(i + 1), f.score.toFixed(3), r1(f.box.x), r1(f.box.y), r1(f.box.width), r1(f.box.height), `${f.crop.x},${f.crop.y},${f.crop.width},${f.crop.height}`]),
              ['#', 'score', 'x', 'y', 'width', 'height', 'crop x,y,w,h'],
            )}`,
      );
      return 0;
    } finally {
      await detector.release();
    }
  },
};
