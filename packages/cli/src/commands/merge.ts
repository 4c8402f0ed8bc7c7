import { UserError } from '@affectbench/core';
import { mergeResults } from '@affectbench/eval';
import { type Command, emit } from '../command.ts';

export const mergeCommand: Command = {
  path: ['merge'],
  summary: 'combine the shards of an eval (result or predictions files) into one result, scored like an unsharded run',
  usage: '<result.json|predictions.jsonl …> --out FILE.json [--json]',
  options: {
    out: { type: 'string', description: 'merged result file (its predictions go beside it)' },
  },
  async run(args, io) {
    if (args.positionals.length === 0) throw new UserError('give the shard result (or predictions) files to merge');
    if (typeof args.options.out !== 'string') throw new UserError('--out FILE.json is required');
    const { result, resultPath, predictionsPath } = await mergeResults(args.positionals, args.options.out, ['merge', ...process.argv.slice(3)]);
    emit(io, { resultPath, predictionsPath, result }, () =>
      [
        `merged ${args.positionals.length} files: ${result.dataset.counts.scored} scored of ${result.dataset.counts.total}`,
        `accuracy ${(result.metrics.accuracy * 100).toFixed(2)}%  macro-F1 ${(result.metrics.macroF1 * 100).toFixed(2)}%`,
        `result: ${resultPath}`,
      ].join('\n'),
    );
    return 0;
  },
};
