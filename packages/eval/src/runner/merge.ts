import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BadFileError, type EvalResult, UserError, getModel, readJsonFile, writeFileAtomic, writeJsonAtomic } from '@affectbench/core';
import { getDataset } from '../datasets/index.ts';
import { buildResult } from './evaluate.ts';
import { type PredictionRow, readRows } from './predictions-file.ts';

function resultFileFor(input: string): string {
  if (input.endsWith('.predictions.jsonl')) {
    const r = `${input.slice(0, -'.predictions.jsonl'.length)}.json`;
    if (!existsSync(r)) throw new BadFileError(input, `no result file beside it (${r}); merge needs the shard result files`);
    return r;
  }
  return input;
}

/**
 * Combines shard runs (result files, or their predictions files) into one result, scored exactly as an unsharded
 * run: rows are pooled, sorted by id and scored with the same code. Shards must agree on model, data and protocol.
 */
export async function mergeResults(inputs: readonly string[], out: string, command: readonly string[] = process.argv.slice(2)): Promise<{ result: EvalResult; resultPath: string; predictionsPath: string }> {
  if (inputs.length === 0) throw new UserError('merge needs at least one result or predictions file');
  const files = [...new Set(inputs.map((i) => resolve(resultFileFor(i))))];
  const results = files.map((f) => ({ file: f, r: readJsonFile<EvalResult>(f) }));
  const first = results[0].r;
  const key = (r: EvalResult) => JSON.stringify([r.kind, r.model.sha256, r.dataset.kind, r.dataset.path, r.dataset.split, r.dataset.protocol, r.preprocessing.resize]);
  for (const { file, r } of results) {
    if (r.kind !== 'eval') throw new BadFileError(file, 'is not an eval result');
    if (key(r) !== key(first)) throw new BadFileError(file, `does not match ${files[0]} (model, dataset, split, protocol and resize must agree)`);
  }
  const byId = new Map<string, PredictionRow>();
  for (const { file, r } of results) {
    for (const row of await readRows(join(dirname(file), r.predictions))) if (!byId.has(row.id)) byId.set(row.id, row);
  }
  const rows = [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const record = getModel(first.model.id ?? '');
  const adapter = getDataset(first.dataset.kind);
  const spec = adapter.protocols.find((p) => p.name === first.dataset.protocol);
  if (!spec) throw new BadFileError(files[0], `unknown protocol ${first.dataset.protocol} for ${first.dataset.kind}`);
  const m = first.metrics as Record<string, unknown>;
  const protocol = { ...spec, classes: (m.protocolClasses as string[]) ?? spec.classes };
  const unreadable: Record<string, number> = {};
  for (const { r } of results) for (const [k, v] of Object.entries((r.metrics as Record<string, unknown>).unreadable ?? {})) unreadable[k] = (unreadable[k] ?? 0) + (v as number);
  const outside: Record<string, number> = {};
  for (const { r } of results) for (const [k, v] of Object.entries((r.metrics as Record<string, unknown>).outside ?? {})) outside[k] = (outside[k] ?? 0) + (v as number);
  const resultPath = out.endsWith('.json') ? out : join(out, 'merged.json');
  const predictionsPath = resultPath.replace(/\.json$/, '.predictions.jsonl');
  writeFileAtomic(predictionsPath, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  const result = buildResult({
    opts: { command },
    record,
    resolved: { path: first.model.file ?? '', sha256: first.model.sha256, bytes: first.model.bytes, weights: first.model.weights },
    ds: {
      kind: first.dataset.kind,
      root: first.dataset.path,
      split: first.dataset.split,
      layout: String(first.preprocessing.layout ?? ''),
      crop: first.dataset.crop ?? '',
      skipped: { counts: (m.datasetSkipped as Record<string, number>) ?? {}, examples: (m.skippedExamples as Record<string, string[]>) ?? {} },
    },
    protocol,
    resize: first.preprocessing.resize,
    rows,
    samplesTotal: results.reduce((n, { r }) => n + r.dataset.counts.total, 0),
    unreadable,
    outside,
    backendName: first.backend.name,
    details: first.backend.details,
    resultPath,
    predictionsPath,
  });
  writeJsonAtomic(resultPath, result);
  return { result, resultPath, predictionsPath };
}
