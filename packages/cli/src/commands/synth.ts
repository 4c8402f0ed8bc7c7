import { HSEMOTION_IDS, getModel, UserError, writeTwins } from '@affectbench/core';
import { type Command, emit, table } from '../command.ts';

export const modelsSynth: Command = {
  path: ['models', 'synth'],
  summary: 'write architecture twins (real topology, synthetic weights: for latency only) of registry models',
  usage: '<id...|--all> --out DIR [--seed N] [--json]',
  options: {
    all: { type: 'boolean', description: 'all eight HSEmotion models' },
    out: { type: 'string', description: 'directory to write <model>.onnx files into' },
    seed: { type: 'number', description: 'seed of the synthetic weights (same seed, same bytes)' },
  },
  async run(args, io) {
    const out = args.options.out as string | undefined;
    if (!out) throw new UserError('models synth needs --out DIR', { hint: 'e.g. affectbench models synth --all --out models/twins' });
    if (args.options.all && args.positionals.length > 0) throw new UserError('give model ids or --all, not both');
    const ids = args.options.all ? [...HSEMOTION_IDS] : args.positionals;
    if (ids.length === 0) throw new UserError('models synth needs model ids or --all', { hint: `known models: ${HSEMOTION_IDS.join(', ')}` });
    const seed = args.options.seed as number | undefined;
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) throw new UserError(`--seed must be an integer 0..4294967295 (got ${seed})`);
    for (const id of ids) getModel(id);
    const written = writeTwins(ids, out, { seed });
    const rows = written.map((w) => ({ ...w, recordParams: getModel(w.id).architecture.params, weights: 'synthetic' as const }));
    emit(io, rows, () =>
      [
        table(
          rows.map((r) => [r.id, String(r.parameterCount), String(r.recordParams), `${((r.parameterCount / r.recordParams - 1) * 100).toFixed(2)}%`, r.sha256.slice(0, 12), r.path]),
          ['id', 'params', 'real params', 'diff', 'sha256', 'path'],
        ),
        '',
        'These twins have synthetic weights: use them for latency only, never for accuracy.',
      ].join('\n'),
    );
    return 0;
  },
};
