import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildEvalTable, evalTableMarkdown, loadResults } from '../src/index.ts';
import { FIXTURES } from './helpers.ts';

test('every eval result is listed, synthetic ones flagged as not an accuracy', () => {
  const rows = buildEvalTable(loadResults(join(FIXTURES, 'results')));
  assert.equal(rows.length, 4);
  const synthetic = rows.filter((r) => r.weights === 'synthetic');
  assert.equal(synthetic.length, 1);
  const md = evalTableMarkdown(rows);
  assert.equal(md.split('\n').filter((l) => l.includes('**synthetic** (not an accuracy)')).length, 1);
  // Newest first within one model and dataset.
  const b0 = rows.filter((r) => r.model === 'enet_b0_8_best_afew');
  assert.ok(b0.length === 2 && b0[0].date > b0[1].date);
  for (const r of rows) assert.match(md, new RegExp(`\\| ${(r.accuracy * 100).toFixed(2)}`));
});

test('no eval results: the section says how to get some', () => {
  assert.match(evalTableMarkdown([]), /affectbench eval/);
});
