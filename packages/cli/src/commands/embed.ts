import { BACKEND_NAMES, type BackendName, RESIZE_MODES, type ResizeMode, UserError } from '@affectbench/core';
import { embedDataset } from '@affectbench/eval';
import { type Command, emit } from '../command.ts';

export const embedCommand: Command = {
  path: ['embed'],
  summary: 'write penultimate embeddings + outputs of every sample (every video frame) to a .f32 file with a JSON index',
  usage: '--model ID|PATH --dataset KIND:PATH --out FILE.f32 [--split val] [--limit N] [--backend node-cpu] [--batch N] [--allow-synthetic] [--json]',
  options: {
    model: { type: 'string', description: 'registry id or ONNX file' },
    dataset: { type: 'string', description: 'KIND:PATH' },
    out: { type: 'string', description: 'output .f32 file (the index is written beside it as .json)' },
    split: { type: 'string', description: 'dataset split (default: the adapter default)' },
    limit: { type: 'number', description: 'first N samples only' },
    backend: { type: 'string', description: `runtime: ${BACKEND_NAMES.join(', ')}`, default: 'node-cpu' },
    batch: { type: 'number', description: 'images per inference batch', default: 16 },
    resize: { type: 'string', description: `resize mode: ${RESIZE_MODES.join(', ')}` },
    workers: { type: 'number', description: 'preprocessing worker threads (default: cores − 1)' },
    'frame-stride': { type: 'number', description: 'videos: keep every n-th frame', default: 1 },
    'detect-faces': { type: 'boolean', description: 'crop the face found by the detector in images without a box' },
    'allow-synthetic': { type: 'boolean', description: 'run a model with synthetic weights (an architecture twin)' },
  },
  async run(args, io) {
    const o = args.options;
    for (const k of ['model', 'dataset', 'out'] as const) if (typeof o[k] !== 'string') throw new UserError(`--${k} is required`);
    const backend = o.backend as string;
    if (!BACKEND_NAMES.includes(backend as BackendName)) throw new UserError(`--backend must be one of ${BACKEND_NAMES.join(', ')} (got "${backend}")`);
    if (o.resize !== undefined && !RESIZE_MODES.includes(o.resize as ResizeMode)) throw new UserError(`--resize must be one of ${RESIZE_MODES.join(', ')} (got "${o.resize}")`);
    for (const k of ['limit', 'batch', 'frame-stride'] as const) {
      if (o[k] !== undefined && (!Number.isInteger(o[k]) || (o[k] as number) < 1)) throw new UserError(`--${k} must be a positive integer (got ${o[k]})`);
    }
    const { index, indexPath, dataPath } = await embedDataset({
      model: o.model as string,
      dataset: o.dataset as string,
      out: o.out as string,
      split: o.split as string | undefined,
      limit: o.limit as number | undefined,
      backend: backend as BackendName,
      batch: o.batch as number,
      resize: o.resize as ResizeMode | undefined,
      workers: o.workers as number | undefined,
      frameStride: o['frame-stride'] as number,
      detectFaces: o['detect-faces'] as boolean | undefined,
      allowSynthetic: Boolean(o['allow-synthetic']),
      command: ['embed', ...process.argv.slice(3)],
    });
    const { rows, ...summary } = index;
    emit(io, { indexPath, dataPath, rowCount: rows.length, ...summary }, () =>
      [
        `${index.model.id}: ${rows.length} rows × (${index.embedding.dim} embedding [${index.embedding.tensor}] + ${index.outputs.size} outputs) float32`,
        ...(index.model.weights === 'synthetic' ? ['WARNING: synthetic weights (architecture twin): these embeddings mean nothing'] : []),
        `data: ${dataPath}`,
        `index: ${indexPath}`,
      ].join('\n'),
    );
    return 0;
  },
};
