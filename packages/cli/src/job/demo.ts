import { join } from 'node:path';
import {
  argmax,
  type FaceDetector as Detector,
  FaceDetector,
  getModel,
  nodeCpu,
  readImage,
  resolveModel,
  splitOutputs,
  toTensor,
  writeJsonAtomic,
} from '@affectbench/core';

export interface DemoFace {
  box: { x: number; y: number; width: number; height: number };
  detectorScore: number;
  label: string;
  probability: number;
  probabilities: Record<string, number>;
}

export interface DemoResult {
  kind: 'demo';
  model: { id: string; sha256: string; weights: 'real' | 'synthetic' };
  detector: { id: string; sha256: string };
  images: { file: string; width: number; height: number; faces: DemoFace[] }[];
}

/**
 * The real-model part of the main job: the real face detector and the real emotion model (both shipped in npm
 * packages, converted to ONNX on first use) on real photos. No download, no dataset.
 */
export async function runDemo(cfg: { images: string[]; detector: string; model: string }, out: string): Promise<{ result: DemoResult; path: string }> {
  const record = getModel(cfg.model);
  const model = resolveModel(cfg.model);
  const detectorFile = resolveModel(cfg.detector);
  const detector: Detector = new FaceDetector();
  const session = await nodeCpu.createSession(model.path);
  const images: DemoResult['images'] = [];
  try {
    for (const file of cfg.images) {
      const img = await readImage(file);
      const faces = await detector.detect(img);
      const rows: DemoFace[] = [];
      if (faces.length > 0) {
        const input = toTensor(faces.map(() => img), record, { box: faces.map((f) => f.box) });
        const output = (await session.run({ [session.inputNames[0]]: input }))[session.outputNames[0]];
        const width = output.dims[1];
        faces.forEach((f, i) => {
          const split = splitOutputs(output.data.subarray(i * width, (i + 1) * width), record);
          const probs = split.probabilities;
          const best = argmax(probs);
          rows.push({
            box: f.box,
            detectorScore: f.score,
            label: record.outputs.classes[best],
            probability: probs[best],
            probabilities: Object.fromEntries(record.outputs.classes.map((c, k) => [c, probs[k]])),
          });
        });
      }
      images.push({ file, width: img.width, height: img.height, faces: rows });
    }
  } finally {
    await session.release();
    await detector.release();
  }
  const result: DemoResult = {
    kind: 'demo',
    model: { id: record.id, sha256: model.sha256, weights: model.weights },
    detector: { id: cfg.detector, sha256: detectorFile.sha256 },
    images,
  };
  const path = join(out, 'demo', 'demo.json');
  writeJsonAtomic(path, result);
  return { result, path };
}
