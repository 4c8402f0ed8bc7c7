import { BACKEND_NAMES, type BackendName, RESIZE_MODES, type ResizeMode, UserError } from '@affectbench/core';
import { evaluate, parseShard } from '@affectbench/eval';
import { type Command, emit } from '../command.ts';

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UserError(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}

function positiveInt(name: string, value: unknown, min = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || (value as number) < min) throw new UserError(`--${name} must be an integer ≥ ${min} (got ${value})`);
  return value as number;
}

function sweepList(values: readonly string[] | undefined): number[] | undefined {
  if (values === undefined) return undefined;
  if (values.length === 1 && values[0] === 'none') return [];
  return values.map((v) => {
    const c = Number(v);
    if (!(c > 0)) throw new UserError(`--svm-sweep takes positive numbers or "none" (got "${v}")`);
    return c;
  });
}

export const evalCommand: Command = {
  path: ['eval'],
  summary: 'score a model on a dataset (resumable predictions JSONL + result JSON with provenance)',
  usage: '--model ID|PATH --dataset KIND:PATH [--split val] [--backend node-cpu] [--batch N] [--limit N] [--shard i/n] [--protocol P] [--resize MODE] [--out DIR] [--allow-synthetic] [--json]',
  options: {
    model: { type: 'string', description: 'registry id or ONNX file' },
    dataset: { type: 'string', description: 'KIND:PATH, e.g. affectnet:/data/AffectNet (see `affectbench datasets list`)' },
    split: { type: 'string', description: 'dataset split (default: the adapter default, usually val)' },
    backend: { type: 'string', description: `runtime: ${BACKEND_NAMES.join(', ')}`, default: 'node-cpu' },
    batch: { type: 'number', description: 'images per inference batch', default: 16 },
    limit: { type: 'number', description: 'score only the first N samples (sorted by id)' },
    shard: { type: 'string', description: 'i/n: score every n-th sample from the i-th (merge the shards with `affectbench merge`)' },
    protocol: { type: 'string', description: 'evaluation protocol (default per dataset and model, e.g. affectnet-8 / affectnet-7)' },
    resize: { type: 'string', description: `resize mode: ${RESIZE_MODES.join(', ')} (default: the model record's)` },
    out: { type: 'string', description: 'output directory', default: 'results' },
    workers: { type: 'number', description: 'preprocessing worker threads (default: cores − 1)' },
    threads: { type: 'number', description: 'inference threads' },
    'frame-stride': { type: 'number', description: 'videos: keep every n-th frame', default: 1 },
    'detect-faces': { type: 'boolean', description: 'crop the face found by the detector in images without a box (default: on for raw video clips only)' },
    'allow-synthetic': { type: 'boolean', description: 'run a model with synthetic weights (an architecture twin); the result is marked' },
    'svm-sweep': { type: 'list', description: 'video SVM protocols: C values of the sweep reported beside the result (tuned on the evaluated split, so never the headline); "none" to skip' },
    'svm-c': { type: 'number', description: "video SVM protocols: LinearSVC C (default: the C printed for the model's README cell)" },
    'mtl-seed': { type: 'number', description: 'abaw-mtl-heads: seed of the head training (default 0)' },
    'mtl-epochs': { type: 'number', description: 'abaw-mtl-heads: training epochs (default 20, the protocol; other values fill no table cell)' },
  },
  async run(args, io) {
    const o = args.options;
    if (typeof o.model !== 'string') throw new UserError('--model is required', { hint: 'affectbench eval --model enet_b0_8_best_afew --dataset affectnet:/data/AffectNet' });
    if (typeof o.dataset !== 'string') throw new UserError('--dataset KIND:PATH is required', { hint: 'kinds: see `affectbench datasets list`' });
    const run = await evaluate({
      model: o.model,
      dataset: o.dataset,
      split: o.split as string | undefined,
      backend: oneOf<BackendName>('backend', o.backend, BACKEND_NAMES),
      batch: positiveInt('batch', o.batch),
      limit: positiveInt('limit', o.limit),
      shard: typeof o.shard === 'string' ? parseShard(o.shard) : undefined,
      protocol: o.protocol as string | undefined,
      resize: oneOf<ResizeMode>('resize', o.resize, RESIZE_MODES),
      outDir: o.out as string,
      workers: positiveInt('workers', o.workers, 0),
      threads: positiveInt('threads', o.threads),
      frameStride: positiveInt('frame-stride', o['frame-stride']),
      detectFaces: o['detect-faces'] as boolean | undefined,
      allowSynthetic: Boolean(o['allow-synthetic']),
      svmC: o['svm-c'] as number | undefined,
      svmSweep: sweepList(o['svm-sweep'] as string[] | undefined),
      mtlSeed: positiveInt('mtl-seed', o['mtl-seed'], 0),
      mtlEpochs: positiveInt('mtl-epochs', o['mtl-epochs']),
      command: ['eval', ...process.argv.slice(3)],
    });
    const r = run.result;
    const m = r.metrics;
    emit(io, { resultPath: run.resultPath, predictionsPath: run.predictionsPath, resumed: run.resumed, result: r }, () => {
      const skipped = Object.entries(r.dataset.counts.skipped).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      const lines = [
        `${r.model.id} on ${r.dataset.kind}:${r.dataset.split} (${r.dataset.protocol}, crop ${r.dataset.crop}, resize ${r.preprocessing.resize})`,
        ...(r.model.weights === 'synthetic' ? ['WARNING: synthetic weights (architecture twin): these numbers mean nothing'] : []),
        `scored ${r.dataset.counts.scored} of ${r.dataset.counts.total}${run.resumed ? ` (resumed ${run.resumed})` : ''}; skipped: ${skipped}`,
        `accuracy ${pct(m.accuracy)}${m.ci95?.accuracy ? ` [${pct(m.ci95.accuracy[0])}, ${pct(m.ci95.accuracy[1])}]` : ''}  macro-F1 ${pct(m.macroF1)}  UAR ${pct(m.uar)}`,
      ];
      const all = m.allVideos as { n: number; accuracy: number } | undefined;
      if (all) lines.push(`videos with faces ${m.coverage}; accuracy on all ${all.n} videos ${pct(all.accuracy)}`);
      if (typeof m.pMtl === 'number') {
        const t = m.training as { seed: number; epochs: number };
        lines.push(`P_MTL ${m.pMtl.toFixed(4)} = VA CCC ${(m.vaMeanCcc as number).toFixed(4)} + EXPR F1 ${(m.expressionMacroF1 as number).toFixed(4)} + AU F1 ${(m.auMeanF1 as number).toFixed(4)} (heads trained: seed ${t.seed}, ${t.epochs} epochs)`);
      }
      if (r.paper) lines.push(`table column ${r.paper.column}: ${r.paper.value}`);
      lines.push(`result: ${run.resultPath}`, `predictions: ${run.predictionsPath}`);
      return lines.join('\n');
    });
    return 0;
  },
};
