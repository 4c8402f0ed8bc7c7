import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import {
  BadFileError,
  type ModelProvenance,
  Progress,
  type RunProvenance,
  UserError,
  getBackend,
  gitCommit,
  hostInfo,
  readJsonFile,
  resolveModel,
  runtimeVersions,
  withEmbeddingOutput,
  writeJsonAtomic,
} from '@affectbench/core';
import { getDataset, loadManifest, parseDatasetSpec } from '../datasets/index.ts';
import type { FrameFeatures, VideoFeatures } from '../protocols/pooling.ts';
import { type EvalOptions, runOutputs, selectSamples } from './evaluate.ts';
import { PrepareError, PreparePool } from './pool.ts';

/** The eval options that apply to embedding, plus where to write. */
export type EmbedOptions = Pick<
  EvalOptions,
  'model' | 'dataset' | 'split' | 'backend' | 'batch' | 'limit' | 'allowSynthetic' | 'resize' | 'workers' | 'threads' | 'frameStride' | 'detectFaces' | 'faceCrop' | 'progress' | 'command'
> & {
  /** Output file; `.f32` holds the rows, `.json` beside it the index. */
  out: string;
};

/** One row of the .f32 file: `embedding.dim` floats of the penultimate tensor, then `outputs.size` raw model outputs. */
export interface EmbeddingRow {
  id: string;
  /** Index into `dataset.classes`. */
  label: number;
  /** Videos: frame number (after the stride) and whether the row is a face crop. */
  frame?: number;
  face?: boolean;
  /** Rows of one frame with several faces share this key (VGAF). */
  frameKey?: string;
}

/** The JSON index of an embeddings file (`affectbench embed`). */
export interface EmbeddingIndex {
  kind: 'embeddings';
  schema: 1;
  model: ModelProvenance;
  dataset: { kind: string; path: string; split: string; layout: string; crop: string; classes: readonly string[]; manifest: string | null; manifestSha256: string | null; skipped: Record<string, number> };
  preprocessing: { resize: string; frameStride: number };
  embedding: { tensor: string; dim: number };
  outputs: { name: string; size: number; classes: readonly string[] };
  /** Floats per row (embedding.dim + outputs.size), little-endian float32, rows back to back. */
  rowFloats: number;
  /** The .f32 file, relative to the index. */
  data: string;
  rows: EmbeddingRow[];
  provenance: RunProvenance;
}

/** Index path for an output name: `x.f32` → `x.json`. */
const indexPathOf = (out: string) => (out.endsWith('.f32') ? `${out.slice(0, -4)}.json` : `${out}.json`);

/**
 * Penultimate embeddings and outputs of every sample (every frame of a video) in a compact binary file with a JSON
 * index: the input of the SVM video protocols and of any probe trained outside affectbench.
 */
export async function embedDataset(opts: EmbedOptions): Promise<{ index: EmbeddingIndex; indexPath: string; dataPath: string }> {
  const { kind, path } = parseDatasetSpec(opts.dataset);
  const adapter = getDataset(kind);
  const resolved = resolveModel(opts.model);
  const record = resolved.record;
  if (!record) throw new UserError(`${opts.model}: no registry record describes this model file`, { hint: 'pass a registry id, or a file named <id>.onnx' });
  if (resolved.weights === 'synthetic' && !opts.allowSynthetic) {
    throw new UserError(`${resolved.path} has synthetic weights (an architecture twin): its embeddings mean nothing`, { hint: 'pass --allow-synthetic to run it anyway' });
  }
  const ds = await adapter.open(path, { split: opts.split ?? adapter.defaultSplit });
  const samples = selectSamples(ds.samples, opts.limit);
  const resize = opts.resize ?? record.normalisation.resize;
  const withEmb = withEmbeddingOutput(readFileSync(resolved.path), { dim: record.architecture.embeddingDim, file: resolved.path });
  const backend = getBackend(opts.backend ?? 'node-cpu');
  const session = await backend.createSession(withEmb.bytes, { threads: opts.threads });
  const batch = record.input.dynamicBatch ? Math.max(1, opts.batch ?? 16) : 1;
  const pool = new PreparePool(record, { resize, frameStride: opts.frameStride, detectFaces: opts.detectFaces ?? ds.crop === 'detector', faceCrop: opts.faceCrop }, opts.workers);
  const dataPath = opts.out.endsWith('.f32') ? opts.out : `${opts.out}.f32`;
  const indexPath = indexPathOf(opts.out);
  const tmp = `${dataPath}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  const rows: EmbeddingRow[] = [];
  const skipped: Record<string, number> = { ...ds.skipped.counts };
  let dim = 0;
  const progress = new Progress(`embed ${record.id} on ${kind}:${ds.split}`, samples.length, { enabled: opts.progress });
  const names = [withEmb.embeddingName, record.outputs.name];
  try {
    const window = Math.max(pool.size * 4, 8);
    const inflight: Promise<import('./preprocess.ts').PreparedSample | PrepareError>[] = [];
    let next = 0;
    const fill = () => {
      while (next < samples.length && inflight.length < window) inflight.push(pool.prepare(samples[next++]).catch((e: unknown) => (e instanceof PrepareError ? e : Promise.reject(e))));
    };
    fill();
    for (const sample of samples) {
      const p = await inflight.shift()!;
      fill();
      progress.tick(1);
      if (p instanceof PrepareError) {
        if (!p.userFacing) throw p;
        skipped['unreadable file'] = (skipped['unreadable file'] ?? 0) + 1;
        continue;
      }
      if (p.count === 0) {
        skipped['video without decodable frames'] = (skipped['video without decodable frames'] ?? 0) + 1;
        continue;
      }
      const res = await runOutputs(session, record, p.data, p.count, batch, names);
      const e = res[withEmb.embeddingName];
      const o = res[record.outputs.name];
      dim = e.width;
      const row = new Float32Array(e.width + o.width);
      for (let i = 0; i < p.count; i++) {
        row.set(e.data.subarray(i * e.width, (i + 1) * e.width), 0);
        row.set(o.data.subarray(i * o.width, (i + 1) * o.width), e.width);
        writeSync(fd, new Uint8Array(row.buffer));
        if (sample.imagePath) rows.push({ id: sample.id, label: sample.label });
        else rows.push({ id: sample.id, label: sample.label, frame: i, face: p.faces[i], ...(p.frameKeys ? { frameKey: p.frameKeys[i] } : {}) });
      }
    }
    progress.finish();
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  } finally {
    await pool.close();
    await session.release();
  }
  closeSync(fd);
  renameSync(tmp, dataPath);
  const manifestId = adapter.manifestFor(ds.layout);
  const manifest = manifestId ? loadManifest(manifestId) : null;
  const index: EmbeddingIndex = {
    kind: 'embeddings',
    schema: 1,
    model: { id: record.id, file: resolved.path, sha256: resolved.sha256, bytes: resolved.bytes, weights: resolved.weights },
    dataset: { kind, path: ds.root, split: ds.split, layout: ds.layout, crop: ds.crop, classes: ds.classes, manifest: manifest?.manifest.id ?? null, manifestSha256: manifest?.sha256 ?? null, skipped },
    preprocessing: { resize, frameStride: opts.frameStride ?? 1 },
    embedding: { tensor: withEmb.embeddingName, dim },
    outputs: { name: record.outputs.name, size: record.outputs.size, classes: record.outputs.classes },
    rowFloats: dim + record.outputs.size,
    data: basename(dataPath),
    rows,
    provenance: {
      tool: { name: 'affectbench', version: '0.1.0' },
      versions: runtimeVersions(),
      host: hostInfo(),
      date: new Date().toISOString(),
      git: gitCommit(),
      command: opts.command ?? process.argv.slice(2),
    },
  };
  writeJsonAtomic(indexPath, index);
  return { index, indexPath, dataPath };
}

/** Reads an embeddings index and its rows; the file size must match the index. */
export function readEmbeddings(indexPath: string): { index: EmbeddingIndex; data: Float32Array } {
  const index = readJsonFile<EmbeddingIndex>(indexPath);
  if (index.kind !== 'embeddings') throw new BadFileError(indexPath, 'is not an embeddings index');
  const dataPath = join(dirname(indexPath), index.data);
  let buf: Buffer;
  try {
    buf = readFileSync(dataPath);
  } catch {
    throw new BadFileError(dataPath, 'missing (the .f32 file named by its index)');
  }
  const expected = index.rows.length * index.rowFloats * 4;
  if (buf.length !== expected) throw new BadFileError(dataPath, `has ${buf.length} bytes, its index says ${expected}`);
  return { index, data: new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length)) };
}

/**
 * Groups per-frame embedding rows into videos for the pooling protocols: a face row is one face of its frame (rows
 * sharing a frameKey are the faces of one frame, as VGAF keeps every face; AFEW rows are one face per frame), a row
 * without a face only contributes whole-frame features.
 */
export function videoFeatures(index: EmbeddingIndex, data: Float32Array): VideoFeatures[] {
  const byId = new Map<string, { label: number; frames: FrameFeatures[]; byKey: Map<string, { faces: Float32Array[] }> }>();
  for (const [i, r] of index.rows.entries()) {
    let v = byId.get(r.id);
    if (!v) {
      v = { label: r.label, frames: [], byKey: new Map() };
      byId.set(r.id, v);
    }
    const emb = data.subarray(i * index.rowFloats, i * index.rowFloats + index.embedding.dim);
    if (r.face === false) v.frames.push({ faces: [], wholeFrame: emb });
    else if (r.frameKey !== undefined) {
      let f = v.byKey.get(r.frameKey);
      if (!f) {
        f = { faces: [] };
        v.byKey.set(r.frameKey, f);
        v.frames.push(f);
      }
      f.faces.push(emb);
    } else v.frames.push({ faces: [emb] });
  }
  return [...byId].map(([id, v]) => ({ id, label: v.label, frames: v.frames }));
}
