import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { type BenchRow, sha256 } from '@affectbench/core';
import { type BenchModel, DEFAULT_CHROMIUM, runBench } from '../src/index.ts';
import { tinyInput, tinyModel } from './helpers.ts';

function tiny(): BenchModel {
  const bytes = tinyModel();
  return {
    label: 'tiny',
    model: bytes,
    provenance: { id: null, file: null, sha256: sha256(bytes), bytes: bytes.length, weights: 'synthetic' },
    inputs: (batch) => ({ feeds: tinyInput(batch), source: 'tiny test pattern' }),
  };
}

function assertWellFormed(row: BenchRow, samples: number): void {
  assert.equal(row.available, true, row.reason);
  const s = row.latencyMs;
  assert.ok(s, 'latency missing');
  assert.equal(s.samples, samples);
  assert.ok(s.min > 0 && s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max, JSON.stringify(s));
  assert.ok(s.mean >= s.min && s.mean <= s.max && s.sd >= 0 && Number.isFinite(s.rme));
  assert.ok((row.sessionCreateMs ?? 0) > 0 && (row.firstRunMs ?? 0) > 0);
  assert.ok(Math.abs((row.throughput ?? 0) - (row.batch * 1000) / s.mean) < 1e-6);
  assert.ok((row.peakRssMB ?? 0) > 10, `peak RSS ${row.peakRssMB}`);
}

test('node-cpu and node-wasm rows: one per batch × threads, with well-formed statistics', async () => {
  const seen: string[] = [];
  const result = await runBench({
    models: [tiny()],
    backends: ['node-cpu', 'node-wasm'],
    batches: [1, 4],
    threads: [1],
    loop: { iterations: 7, warmup: 2 },
    command: ['test'],
    onRow: (e) => e.phase === 'end' && seen.push(`${e.backend}/${e.batch}`),
  });
  assert.equal(result.kind, 'bench');
  assert.deepEqual(result.rows.map((r) => `${r.backend}/${r.batch}/${r.threads}`), ['node-cpu/1/1', 'node-cpu/4/1', 'node-wasm/1/1', 'node-wasm/4/1']);
  assert.deepEqual(seen, ['node-cpu/1', 'node-cpu/4', 'node-wasm/1', 'node-wasm/4']);
  for (const row of result.rows) {
    assertWellFormed(row, 7);
    assert.equal(row.samplesMs?.length, 7);
    assert.equal(row.details.input, 'tiny test pattern');
  }
  const p = result.provenance;
  assert.ok(p.host.cpu && p.host.cores > 0 && p.host.memoryGiB > 0);
  assert.ok(p.versions['onnxruntime-node'] && p.versions['onnxruntime-web'] && p.versions.tinybench);
  assert.deepEqual(p.command, ['test']);
});

test('a backend that cannot run becomes a row with its reason', async () => {
  const result = await runBench({ models: [tiny()], backends: ['node-cuda'], batches: [1], threads: [], loop: { iterations: 3, warmup: 0 } });
  assert.equal(result.rows.length, 1);
  const [row] = result.rows;
  if (row.available) return void assert.ok(row.latencyMs, 'CUDA is present here: the row must carry latency');
  assert.ok(row.reason && row.reason.length > 10, row.reason);
  assert.equal(row.latencyMs, undefined);
});

test('browser-wasm rows are timed inside the page', { skip: existsSync(DEFAULT_CHROMIUM) ? false : `no Chromium at ${DEFAULT_CHROMIUM}` }, async () => {
  const result = await runBench({ models: [tiny()], backends: ['browser-wasm'], batches: [2], threads: [1], loop: { iterations: 5, warmup: 1 } });
  const [row] = result.rows;
  assertWellFormed(row, 5);
  assert.match(String(row.details.timedIn), /page/);
  assert.match(String(result.provenance.versions.chromium), /Chrom/);
});
