import { basename, relative, resolve, sep } from 'node:path';
import { UserError, writeFileAtomic } from '@affectbench/core';
import { checkMarkdown, checkText, compareResults, DEFAULT_TOLERANCES, loadResults, requireSome } from '@affectbench/report';
import { type Command, emit, table } from '../command.ts';

/** Exit codes: 0 = no regression, 1 = regression (or a figure gone missing), 2 = bad input. */
export const check: Command = {
  path: ['check'],
  summary: 'regression gate: compare result files against a baseline; exit 1 on a regression',
  usage: '--baseline FILE|DIR --current FILE|DIR [--tolerance-acc 0.5] [--tolerance-latency 10] [--summary FILE.md] [--json]',
  options: {
    baseline: { type: 'string', description: 'baseline result file or folder of them' },
    current: { type: 'string', description: 'current result file or folder of them' },
    'tolerance-acc': { type: 'number', description: 'allowed accuracy drop, absolute points', default: DEFAULT_TOLERANCES.accuracyPoints },
    'tolerance-latency': { type: 'number', description: 'allowed latency increase, percent (calibrated when both runs have a calibration row)', default: DEFAULT_TOLERANCES.latencyPercent },
    summary: { type: 'string', description: 'also write a Markdown summary (for a pull-request comment) to this file' },
  },
  async run(args, io) {
    const o = args.options;
    const need = (k: 'baseline' | 'current') => {
      const v = o[k];
      if (typeof v !== 'string' || !v) throw new UserError(`--${k} is required`, { hint: 'affectbench check --baseline results/baseline --current results/runs' });
      return v;
    };
    const baselinePath = need('baseline');
    const currentPath = need('current');
    const baseline = loadResults(baselinePath);
    requireSome(baseline, baselinePath);
    // `--current results --baseline results/baseline` is the usual layout: the baseline is not part of the current run.
    const inside = relative(resolve(currentPath), resolve(baselinePath));
    const nested = inside !== '' && !inside.startsWith('..') && !inside.includes(sep);
    const current = loadResults(currentPath, nested ? { skipDirs: [basename(baselinePath)] } : {});
    requireSome(current, currentPath);
    const r = compareResults(baseline, current, { accuracyPoints: o['tolerance-acc'] as number, latencyPercent: o['tolerance-latency'] as number });
    if (typeof o.summary === 'string') writeFileAtomic(o.summary, checkMarkdown(r));
    emit(io, r, () => checkText(r, (rows, header) => table(rows, header)));
    return r.ok ? 0 : 1;
  },
};
