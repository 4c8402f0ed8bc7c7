import type { EvalResult } from '@affectbench/core';
import type { Loaded, LoadedResults } from './load.ts';

/** Every eval result, whether or not it fills a cell of the HSEmotion table (other models, other datasets). */
export interface EvalRow {
  model: string;
  weights: EvalResult['model']['weights'];
  dataset: string;
  split: string;
  protocol: string;
  scored: number;
  total: number;
  accuracy: number;
  accuracyCi?: [number, number];
  macroF1: number;
  uar: number;
  backend: string;
  date: string;
  file: string;
}

export function buildEvalTable(results: LoadedResults): EvalRow[] {
  return results.evals
    .map(({ file, result: r }: Loaded<EvalResult>) => ({
      model: r.model.id ?? r.model.file ?? r.model.sha256.slice(0, 12),
      weights: r.model.weights,
      dataset: r.dataset.manifest ?? r.dataset.kind,
      split: r.dataset.split,
      protocol: r.dataset.protocol,
      scored: r.dataset.counts.scored,
      total: r.dataset.counts.total,
      accuracy: r.metrics.accuracy,
      accuracyCi: r.metrics.ci95?.accuracy,
      macroF1: r.metrics.macroF1,
      uar: r.metrics.uar,
      backend: r.backend.name,
      date: r.provenance.date,
      file,
    }))
    .sort((a, b) => a.model.localeCompare(b.model) || a.dataset.localeCompare(b.dataset) || b.date.localeCompare(a.date));
}

const pct = (v: number) => (v * 100).toFixed(2);

export function evalTableMarkdown(rows: readonly EvalRow[]): string {
  if (rows.length === 0) return '_No eval results yet: `affectbench eval` or the datasets of `affectbench run`._';
  const lines = [
    '| Model | Weights | Dataset | Split | Protocol | Scored / total | Accuracy % [95% CI] | Macro-F1 % | UAR % | Backend | Date |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) =>
      [
        r.model,
        r.weights === 'synthetic' ? '**synthetic** (not an accuracy)' : r.weights,
        r.dataset,
        r.split,
        r.protocol,
        `${r.scored} / ${r.total}`,
        `${pct(r.accuracy)}${r.accuracyCi ? ` [${pct(r.accuracyCi[0])}, ${pct(r.accuracyCi[1])}]` : ''}`,
        pct(r.macroF1),
        pct(r.uar),
        r.backend,
        r.date.slice(0, 10),
      ].join(' | '),
    ).map((l) => `| ${l} |`),
  ];
  return `${lines.join('\n')}\n\nAll eval results, including models and datasets outside the HSEmotion table. Samples not scored are listed with their reasons in each result file.`;
}
