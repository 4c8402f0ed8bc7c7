import { readPredictionsFile, scorePredictions } from '@affectbench/eval';
import { UserError } from '@affectbench/core';
import { type Command, emit, table } from '../command.ts';

const pct = (v: number) => (v * 100).toFixed(2);
const ci = (c: [number, number] | undefined) => (c ? `  [${pct(c[0])}, ${pct(c[1])}]` : '');

export const score: Command = {
  path: ['score'],
  summary: 'recompute metrics (accuracy, macro-F1, UAR, CCC, 95% CIs) from a predictions JSONL file',
  usage: '--predictions FILE.jsonl [--classes N] [--bootstrap N] [--seed S] [--json]',
  options: {
    predictions: { type: 'string', description: 'per-sample predictions, one JSON object per line ({"id","label","scores"|"pred"})' },
    classes: { type: 'number', description: 'number of classes (default: length of "scores", else largest label/prediction + 1)' },
    bootstrap: { type: 'number', description: 'bootstrap resamples for the 95% intervals; 0 = none', default: 1000 },
    seed: { type: 'number', description: 'seed of the bootstrap resampling', default: 0 },
  },
  async run(args, io) {
    const file = args.options.predictions ?? args.positionals[0];
    if (typeof file !== 'string') throw new UserError('--predictions FILE.jsonl is required', { hint: 'affectbench score --predictions results/preds.jsonl' });
    const classes = args.options.classes as number | undefined;
    if (classes !== undefined && (!Number.isInteger(classes) || classes < 1)) throw new UserError(`--classes must be a positive integer (got ${classes})`);
    const bootstrap = args.options.bootstrap as number;
    if (!Number.isInteger(bootstrap) || bootstrap < 0) throw new UserError(`--bootstrap must be a non-negative integer (got ${bootstrap})`);
    const seed = args.options.seed as number;
    if (!Number.isInteger(seed)) throw new UserError(`--seed must be an integer (got ${seed})`);
    const records = await readPredictionsFile(file, { numClasses: classes });
    const m = scorePredictions(records, { numClasses: classes, bootstrap, seed });
    emit(io, { file, ...m }, () => {
      const lines = [
        `${file}: ${m.n} samples, ${m.perClass.length} classes`,
        '',
        table(
          [
            ['accuracy', pct(m.accuracy), ci(m.ci95?.accuracy).trim()],
            ['macro-F1', pct(m.macroF1), ci(m.ci95?.macroF1).trim()],
            ['UAR', pct(m.uar), ci(m.ci95?.uar).trim()],
            ...(m.ccc?.valence !== undefined ? [['CCC valence', m.ccc.valence.toFixed(4), '']] : []),
            ...(m.ccc?.arousal !== undefined ? [['CCC arousal', m.ccc.arousal.toFixed(4), '']] : []),
          ],
          ['metric', 'value %', m.ci95 ? `95% CI (bootstrap ${bootstrap}, seed ${seed})` : ''],
        ),
        '',
        table(
          m.perClass.map((c) => [String(c.label), pct(c.precision), pct(c.recall), pct(c.f1), String(c.support)]),
          ['class', 'precision', 'recall', 'F1', 'support'],
        ),
        '',
        'confusion matrix (rows true, columns predicted):',
        table(
          m.confusionMatrix.map((row, i) => [String(i), ...row.map(String)]),
          ['', ...m.confusionMatrix.map((_, j) => String(j))],
        ),
      ];
      return lines.join('\n');
    });
    return 0;
  },
};
