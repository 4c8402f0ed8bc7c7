import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOrtNode } from '../backends/node-ort.ts';
import { decodeModelFile, type WeightsKind, weightsKind } from '../onnx/info.ts';
import { BadFileError } from '../errors.ts';
import { listModels } from '../registry/index.ts';
import type { ModelRecord } from '../registry/types.ts';
import { createHash } from 'node:crypto';
import { gitBlobSha1 } from './checksums.ts';
import { type CacheOptions, cacheDir } from './paths.ts';

export type Dims = readonly (number | string)[];

export interface FileVerification {
  /** Registry id; absent for an ONNX file in the cache that no record names. */
  id?: string;
  file: string;
  path: string;
  /** missing = not in the cache (not a failure); failed = present but unusable or not what the record describes. */
  status: 'ok' | 'missing' | 'failed';
  bytes?: number;
  sha256?: string;
  gitBlobSha1?: string;
  /** match/mismatch against the record; n/a when the record's blob id is not of this file (converted model, synthetic twin). */
  gitBlob?: 'match' | 'mismatch' | 'n/a' | 'unknown';
  weights?: WeightsKind;
  inputs?: { name: string; dims: Dims }[];
  outputs?: { name: string; dims: Dims }[];
  problems: string[];
}

export interface VerifyReport {
  dir: string;
  files: FileVerification[];
  /** False when any present file failed. */
  ok: boolean;
}

type Meta = { name: string; isTensor: boolean; shape?: Dims };

/** The shape a record promises for its input, batch axis first ('batch' = any size). */
function expectedInput(r: ModelRecord): Dims {
  const c = r.input.color === 'GRAY' ? 1 : 3;
  const batch = r.input.dynamicBatch ? 'batch' : 1;
  return r.input.layout === 'NCHW' ? [batch, c, r.input.height, r.input.width] : [batch, r.input.height, r.input.width, c];
}

function dimsMatch(got: Dims | undefined, want: Dims): boolean {
  if (!got || got.length !== want.length) return false;
  return want.every((w, i) => (typeof w === 'string' ? typeof got[i] === 'string' || (got[i] as number) < 0 : got[i] === w));
}

const fmt = (d: Dims | undefined) => `[${(d ?? []).map((x) => (typeof x === 'string' ? x || '?' : x)).join(',')}]`;

/** Loads the file in onnxruntime-node (the runtime that must accept it) and reads its I/O names and shapes. */
async function loadInfo(path: string): Promise<{ inputs: { name: string; dims: Dims }[]; outputs: { name: string; dims: Dims }[] }> {
  const ort = await loadOrtNode();
  // No graph optimisation: verification needs the declared I/O, not a fast session, and optimising a 30 MB model takes seconds.
  const s = await ort.InferenceSession.create(path, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  try {
    const m = s as unknown as { inputMetadata: Meta[]; outputMetadata: Meta[] };
    const pick = (list: Meta[]) => list.map((x) => ({ name: x.name, dims: x.shape ?? [] }));
    return { inputs: pick(m.inputMetadata), outputs: pick(m.outputMetadata) };
  } finally {
    await s.release();
  }
}

/** Checks one file, against its record when it has one. */
export async function verifyFile(path: string, record?: ModelRecord): Promise<FileVerification> {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const v: FileVerification = { ...(record ? { id: record.id } : {}), file, path, status: 'ok', problems: [] };
  if (!existsSync(path)) return { ...v, status: 'missing' };
  const bytes = readFileSync(path);
  v.bytes = bytes.length;
  v.sha256 = createHash('sha256').update(bytes).digest('hex');
  v.gitBlobSha1 = gitBlobSha1(bytes);
  try {
    decodeModelFile(bytes, path);
    v.weights = weightsKind(bytes, path);
  } catch (err) {
    v.problems.push(err instanceof BadFileError ? err.message.slice(path.length + 2) : `not a valid ONNX file (${(err as Error).message})`);
  }
  if (v.problems.length === 0) {
    try {
      Object.assign(v, await loadInfo(path));
    } catch (err) {
      v.problems.push(`onnxruntime-node cannot load it: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (record) checkAgainstRecord(v, record);
  if (v.problems.length > 0) v.status = 'failed';
  return v;
}

function checkAgainstRecord(v: FileVerification, r: ModelRecord): void {
  const s = r.source;
  // Checksums describe the real file; a synthetic twin is expected to differ and is labelled by `weights` instead.
  const real = v.weights !== 'synthetic';
  if (!s.gitBlobSha1) v.gitBlob = 'unknown';
  else if (s.format !== 'onnx' || !real) v.gitBlob = 'n/a';
  else {
    v.gitBlob = s.gitBlobSha1 === v.gitBlobSha1 ? 'match' : 'mismatch';
    if (v.gitBlob === 'mismatch') v.problems.push(`git blob sha1 ${v.gitBlobSha1} differs from the official file's ${s.gitBlobSha1}`);
  }
  if (real && s.sha256 && s.sha256 !== v.sha256) v.problems.push(`sha256 ${v.sha256}, expected ${s.sha256}`);
  if (real && s.bytes !== undefined && s.bytes !== v.bytes) v.problems.push(`${v.bytes} bytes, expected ${s.bytes}`);
  if (!v.inputs || !v.outputs) return;
  const wantIn = expectedInput(r);
  const input = v.inputs.find((i) => i.name === r.input.name);
  if (!input) v.problems.push(`no input "${r.input.name}" (inputs: ${v.inputs.map((i) => i.name).join(', ')})`);
  else if (!dimsMatch(input.dims, wantIn)) v.problems.push(`input "${r.input.name}" has shape ${fmt(input.dims)}, expected ${fmt(wantIn)}`);
  const wantOut: Dims = [r.input.dynamicBatch ? 'batch' : 1, r.outputs.size];
  const output = v.outputs.find((o) => o.name === r.outputs.name);
  if (!output) v.problems.push(`no output "${r.outputs.name}" (outputs: ${v.outputs.map((o) => o.name).join(', ')})`);
  else if (!dimsMatch(output.dims, wantOut)) v.problems.push(`output "${r.outputs.name}" has shape ${fmt(output.dims)}, expected ${fmt(wantOut)}`);
}

/**
 * Verifies the cache: every registered model's expected file (missing is reported, not a failure) and any other ONNX
 * file lying there (load check only). `ok` is false when a present file fails.
 */
export async function verifyModels(dir?: string, opts: CacheOptions = {}): Promise<VerifyReport> {
  const root = dir ?? cacheDir(opts);
  const records = listModels();
  const files: FileVerification[] = [];
  for (const r of records) files.push(await verifyFile(join(root, r.source.fileName), r));
  const known = new Set(records.map((r) => r.source.fileName));
  const others = existsSync(root) ? readdirSync(root).filter((f) => f.toLowerCase().endsWith('.onnx') && !known.has(f)).sort() : [];
  for (const f of others) files.push(await verifyFile(join(root, f)));
  return { dir: root, files, ok: files.every((f) => f.status !== 'failed') };
}
