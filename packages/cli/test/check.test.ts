import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { BenchResult, EvalResult } from '@affectbench/core';
import { runCli } from './helpers/run-cli.ts';

// Hand-written fixtures of the report package (made-up numbers, see its fixtures/README.md).
const FIX = fileURLToPath(new URL('../../report/fixtures/', import.meta.url));
const BASE = join(FIX, 'check/baseline');
const tmp = () => mkdtempSync(join(tmpdir(), 'affectbench-check-'));

/** A current set = the baseline with one change, written to a fresh folder. */
function currentWith(change: (bench: BenchResult, evalResult: EvalResult) => void): string {
  const dir = tmp();
  const bench: BenchResult = JSON.parse(readFileSync(join(BASE, 'bench-fixture.json'), 'utf8'));
  const ev: EvalResult = JSON.parse(readFileSync(join(BASE, 'eval-b2_8-an8.json'), 'utf8'));
  change(bench, ev);
  writeFileSync(join(dir, 'bench.json'), JSON.stringify(bench));
  writeFileSync(join(dir, 'eval.json'), JSON.stringify(ev));
  return dir;
}

describe('affectbench check', () => {
  it('exit 0 on a clean rerun, with the table of every compared figure', async () => {
    const r = await runCli(['check', '--baseline', BASE, '--current', currentWith(() => {})]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^Figure +Baseline +Current +Delta +Verdict +Why/);
    assert.match(r.out, /enet_b2_8 \(synthetic\) · node-cpu · batch 1 · 2 threads · p50 +28\.0 ms +28\.0 ms +0\.0% \(cal\.\) +pass/);
    assert.match(r.out, /PASS: 13 figures within tolerance/);
  });

  it('exit 1 on a regression, and writes the Markdown summary', async () => {
    const summary = join(tmp(), 'summary.md');
    const cur = currentWith((b) => {
      for (const row of b.rows) if (row.model.id === 'mobilenet_7' && row.latencyMs) row.latencyMs.p50 *= 1.3;
    });
    const r = await runCli(['check', '--baseline', BASE, '--current', cur, '--summary', summary]);
    assert.equal(r.code, 1);
    assert.match(r.out, /mobilenet_7 \(synthetic\) · node-cpu · batch 1 · 2 threads · p50 +5\.00 ms +6\.50 ms +\+30\.0% \(cal\.\) +REGRESSION/);
    assert.match(r.out, /FAIL: 1 failing figure/);
    assert.match(readFileSync(summary, 'utf8'), /❌ 1 failing figure/);
  });

  it('tolerances are options: a 30% slow-down passes a 40% tolerance', async () => {
    const cur = currentWith((b) => {
      for (const row of b.rows) if (row.model.id === 'mobilenet_7' && row.latencyMs) row.latencyMs.p50 *= 1.3;
    });
    const r = await runCli(['check', '--baseline', BASE, '--current', cur, '--tolerance-latency', '40']);
    assert.equal(r.code, 0, r.out);
  });

  it('--json prints one document with the verdicts', async () => {
    const cur = currentWith((_, e) => {
      e.metrics.accuracy = 0.62;
    });
    const r = await runCli(['check', '--baseline', BASE, '--current', cur, '--json']);
    assert.equal(r.code, 1);
    const doc = JSON.parse(r.out);
    assert.equal(doc.ok, false);
    assert.equal(doc.comparisons[0].verdict, 'regression');
    assert.equal(doc.comparisons[0].label, 'enet_b2_8 · affectnet-8 (affectnet val, pil-bilinear, node-cpu) · accuracy');
  });

  it('exit 2 naming the file when a file is missing or malformed', async () => {
    const missing = await runCli(['check', '--baseline', join(BASE, 'nope.json'), '--current', BASE]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /error: .*nope\.json: no such file or directory/);
    assert.doesNotMatch(missing.err, /\n\s+at /, 'no stack trace');

    const bad = await runCli(['check', '--baseline', BASE, '--current', join(FIX, 'bad/truncated.json')]);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /truncated\.json: not valid JSON/);

    const field = await runCli(['check', '--baseline', BASE, '--current', join(FIX, 'bad/bench-p50-string.json')]);
    assert.equal(field.code, 2);
    assert.match(field.err, /bench-p50-string\.json: rows\[2\]\.latencyMs\.p50: expected a finite number/);

    const none = await runCli(['check', '--baseline', BASE, '--current', tmp()]);
    assert.equal(none.code, 2);
    assert.match(none.err, /no result files found/);

    const noArg = await runCli(['check', '--current', BASE]);
    assert.equal(noArg.code, 2);
    assert.match(noArg.err, /--baseline is required/);
  });
});

describe('affectbench check with the baseline inside the current folder', () => {
  it('does not count the baseline as part of the current run', async () => {
    const dir = currentWith((b) => {
      for (const row of b.rows) if (row.model.id === 'mobilenet_7' && row.latencyMs) row.latencyMs.p50 *= 1.3;
    });
    cpSync(BASE, join(dir, 'baseline'), { recursive: true });
    const r = await runCli(['check', '--baseline', join(dir, 'baseline'), '--current', dir]);
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /mobilenet_7 \(synthetic\) · node-cpu · batch 1 · 2 threads · p50 +5\.00 ms +6\.50 ms/);
  });
});
