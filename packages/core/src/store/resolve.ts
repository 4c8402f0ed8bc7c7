import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { BadFileError, UserError } from '../errors.ts';
import { type WeightsKind, weightsKind } from '../onnx/info.ts';
import { getModel, hasModel, listModels } from '../registry/index.ts';
import type { ModelRecord } from '../registry/types.ts';
import { isBundled, materializeBundled } from './bundled.ts';
import { gitBlobSha1 } from './checksums.ts';
import { type CacheOptions, cacheDir } from './paths.ts';
import { createHash } from 'node:crypto';

export interface ResolvedModel {
  path: string;
  /** The registry record, for a registry id or a file named like one in the registry. */
  record?: ModelRecord;
  sha256: string;
  gitBlobSha1: string;
  bytes: number;
  /** 'synthetic' when the ONNX metadata says weights=synthetic (architecture twins); such a file is for latency only. */
  weights: WeightsKind;
}

/** Where the store expects a record's ONNX file. */
export function modelPath(record: ModelRecord, opts: CacheOptions = {}): string {
  // Bundled models are converted from node_modules on first use, so their path always resolves.
  if (isBundled(record)) return materializeBundled(record, opts);
  return join(cacheDir(opts), record.source.fileName);
}

/** What a person can do to get a record's file into the cache, in one sentence. */
export function obtainHint(record: ModelRecord, dest: string): string {
  if (record.source.format === 'onnx') {
    return `run \`affectbench models fetch ${record.id}\`, or download ${record.source.url} by hand and save it as ${dest}`;
  }
  return `the owners ship ${record.id} as .${record.source.format} only: download ${record.source.url}, convert it (${record.source.conversion ?? 'no conversion route recorded'}), and save the ONNX file as ${dest}`;
}

/**
 * A registry id (looked up in the cache) or a path to any ONNX file. Reads the file once: checksums and the weights kind.
 * A missing file is a UserError that says where to put it and how to get it.
 */
export function resolveModel(idOrPath: string, opts: CacheOptions = {}): ResolvedModel {
  let path: string;
  let record: ModelRecord | undefined;
  if (hasModel(idOrPath) && !existsSync(idOrPath)) {
    record = getModel(idOrPath);
    path = modelPath(record, opts);
    if (!existsSync(path)) throw new UserError(`model ${record.id} is not in the cache (expected ${path})`, { hint: obtainHint(record, path) });
  } else if (existsSync(idOrPath)) {
    path = idOrPath;
    if (!statSync(path).isFile()) throw new BadFileError(path, 'is a directory, not an ONNX file');
    record = listModels().find((m) => m.source.fileName === basename(path));
  } else if (/[\\/]|\.onnx$/i.test(idOrPath)) {
    throw new BadFileError(idOrPath, 'no such file');
  } else {
    return resolveModel(getModel(idOrPath).id, opts); // getModel throws the "unknown model" UserError with the known ids
  }
  const bytes = readFileSync(path);
  const weights = weightsKind(bytes, path); // a file that is not ONNX at all fails here, as a BadFileError naming it
  return {
    path,
    record,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    gitBlobSha1: gitBlobSha1(bytes),
    bytes: bytes.length,
    weights,
  };
}
