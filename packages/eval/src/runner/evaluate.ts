import { mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import {
  type BackendName,
  type EvalResult,
  type ModelRecord,
  Progress,
  type ResizeMode,
  type Session,
  UserError,
  getBackend,
  gitCommit,
  hostInfo,
  resolveModel,
  runtimeVersions,
  sha256,
  stableStringify,
  writeJsonAtomic,
} from '@affectbench/core';
import { loadManifest } from '../datasets/index.ts';
import { columnsFor, getDataset, parseDatasetSpec, resolveProtocol } from '../datasets/index.ts';
import type { OpenedDataset, Sample } from '../datasets/types.ts';
import { PrepareError, PreparePool } from './pool.ts';
import { PredictionWriter, readCompletedIds } from '../predictions.ts';
import { type PredictionRow, readRows } from './predictions-file.ts';
import type { PreparedSample } from './preprocess.ts';
import { scoreRows } from './score.ts';

export interface Shard {
  index: number;
  count: number;
}

export interface EvalOptions {
  /** Registry id or ONNX path. */
  model: string;
  /** 'KIND:PATH'. */
  dataset: string;
  split?: string;
  backend?: BackendName;
  batch?: number;
  limit?: number;
  shard?: Shard;
  outDir: string;
  allowSynthetic?: boolean;
  resize?: ResizeMode;
  protocol?: string;
  /** Preprocessing worker threads (default cores − 1; 0 = on the main thread). */
  workers?: number;
  threads?: number;
  frameStride?: number;
  /** Crop faces found by the detector (images without an annotation box, raw video frames). Default: on for clips. */
  detectFaces?: boolean;
  faceCrop?: import('@affectbench/core').FaceCropOptions;
  progress?: boolean;
  /** argv recorded in provenance. */
  command?: readonly string[];
  /** LinearSVC C for the video SVM protocols (default: the one printed for the model's README cell). */
  svmC?: number;
  /** Video SVM protocols: C values of the separately reported sweep (default DEFAULT_C_SWEEP; [] = none). */
  svmSweep?: readonly number[];
  /** Stop cleanly after this many new predictions (what a kill does, minus the partial line). */
  stopAfter?: number;
  /** ABAW MTL heads: training seed (default MTL_DEFAULT_SEED) and epochs (default: the protocol's 20). */
  mtlSeed?: number;
  mtlEpochs?: number;
}

export interface EvalRun {
  result: EvalResult;
  resultPath: string;
  predictionsPath: string;
  /** Predictions found from an earlier, interrupted run. */
  resumed: number;
  /** False when stopAfter ended the run early (no result file written). */
  complete: boolean;
}

/** Parses '--shard i/n' (1-based i, as people count). */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count) throw new UserError(`--shard must be i/n with 1 ≤ i ≤ n (got "${text}")`);
  return { index, count };
}

/** The samples a run scores: sorted by id, first `limit`, then every count-th from index−1 (deterministic). */
export function selectSamples(samples: readonly Sample[], limit?: number, shard?: Shard): Sample[] {
  const limited = limit !== undefined ? samples.slice(0, limit) : [...samples];
  return shard ? limited.filter((_, i) => i % shard.count === shard.index - 1) : limited;
}

const slug = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, '_');

/**
 * Stable run id: a restart with the same arguments finds (and resumes) the same predictions file. `inputs` (model
 * hash, dataset path, preprocessing) are hashed into it, so another model file or another copy of the data never
 * resumes from rows that are not its own.
 */
export function runId(modelName: string, ds: { kind: string; split: string }, protocol: string, resize: string, limit?: number, shard?: Shard, inputs: unknown = null): string {
  const h = inputs === null ? '' : sha256(stableStringify(inputs)).slice(0, 8);
  return slug([modelName, `${ds.kind}-${ds.split}`, protocol, resize, limit !== undefined ? `limit${limit}` : '', h, shard ? `shard${shard.index}of${shard.count}` : ''].filter(Boolean).join('.'));
}

function softmaxInto(src: Float32Array, off: number, n: number, out: number[]): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) max = Math.max(max, src[off + i]);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(src[off + i] - max);
    out.push(e);
    sum += e;
  }
  for (let i = out.length - n; i < out.length; i++) out[i] /= sum;
}

/** Class probabilities and valence/arousal heads of one output row, per the record's output description. */
export function readOutputRow(record: ModelRecord, data: Float32Array, row: number): { scores: number[]; valence?: number; arousal?: number } {
  const size = record.outputs.size;
  const off = row * size;
  const k = record.outputs.classes.length;
  const scores: number[] = [];
  if (record.outputs.kind === 'logits') softmaxInto(data, off, k, scores);
  else for (let i = 0; i < k; i++) scores.push(data[off + i]);
  const out: { scores: number[]; valence?: number; arousal?: number } = { scores };
  for (const h of record.outputs.extraHeads ?? []) out[h.name] = data[off + h.index];
  return out;
}

/**
 * Runs `count` inputs laid back to back through the session in chunks of `batch`. Returns, per requested output,
 * its rows back to back (`count` × width, width = the tensor's size per batch item).
 */
export async function runOutputs(session: Session, record: ModelRecord, data: Float32Array, count: number, batch: number, names: readonly string[]): Promise<Record<string, { data: Float32Array; width: number }>> {
  const { height: H, width: W, layout, color } = record.input;
  const C = color === 'GRAY' ? 1 : 3;
  const per = C * H * W;
  const out: Record<string, { data: Float32Array; width: number }> = {};
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const dims = layout === 'NCHW' ? [n, C, H, W] : [n, H, W, C];
    const res = await session.run({ [record.input.name]: { data: data.subarray(start * per, (start + n) * per), dims } });
    for (const name of names) {
      const o = res[name];
      if (!o) throw new Error(`model has no output "${name}" (outputs: ${Object.keys(res).join(', ')})`);
      const width = o.data.length / n;
      out[name] ??= { data: new Float32Array(count * width), width };
      out[name].data.set(o.data.subarray(0, n * width), start * width);
    }
  }
  return out;
}

async function runInputs(session: Session, record: ModelRecord, data: Float32Array, count: number, batch: number): Promise<Float32Array> {
  if (count === 0) return new Float32Array(0);
  const o = (await runOutputs(session, record, data, count, batch, [record.outputs.name]))[record.outputs.name];
  if (o.width !== record.outputs.size) throw new Error(`output "${record.outputs.name}" has ${o.width} values per item, the record says ${record.outputs.size}`);
  return o.data;
}

/** The prediction row of one sample (the protocol's classes are `cols` of the model's outputs). */
function toRow(sample: Sample, ds: OpenedDataset, record: ModelRecord, cols: readonly number[], y: number, prepared: PreparedSample, outputs: Float32Array): PredictionRow {
  const row: PredictionRow = { id: sample.id, label: y, labelName: ds.classes[sample.label], scores: [], modelScores: [] };
  if (sample.valence !== undefined && Number.isFinite(sample.valence)) row.valenceTrue = sample.valence;
  if (sample.arousal !== undefined && Number.isFinite(sample.arousal)) row.arousalTrue = sample.arousal;
  if (sample.imagePath) {
    const r = readOutputRow(record, outputs, 0);
    row.modelScores = r.scores;
    if (r.valence !== undefined) row.valence = r.valence;
    if (r.arousal !== undefined) row.arousal = r.arousal;
    if (!prepared.faces[0]) row.hasFaces = false;
  } else {
    // Video: mean of per-frame class probabilities over face frames, or over all frames when none has a face.
    const faceIdx = prepared.faces.flatMap((f, i) => (f ? [i] : []));
    const use = faceIdx.length ? faceIdx : prepared.faces.map((_, i) => i);
    const k = record.outputs.classes.length;
    const mean = new Array<number>(k).fill(0);
    for (const i of use) {
      const r = readOutputRow(record, outputs, i);
      for (let c = 0; c < k; c++) mean[c] += r.scores[c] / use.length;
    }
    Object.assign(row, { modelScores: mean, frames: prepared.count, faceFrames: faceIdx.length, hasFaces: faceIdx.length > 0 });
  }
  row.scores = cols.map((c) => row.modelScores[c]);
  return row;
}

/**
 * Scores a model on a dataset: predictions appended to `<outDir>/<run-id>.predictions.jsonl` as they come (a restart
 * skips ids already there), then the result JSON written atomically with full provenance.
 */
export async function evaluate(opts: EvalOptions): Promise<EvalRun> {
  const { kind, path } = parseDatasetSpec(opts.dataset);
  const adapter = getDataset(kind);
  const resolved = resolveModel(opts.model);
  const record = resolved.record;
  if (!record) {
    throw new UserError(`${opts.model}: no registry record describes this model file`, { hint: 'pass a registry id, or a file named <id>.onnx for a registered id (see `affectbench models list --all`)' });
  }
  if (record.task !== 'expression') throw new UserError(`${record.id} is a ${record.task} model, not an expression classifier`);
  if (resolved.weights === 'synthetic' && !opts.allowSynthetic) {
    throw new UserError(`${resolved.path} has synthetic weights (an architecture twin): its accuracy means nothing`, {
      hint: 'pass --allow-synthetic to run it anyway (the result is marked weights=synthetic), or fetch the real weights',
    });
  }
  const split = opts.split ?? adapter.defaultSplit;
  const ds = await adapter.open(path, { split });
  const protocol = resolveProtocol(adapter, opts.protocol, record.outputs.classes, ds);
  if (protocol.unit === 'video-svm') return (await import('./video-svm.ts')).evaluateVideoSvm(opts, protocol);
  if (protocol.unit === 'mtl-heads') return (await import('./mtl.ts')).evaluateMtlHeads(opts, protocol);
  const resize = opts.resize ?? record.normalisation.resize;
  const cols = columnsFor(record.outputs.classes, protocol.classes, `protocol ${protocol.name}`);
  const selected = selectSamples(ds.samples, opts.limit, opts.shard);
  // Samples outside the protocol's classes (Contempt under affectnet-7) are counted and never run.
  const outside: Record<string, number> = {};
  const samples = selected.filter((s) => {
    const inside = protocol.classes.includes(ds.classes[s.label]);
    if (!inside) outside[ds.classes[s.label]] = (outside[ds.classes[s.label]] ?? 0) + 1;
    return inside;
  });
  const batch = record.input.dynamicBatch ? Math.max(1, opts.batch ?? 16) : 1;

  const detectFaces = opts.detectFaces ?? ds.crop === 'detector';
  const inputs = { model: resolved.sha256, data: resolve(ds.root), frameStride: opts.frameStride ?? 1, detectFaces, faceCrop: opts.faceCrop ?? null };
  const id = runId(record.id, ds, protocol.name, resize, opts.limit, opts.shard, inputs);
  const predictionsPath = join(opts.outDir, `${id}.predictions.jsonl`);
  const resultPath = join(opts.outDir, `${id}.json`);
  const done = readCompletedIds(predictionsPath);
  const todo = samples.filter((s) => !done.has(s.id));
  const resumed = samples.length - todo.length;

  const backend = getBackend(opts.backend ?? 'node-cpu');
  const info = await backend.probe();
  if (!info.available) throw new UserError(`backend ${backend.name} is not available here: ${info.reason ?? 'no reason given'}`);
  const unreadable: Record<string, number> = {};
  let complete = true;
  if (todo.length) {
    const session = await backend.createSession(resolved.path, { threads: opts.threads });
    const pool = new PreparePool(record, { resize, frameStride: opts.frameStride, detectFaces, faceCrop: opts.faceCrop }, opts.workers);
    const progress = new Progress(`eval ${record.id} on ${kind}:${split}`, samples.length, { enabled: opts.progress, unit: protocol.unit === 'image' ? 'img' : 'video' });
    if (resumed) progress.tick(resumed, `resumed ${resumed}`);
    // Read ahead so decoding overlaps inference; bounded so memory stays small.
    const window = Math.max(batch * 2, pool.size * 4, 8);
    const inflight: Promise<PreparedSample | PrepareError>[] = [];
    let next = 0;
    const fill = () => {
      while (next < todo.length && inflight.length < window) inflight.push(pool.prepare(todo[next++]).catch((e: unknown) => (e instanceof PrepareError ? e : Promise.reject(e))));
    };
    let written = 0;
    mkdirSync(opts.outDir, { recursive: true });
    const writer = new PredictionWriter(predictionsPath);
    try {
      fill();
      let i = 0;
      while (i < todo.length) {
        // Consecutive samples make one batch (videos are batched frame-wise on their own).
        const group: { sample: Sample; prep: PreparedSample }[] = [];
        while (i < todo.length && group.length < batch) {
          const p = await inflight.shift()!;
          const sample = todo[i++];
          fill();
          if (!(p instanceof PrepareError) && p.count === 0) {
            unreadable['video without decodable frames'] = (unreadable['video without decodable frames'] ?? 0) + 1;
            progress.tick(1);
            continue;
          }
          if (p instanceof PrepareError) {
            if (!p.userFacing) throw p;
            unreadable['unreadable file'] = (unreadable['unreadable file'] ?? 0) + 1;
            progress.tick(1);
            continue;
          }
          group.push({ sample, prep: p });
          if (!sample.imagePath) break;
        }
        const rows: PredictionRow[] = [];
        const images = group.filter((g) => g.sample.imagePath);
        if (images.length) {
          const per = images[0].prep.data.length;
          const data = new Float32Array(per * images.length);
          for (const [j, g] of images.entries()) data.set(g.prep.data, j * per);
          const out = await runInputs(session, record, data, images.length, batch);
          for (const [j, g] of images.entries()) {
            const y = protocol.classes.indexOf(ds.classes[g.sample.label]);
            rows.push(toRow(g.sample, ds, record, cols, y, g.prep, out.subarray(j * record.outputs.size, (j + 1) * record.outputs.size)));
          }
        }
        for (const g of group.filter((x) => !x.sample.imagePath)) {
          const out = await runInputs(session, record, g.prep.data, g.prep.count, batch);
          rows.push(toRow(g.sample, ds, record, cols, protocol.classes.indexOf(ds.classes[g.sample.label]), g.prep, out));
        }
        for (const r of rows) writer.append(r);
        written += rows.length;
        progress.tick(rows.length);
        if (opts.stopAfter !== undefined && written >= opts.stopAfter && i < todo.length) {
          complete = false;
          break;
        }
      }
      progress.finish();
    } finally {
      writer.close();
      await Promise.allSettled(inflight);
      await pool.close();
      await session.release();
    }
  }

  const wanted = new Set(samples.map((s) => s.id));
  const rows = (await readRows(predictionsPath)).filter((r) => wanted.has(r.id));
  const result = buildResult({ opts, record, resolved, ds, protocol, resize, rows, samplesTotal: selected.length, unreadable, outside, backendName: backend.name, details: info.details, resultPath, predictionsPath });
  if (complete) writeJsonAtomic(resultPath, result);
  return { result, resultPath, predictionsPath, resumed, complete };
}

export interface BuildResultInput {
  opts: Pick<EvalOptions, 'command' | 'shard'>;
  record: ModelRecord;
  resolved: { path: string; sha256: string; bytes: number; weights: 'real' | 'synthetic' };
  ds: Pick<OpenedDataset, 'kind' | 'root' | 'split' | 'layout' | 'crop' | 'skipped'>;
  protocol: import('../datasets/types.ts').ProtocolSpec;
  resize: string;
  rows: PredictionRow[];
  samplesTotal: number;
  unreadable: Record<string, number>;
  /** Samples labelled outside the protocol's classes, per label. */
  outside: Record<string, number>;
  backendName: BackendName;
  details: Record<string, unknown>;
  resultPath: string;
  predictionsPath: string;
}

/** The EvalResult for a set of prediction rows (shared by evaluate and merge, so both produce the same file). */
export function buildResult(x: BuildResultInput): EvalResult {
  const scored = scoreRows(x.rows, x.protocol, x.record.outputs.classes, { outside: x.outside });
  const manifestId = getDataset(x.ds.kind).manifestFor(x.ds.layout);
  const manifest = manifestId ? loadManifest(manifestId) : null;
  const skipped = { ...x.ds.skipped.counts, ...x.unreadable, ...scored.excluded };
  const synthetic = x.resolved.weights === 'synthetic';
  // Images the detector found no face in were scored whole; say how many.
  const noFace = x.rows.filter((r) => r.hasFaces === false && r.frames === undefined).length;
  const metrics = { ...scored.metrics, ...(noFace ? { imagesWithoutFace: noFace } : {}), ...(synthetic ? { warning: 'synthetic weights (architecture twin): these numbers mean nothing' } : {}), datasetSkipped: x.ds.skipped.counts, unreadable: x.unreadable, outside: x.outside, skippedExamples: x.ds.skipped.examples, modelClasses: [...x.record.outputs.classes] };
  return {
    kind: 'eval',
    schema: 1,
    model: { id: x.record.id, file: x.resolved.path, sha256: x.resolved.sha256, bytes: x.resolved.bytes, weights: x.resolved.weights },
    dataset: {
      kind: x.ds.kind,
      path: x.ds.root,
      split: x.ds.split,
      manifest: manifest?.manifest.id ?? null,
      manifestSha256: manifest?.sha256 ?? null,
      protocol: x.protocol.name,
      crop: x.ds.crop,
      counts: { total: x.samplesTotal, scored: scored.scored, skipped },
    },
    backend: { name: x.backendName, details: x.details },
    preprocessing: { resize: x.resize, layout: x.ds.layout, ...(x.opts.shard ? { shard: `${x.opts.shard.index}/${x.opts.shard.count}` } : {}) },
    metrics,
    // A synthetic twin never fills a table cell, even when the protocol matches one.
    ...(scored.paper && !synthetic ? { paper: scored.paper } : {}),
    predictions: relative(join(x.resultPath, '..'), x.predictionsPath),
    provenance: {
      tool: { name: 'affectbench', version: '0.1.0' },
      versions: runtimeVersions(),
      host: hostInfo(),
      date: new Date().toISOString(),
      git: gitCommit(),
      command: x.opts.command ?? process.argv.slice(2),
    },
  };
}
