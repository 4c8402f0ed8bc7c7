import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { convertForRecord } from '../convert/file.ts';
import { UserError } from '../errors.ts';
import { writeFileAtomic } from '../files.ts';
import type { ModelRecord } from '../registry/types.ts';
import { type CacheOptions, cacheDir } from './paths.ts';

/**
 * Models with real weights that ship inside npm packages (record.source.url = 'npm:<package>/<path>', TF.js graphs):
 * converted to ONNX into the cache on first use. No download, so they exist on every machine that ran `npm ci`.
 */

/** Bump when the converter's output for the same source changes, so stale conversions are not reused. */
const CONVERSION_REVISION = '2';

export function isBundled(record: ModelRecord): boolean {
  return record.source.url.startsWith('npm:');
}

/** Root directory of an installed package (its exports may hide package.json, so walk up from the entry point). */
export function packageDir(name: string): string {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(import.meta.resolve(name)));
  } catch {
    throw new UserError(`the npm package ${name} is not installed`, { hint: 'run npm ci in the affectbench checkout' });
  }
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new UserError(`cannot locate the ${name} package`, { hint: 'run npm ci in the affectbench checkout' });
    dir = up;
  }
  return dir;
}

/** The source file inside node_modules of a bundled record. */
export function bundledSource(record: ModelRecord): string {
  const spec = record.source.url.slice('npm:'.length);
  const parts = spec.split('/');
  const pkg = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return join(packageDir(pkg), spec.slice(pkg.length + 1));
}

/** Hash of everything that decides the converted file: converter revision, model.json and its weight shards. */
function sourceHash(modelJson: string): string {
  const h = createHash('sha256').update(CONVERSION_REVISION);
  const json = readFileSync(modelJson);
  h.update(json);
  const manifest = (JSON.parse(json.toString('utf8')) as { weightsManifest?: { paths: string[] }[] }).weightsManifest ?? [];
  for (const p of manifest.flatMap((g) => g.paths)) {
    const shard = join(dirname(modelJson), p);
    if (existsSync(shard)) h.update(readFileSync(shard));
  }
  return h.digest('hex').slice(0, 16);
}

/** Converts a bundled model once per source content; returns the cached ONNX path. */
export function materializeBundled(record: ModelRecord, opts: CacheOptions & { source?: string } = {}): string {
  const source = opts.source ?? bundledSource(record);
  const out = join(cacheDir(opts), 'bundled', `${record.id}-${sourceHash(source)}.onnx`);
  if (!existsSync(out)) writeFileAtomic(out, convertForRecord(source, record).bytes);
  return out;
}
