import { UserError } from '@affectbench/core';

/**
 * Canonical class names are the HSEmotion names (Anger, Contempt, Disgust, Fear, Happiness, Neutral, Sadness, Surprise)
 * plus VGAF's group classes. Datasets and models spell them differently; this table is the one place that knows how.
 */
const ALIASES: Record<string, string> = {
  anger: 'Anger', angry: 'Anger', angrer: 'Anger', an: 'Anger',
  contempt: 'Contempt',
  disgust: 'Disgust', disgusted: 'Disgust', di: 'Disgust',
  fear: 'Fear', fearful: 'Fear', afraid: 'Fear', fe: 'Fear',
  happiness: 'Happiness', happy: 'Happiness', joy: 'Happiness', ha: 'Happiness',
  neutral: 'Neutral', ne: 'Neutral',
  sadness: 'Sadness', sad: 'Sadness', sa: 'Sadness',
  surprise: 'Surprise', surprised: 'Surprise', su: 'Surprise',
  positive: 'Positive', negative: 'Negative',
};

/** Canonical name for a class spelling, or undefined when unknown. */
export function canonicalClass(name: string): string | undefined {
  return ALIASES[name.trim().toLowerCase()];
}

/**
 * Output columns of a model for each protocol class, matched by canonical name.
 * Throws a UserError naming the missing classes (e.g. a 7-class model under 'affectnet-8').
 */
export function columnsFor(modelClasses: readonly string[], protocolClasses: readonly string[], context: string): number[] {
  const canon = modelClasses.map((c) => canonicalClass(c) ?? c);
  const missing: string[] = [];
  const cols = protocolClasses.map((c) => {
    const i = canon.indexOf(c);
    if (i < 0) missing.push(c);
    return i;
  });
  if (missing.length) {
    throw new UserError(`${context}: the model has no output for ${missing.join(', ')} (its classes: ${modelClasses.join(', ')})`, {
      hint: 'choose a protocol whose classes the model predicts (see `affectbench datasets list`)',
    });
  }
  return cols;
}

export function newSkipReport(): import('./types.ts').SkipReport {
  return { counts: {}, examples: {} };
}

/** Count one skipped item; keeps the first 5 examples per reason. */
export function skip(report: import('./types.ts').SkipReport, reason: string, example: string): void {
  report.counts[reason] = (report.counts[reason] ?? 0) + 1;
  report.examples[reason] ??= [];
  const ex = report.examples[reason];
  if (ex.length < 5) ex.push(example);
}
