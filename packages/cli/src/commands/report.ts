import { BACKEND_NAMES, type BackendName, UserError } from '@affectbench/core';
import { type LatencyStat, writeReport } from '@affectbench/report';
import { type Command, emit } from '../command.ts';

const STATS: readonly LatencyStat[] = ['p50', 'p90', 'p99', 'mean'];

export const report: Command = {
  path: ['report'],
  summary: 'write the HSEmotion table, backend table, charts, README.md and index.html from the result files',
  usage: '[--results DIR] [--out DIR] [--json]',
  options: {
    results: { type: 'string', description: 'folder of result files (read recursively; its baseline/ is skipped)', default: 'results' },
    out: { type: 'string', description: 'where README.md, index.html and charts/ go (default: the results folder)' },
    history: { type: 'string', description: 'history file for the trend chart (default: <results>/history.jsonl)' },
    'latency-backend': { type: 'string', description: 'backend of the latency column of the paper table', default: 'node-cpu' },
    'latency-batch': { type: 'number', description: 'batch size of the latency column', default: 1 },
    'latency-stat': { type: 'string', description: 'statistic of the latency column (p50, p90, p99, mean)', default: 'p50' },
  },
  async run(args, io) {
    const o = args.options;
    const backend = o['latency-backend'] as BackendName;
    if (!BACKEND_NAMES.includes(backend)) throw new UserError(`--latency-backend: unknown backend "${backend}"`, { hint: `one of ${BACKEND_NAMES.join(', ')}` });
    const stat = o['latency-stat'] as LatencyStat;
    if (!STATS.includes(stat)) throw new UserError(`--latency-stat must be one of ${STATS.join(', ')} (got "${stat}")`);
    const batch = o['latency-batch'] as number;
    if (!Number.isInteger(batch) || batch < 1) throw new UserError(`--latency-batch must be a positive integer (got ${batch})`);
    const d = await writeReport({
      results: o.results as string,
      out: o.out as string | undefined,
      history: o.history as string | undefined,
      latency: { backend, batch, stat },
    });
    emit(io, d, () =>
      [
        `read ${d.files.eval} eval and ${d.files.bench} bench result file(s)${d.files.skipped.length ? `, skipped ${d.files.skipped.length} other JSON file(s)` : ''}`,
        `wrote ${d.outputs.readme}`,
        `wrote ${d.outputs.html}`,
        ...d.charts.map((c) => `wrote ${c.svg} (+ .png, .vl.json)`),
        ...d.chartsSkipped.map((s) => `chart ${s.name} not drawn: ${s.reason}`),
      ].join('\n'),
    );
    return 0;
  },
};
