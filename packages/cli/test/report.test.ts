import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './helpers/run-cli.ts';

const FIX = fileURLToPath(new URL('../../report/fixtures/', import.meta.url));

describe('affectbench report', () => {
  it('writes README.md, index.html and the charts from a results folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'affectbench-report-'));
    cpSync(join(FIX, 'results'), dir, { recursive: true });
    const out = join(dir, 'site');
    const r = await runCli(['report', '--results', dir, '--out', out, '--json']);
    assert.equal(r.code, 0, r.err);
    const doc = JSON.parse(r.out);
    assert.equal(doc.files.eval, 4);
    assert.deepEqual(doc.charts.map((c: { name: string }) => c.name), ['paper-table', 'latency-by-backend', 'batch-scaling', 'speedup', 'latency-vs-accuracy']);
    assert.match(doc.chartsSkipped[0].reason, /history\.jsonl is empty or absent/);
    for (const c of doc.charts) {
      assert.ok(existsSync(c.png) && existsSync(c.svg));
      assert.equal(JSON.parse(readFileSync(c.spec, 'utf8')).$schema, 'https://vega.github.io/schema/vega-lite/v6.json');
    }
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    assert.match(readme, /## HSEmotion table/);
    assert.match(readme, /\[Speed-up relative to node-cpu.*\]\(charts\/speedup\.svg\)/);
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /<svg[^>]*class="marks"/);
  });

  it('bad options and bad folders are clear errors', async () => {
    const r = await runCli(['report', '--results', '/nonexistent/results']);
    assert.equal(r.code, 2);
    assert.match(r.err, /\/nonexistent\/results: no such file or directory/);
    const s = await runCli(['report', '--results', join(FIX, 'results'), '--latency-stat', 'p75']);
    assert.equal(s.code, 2);
    assert.match(s.err, /--latency-stat must be one of p50, p90, p99, mean/);
  });
});
