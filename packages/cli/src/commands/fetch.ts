import { HSEMOTION_IDS, type ModelRecord, UserError, fetchModel, getModel, modelPath, obtainHint } from '@affectbench/core';
import { type Command, emit, table } from '../command.ts';

type Row =
  | { id: string; status: 'downloaded' | 'present'; path: string; url: string; bytes: number; sha256: string; gitBlobSha1: string; checked: string[] }
  | { id: string; status: 'needs-conversion'; path: string; hint: string }
  | { id: string; status: 'failed'; path: string; error: string; hint?: string };

export const modelsFetch: Command = {
  path: ['models', 'fetch'],
  summary: 'download the official ONNX files into the model cache, checking their git blob ids',
  usage: '<id...|--all> [--cache-dir D] [--base-url URL] [--json]',
  options: {
    all: { type: 'boolean', description: 'every HSEmotion model (those shipped as .h5/.pt are listed with their conversion route)' },
    'cache-dir': { type: 'string', description: 'model cache (default: $AFFECTBENCH_MODELS, else $XDG_CACHE_HOME/affectbench/models, else ~/.cache/affectbench/models)' },
    'base-url': { type: 'string', description: 'mirror holding the files as <base-url>/<id>.onnx (default: $AFFECTBENCH_MODEL_BASE_URL, else the official URLs)' },
    force: { type: 'boolean', description: 'download even when a file that passes the checks is present' },
  },
  async run(args, io) {
    if (args.options.all && args.positionals.length > 0) throw new UserError('give model ids or --all, not both');
    const ids = args.options.all ? [...HSEMOTION_IDS] : args.positionals;
    if (ids.length === 0) throw new UserError('models fetch needs model ids or --all', { hint: `known models: ${HSEMOTION_IDS.join(', ')}` });
    const records = ids.map(getModel);
    const opts = {
      cacheDir: args.options['cache-dir'] as string | undefined,
      baseUrl: args.options['base-url'] as string | undefined,
      force: Boolean(args.options.force),
    };
    const rows: Row[] = [];
    for (const r of records) rows.push(await fetchOne(r, opts, Boolean(args.options.all)));
    emit(io, rows, () => human(rows));
    return rows.some((r) => r.status === 'failed') ? 1 : 0;
  },
};

async function fetchOne(record: ModelRecord, opts: { cacheDir?: string; baseUrl?: string; force: boolean }, all: boolean): Promise<Row> {
  const path = modelPath(record, opts);
  // With --all the two models the owners ship only as .h5/.pt are expected, not errors: they get their route instead.
  if (all && record.source.format !== 'onnx') return { id: record.id, status: 'needs-conversion', path, hint: obtainHint(record, path) };
  try {
    const f = await fetchModel(record, opts);
    return { id: f.id, status: f.status, path: f.path, url: f.url, bytes: f.checksums.bytes, sha256: f.checksums.sha256, gitBlobSha1: f.checksums.gitBlobSha1, checked: f.checked };
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    return { id: record.id, status: 'failed', path, error: err.message, ...(err.hint ? { hint: err.hint } : {}) };
  }
}

function human(rows: Row[]): string {
  const lines = [table(rows.map((r) => [r.id, r.status, 'bytes' in r ? String(r.bytes) : '–', 'checked' in r ? r.checked.join('+') || 'none known' : '–', r.path]), ['id', 'status', 'bytes', 'checked', 'path'])];
  for (const r of rows) {
    if (r.status === 'failed') lines.push('', r.error, ...(r.hint ? [`  hint: ${r.hint}`] : []));
    if (r.status === 'needs-conversion') lines.push('', `${r.id}: ${r.hint}`);
  }
  return lines.join('\n');
}
