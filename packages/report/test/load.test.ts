import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BadFileError } from '@affectbench/core';
import { loadResults, validateResult } from '../src/index.ts';
import { baselineEval, FIXTURES, tempDir } from './helpers.ts';

describe('loadResults', () => {
  it('reads every result file recursively and notes the JSON files that are not results', () => {
    const r = loadResults(join(FIXTURES, 'results'));
    assert.equal(r.evals.length, 4);
    assert.equal(r.benches.length, 1);
    assert.deepEqual(r.skipped.map((s) => s.file), ['affectbench.config.json']);
    assert.match(r.skipped[0].note, /not a result file/);
  });

  it('skips the folders it is told to (baseline copies)', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'baseline'));
    copyFileSync(join(FIXTURES, 'check/baseline/bench-fixture.json'), join(dir, 'baseline/bench.json'));
    copyFileSync(join(FIXTURES, 'check/baseline/eval-b2_8-an8.json'), join(dir, 'eval.json'));
    const r = loadResults(dir, { skipDirs: ['baseline'] });
    assert.equal(r.benches.length, 0);
    assert.equal(r.evals.length, 1);
  });

  it('malformed JSON is a BadFileError naming the file', () => {
    const dir = tempDir();
    copyFileSync(join(FIXTURES, 'bad/truncated.json'), join(dir, 'truncated.json'));
    assert.throws(
      () => loadResults(dir),
      (e: unknown) => e instanceof BadFileError && e.file.endsWith('truncated.json') && /not valid JSON/.test(e.message) && e.exitCode === 2,
    );
  });

  it('a schema failure names the file and the field', () => {
    const file = join(FIXTURES, 'bad/bench-p50-string.json');
    assert.throws(
      () => loadResults(file),
      (e: unknown) => e instanceof BadFileError && e.message === `${file}: rows[2].latencyMs.p50: expected a finite number, got "12 ms"`,
    );
  });

  it('checks fields of eval results: weights kind, fractions, paper column', () => {
    const bad = (mutate: (e: ReturnType<typeof baselineEval>) => void) => {
      const e = baselineEval();
      mutate(e);
      return () => validateResult('x.json', e);
    };
    assert.throws(bad((e) => ((e.model as { weights: string }).weights = 'twin')), /x\.json: model\.weights: expected one of real, synthetic, got "twin"/);
    assert.throws(bad((e) => (e.metrics.accuracy = 63.5)), /metrics\.accuracy: expected a fraction in \[0,1\], got 63\.5/);
    assert.throws(bad((e) => ((e.paper as { column: string }).column = 'affectnet9')), /paper\.column: expected one of/);
    assert.throws(bad((e) => ((e as { schema: number }).schema = 2)), /schema: unsupported schema version 2/);
    assert.throws(bad((e) => ((e.provenance as { date: string }).date = 'yesterday')), /provenance\.date: not an ISO 8601 date/);
    assert.doesNotThrow(bad(() => {}));
  });

  it('a missing path is a clear error', () => {
    assert.throws(() => loadResults('/nonexistent/results'), /\/nonexistent\/results: no such file or directory/);
  });
});
