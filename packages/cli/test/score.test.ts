import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli } from './helpers/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'affectbench-score-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, lines: unknown[] | string) => {
  const p = join(dir, name);
  writeFileSync(p, typeof lines === 'string' ? lines : `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return p;
};

const good = write('good.jsonl', [
  { id: 'a', label: 0, scores: [0.9, 0.05, 0.05], valence: 0.1, valenceTrue: 0.2, arousal: 0.2, arousalTrue: 0.3 },
  { id: 'b', label: 1, scores: [0.2, 0.7, 0.1], valence: -0.3, valenceTrue: -0.5, arousal: 0.1, arousalTrue: 0.0 },
  { id: 'c', label: 2, scores: [0.1, 0.6, 0.3], valence: 0.4, valenceTrue: 0.3, arousal: -0.2, arousalTrue: -0.1 },
  { id: 'd', label: 2, pred: 2 },
]);

test('score --json prints one object with the metrics, per-class rows, CCC and seeded CIs', async () => {
  const r = await runCli(['score', '--predictions', good, '--json', '--bootstrap', '300', '--seed', '5']);
  assert.equal(r.code, 0, r.err);
  const m = JSON.parse(r.out);
  assert.equal(m.n, 4);
  assert.equal(m.accuracy, 0.75);
  assert.equal(m.uar, (1 + 1 + 0.5) / 3);
  assert.ok(Math.abs(m.macroF1 - (1 + 2 / 3 + 2 / 3) / 3) < 1e-12);
  assert.deepEqual(m.confusionMatrix, [[1, 0, 0], [0, 1, 0], [0, 1, 1]]);
  assert.deepEqual(m.perClass[1], { label: 1, precision: 0.5, recall: 1, f1: 2 / 3, support: 1 });
  assert.equal(typeof m.ccc.valence, 'number');
  assert.equal(typeof m.ccc.arousal, 'number');
  for (const k of ['accuracy', 'macroF1', 'uar']) {
    assert.equal(m.ci95[k].length, 2);
    assert.ok(m.ci95[k][0] <= m[k] && m[k] <= m.ci95[k][1], k);
  }
  const again = await runCli(['score', '--predictions', good, '--json', '--bootstrap', '300', '--seed', '5']);
  assert.deepEqual(JSON.parse(again.out).ci95, m.ci95, 'same seed, same intervals');
  const none = JSON.parse((await runCli(['score', '--predictions', good, '--json', '--bootstrap', '0'])).out);
  assert.equal(none.ci95, undefined);
});

test('score prints a readable table', async () => {
  const r = await runCli(['score', '--predictions', good, '--bootstrap', '50']);
  assert.equal(r.code, 0);
  assert.match(r.out, /4 samples, 3 classes/);
  assert.match(r.out, /accuracy\s+75\.00\s+\[/);
  assert.match(r.out, /CCC valence/);
  assert.match(r.out, /class\s+precision\s+recall\s+F1\s+support/);
  assert.match(r.out, /rows true, columns predicted/);
});

test('score: bad input is a clear error with exit code 2, never a stack trace', async () => {
  const missing = await runCli(['score']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /--predictions FILE\.jsonl is required/);
  const nofile = await runCli(['score', '--predictions', join(dir, 'nope.jsonl')]);
  assert.equal(nofile.code, 2);
  assert.match(nofile.err, /nope\.jsonl: no such file/);
  const bad = write('bad.jsonl', '{"id":"a","label":0,"pred":0}\n{"id":"b","pred":1}\n');
  const r = await runCli(['score', '--predictions', bad, '--json']);
  assert.equal(r.code, 2);
  assert.match(JSON.parse(r.out).error, /bad\.jsonl:2: missing "label"/);
  const range = await runCli(['score', '--predictions', good, '--classes', '2']);
  assert.equal(range.code, 2);
  assert.match(range.err, /good\.jsonl:1: "scores" has 3 values, expected 2/);
  const neg = await runCli(['score', '--predictions', good, '--bootstrap', '-1']);
  assert.equal(neg.code, 2);
  assert.match(neg.err, /--bootstrap must be a non-negative integer/);
  for (const x of [missing, nofile, r, range, neg]) assert.doesNotMatch(x.err, /at .*\.ts:\d+/);
});
