import { resolve } from 'node:path';
import { type Command, emit } from '../command.ts';
import { loadJobConfig } from '../job/config.ts';
import { requireConfig, runJob } from '../job/run.ts';

export const runCommand: Command = {
  path: ['run'],
  summary: 'the main job: real models on real photos, bench on every configured backend, eval on present datasets, report',
  usage: '[--config affectbench.config.json] [--out DIR] [--json]',
  options: {
    config: { type: 'string', description: 'job configuration', default: 'affectbench.config.json' },
    out: { type: 'string', description: 'results directory (overrides the config\'s "out")' },
  },
  async run(args, io) {
    const path = resolve(args.options.config as string);
    requireConfig(path);
    const cfg = loadJobConfig(path);
    if (typeof args.options.out === 'string') cfg.out = args.options.out;
    io.err(`affectbench run: ${path}`);
    const summary = await runJob(cfg, { command: ['affectbench', 'run', ...process.argv.slice(3)], log: (l) => io.err(l) });
    emit(io, summary, () =>
      [
        `demo: ${summary.demo ? `${summary.demo.faces} faces in ${summary.demo.images} image(s) → ${summary.demo.path}` : 'none configured'}`,
        ...summary.bench.map((b) => `bench: ${b.rows} rows → ${b.path}${b.unavailable.length ? ` (unavailable: ${b.unavailable.map((u) => u.backend).join(', ')})` : ''}`),
        ...summary.eval.map((e) => `eval: ${e.model} on ${e.dataset}: accuracy ${(e.accuracy * 100).toFixed(2)}% (n=${e.n}) → ${e.path}`),
        ...summary.absentDatasets.map((d) => `absent: ${d.dataset} (verify with: ${d.verify})`),
        `report: ${summary.report.markdown}, ${summary.report.html} (${summary.report.charts} charts)`,
      ].join('\n'),
    );
    return 0;
  },
};
