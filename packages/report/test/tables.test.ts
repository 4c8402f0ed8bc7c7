import assert from 'node:assert/strict';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { BadFileError, HSEMOTION_IDS } from '@affectbench/core';
import {
  appendHistory,
  backendTableMarkdown,
  buildBackendTable,
  buildEnvironment,
  buildPaperTable,
  loadResults,
  type PaperTable,
  paperTableMarkdown,
  readHistory,
} from '../src/index.ts';
import { baselineBench, FIXTURES, tempDir } from './helpers.ts';

const results = () => loadResults(join(FIXTURES, 'results'));
const cell = (t: PaperTable, model: string, column: string) => {
  const row = t.rows.find((r) => r.model === model);
  assert.ok(row, model);
  const c = row.cells.find((x) => x.column === column);
  assert.ok(c, column);
  return c;
};

describe('paper table', () => {
  const t = buildPaperTable(results());

  it('has one row per HSEmotion model in registry order', () => {
    assert.deepEqual(t.rows.map((r) => r.model), [...HSEMOTION_IDS]);
  });

  it('puts paper, ours and the difference in a measured cell, taking the newest of several results', () => {
    const c = cell(t, 'enet_b0_8_best_afew', 'affectnet8');
    assert.equal(c.paper, 60.95);
    assert.equal(c.ours, 60.5);
    assert.ok(Math.abs((c.diff as number) + 0.45) < 1e-9);
    assert.equal(c.candidates, 2);
    assert.match(c.source?.file ?? '', /an8-new/);
    assert.ok(t.notes.some((n) => /enet_b0_8_best_afew AffectNet-8: 2 results; the newest/.test(n)));
  });

  it('says "not measured" and never copies the paper value into ours', () => {
    const c = cell(t, 'enet_b2_7', 'afew');
    assert.equal(c.paper, 59.63);
    assert.equal(c.ours, null);
    assert.equal(c.diff, null);
    const md = paperTableMarkdown(t);
    assert.match(md, /\| enet_b2_7 \| – \| 66\.34 \/ not measured \| 59\.63 \/ not measured \|/);
    // The paper's figure is printed as the paper printed it.
    assert.match(md, /\| enet_b2_8_best \| 63\.125 \/ not measured \|/);
    assert.match(md, /\| enet_b0_8_best_afew \| 60\.95 \/ 60\.50† \(-0\.45\) \|/);
  });

  it('keeps synthetic-weight results out of the accuracy cells and lists them apart, labelled', () => {
    // fixtures/results has a synthetic enet_b2_8 result for the AffectNet-7 column (14.2 %).
    const c = cell(t, 'enet_b2_8', 'affectnet7');
    assert.equal(c.ours, null);
    assert.equal(t.synthetic.length, 1);
    assert.equal(t.synthetic[0].model, 'enet_b2_8');
    assert.equal(t.synthetic[0].column, 'affectnet7');
    const md = paperTableMarkdown(t);
    assert.match(md, /\*\*Synthetic-weight eval results\*\* \(architecture twins/);
    assert.match(md, /\| enet_b2_8 \| 63\.03 \/ 63\.50 \(\+0\.47\) \| 66\.29 \/ not measured \|/);
    assert.doesNotMatch(md.split('**Synthetic-weight')[0], /14\.20/);
  });

  it('latency: our node-cpu batch-1 p50 with its hardware beside the phone figure, real file preferred over the twin', () => {
    const row = t.rows.find((r) => r.model === 'enet_b0_8_best_afew');
    assert.deepEqual(row?.latency.paper, { mean: 59, sd: 26 });
    assert.equal(row?.latency.ours, 12.2);
    assert.equal(row?.latency.weights, 'real');
    assert.equal(row?.latency.hardware, 'node-cpu, Fixture CPU @ 2.0GHz (2 cores), 2 threads');
    const twin = t.rows.find((r) => r.model === 'enet_b2_8');
    assert.equal(twin?.latency.ours, 28);
    assert.equal(twin?.latency.weights, 'synthetic');
    const md = paperTableMarkdown(t);
    assert.match(md, /59 ± 26 \/ 12\.2 \[1\] \|/);
    assert.match(md, /191 ± 18 \/ 28\.0 \[1\] \(twin\)/);
    assert.match(md, /\[1\] node-cpu, Fixture CPU @ 2\.0GHz \(2 cores\), 2 threads/);
    assert.match(md, /Snapdragon 888/);
  });

  it('latency column is configurable (backend, batch, statistic)', () => {
    const w = buildPaperTable(results(), { latency: { backend: 'node-wasm', stat: 'p90' } });
    const row = w.rows.find((r) => r.model === 'enet_b2_8');
    assert.equal(row?.latency.ours, 77);
    assert.match(row?.latency.hardware ?? '', /^node-wasm/);
    assert.equal(w.rows.find((r) => r.model === 'mobilenet_7')?.latency.ours, null);
  });

  it('size: MB of the file we ran against the paper MB', () => {
    const row = t.rows.find((r) => r.model === 'enet_b2_8');
    assert.equal(row?.size.paperMB, 30);
    assert.equal(row?.size.oursMB, 31.3);
    assert.ok(Math.abs((row?.size.diff as number) - 1.3) < 1e-9);
    assert.equal(t.rows.find((r) => r.model === 'enet_b2_7')?.size.oursMB, null);
  });
});

describe('backend table and environment', () => {
  const rows = buildBackendTable(results());

  it('computes the speed-up against node-cpu and keeps unavailable rows with their reason', () => {
    const wasm = rows.find((r) => r.model === 'enet_b2_8' && r.backend === 'node-wasm');
    assert.ok(Math.abs((wasm?.speedup as number) - 28 / 70) < 1e-9);
    const cuda = rows.find((r) => r.backend === 'node-cuda');
    assert.equal(cuda?.available, false);
    assert.match(backendTableMarkdown(rows), /\| node-cuda \| 1 \| {2}\| unavailable \|.*no NVIDIA driver/);
    assert.equal(rows.at(-1)?.model, 'calibration');
  });

  it('a SwiftShader WebGPU row says so', () => {
    const gpu = rows.find((r) => r.backend === 'node-webgpu');
    assert.match(gpu?.adapter ?? '', /^SwiftShader, software WebGPU on the CPU \(not a GPU figure\)/);
    assert.match(backendTableMarkdown(rows), /node-webgpu \| 1 \| – \| 900 \|.*SwiftShader/);
  });

  it('groups the environment by host, with the calibration noise', () => {
    const env = buildEnvironment(results());
    assert.equal(env.length, 1);
    assert.equal(env[0].runs, 5);
    assert.deepEqual(env[0].calibration, { p50: 2, rme: 1.5, sd: 0.1 });
  });
});

describe('history', () => {
  it('appends one line per run and reads it back', () => {
    const file = join(tempDir(), 'results', 'history.jsonl');
    const b = baselineBench();
    appendHistory(b, file);
    appendHistory({ ...b, provenance: { ...b.provenance, date: '2026-11-22T09:00:00.000Z' } }, file);
    assert.equal(appendHistory(b, file), null, 'the same run is recorded once');
    const h = readHistory(file);
    assert.equal(h.length, 2);
    assert.equal(h[0].commit, 'f1x7u7e000000000000000000000000000000000');
    assert.equal(h[0].host, 'fixture-host');
    const f = h[1].figures.find((x) => x.key === 'enet_b2_8|synthetic|node-cpu|b1|t2|p50');
    assert.equal(f?.value, 28);
    assert.equal(f?.normalised, 14);
    assert.equal(h[1].figures.some((x) => x.model === 'calibration'), false);
  });

  it('a malformed line is an error naming the file and the line; a missing file is an empty history', () => {
    const file = join(tempDir(), 'history.jsonl');
    writeFileSync(file, '{"schema":1,"date":"2026-11-20T00:00:00Z","figures":[]}\n{oops\n');
    assert.throws(() => readHistory(file), (e: unknown) => e instanceof BadFileError && /history\.jsonl: line 2: not valid JSON/.test(e.message));
    assert.deepEqual(readHistory(join(tempDir(), 'none.jsonl')), []);
  });
});
