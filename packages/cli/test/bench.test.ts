import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from './helpers/run-cli.ts';

test('bench --json prints the BenchResult it writes to --out, one row per backend, unavailable ones with a reason', async () => {
  const out = mkdtempSync(join(tmpdir(), 'affectbench-bench-'));
  try {
    const r = await runCli(['bench', '--models', 'enet_b0_8_best_afew', '--backends', 'node-cpu,node-cuda', '--threads', '1', '--iterations', '3', '--warmup', '1', '--out', out, '--json']);
    assert.equal(r.code, 0, r.err);
    const result = JSON.parse(r.out);
    const files = readdirSync(out);
    assert.equal(files.length, 1);
    assert.match(files[0], /^bench-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.json$/);
    assert.deepEqual(JSON.parse(readFileSync(join(out, files[0]), 'utf8')), result);
    assert.equal(result.kind, 'bench');
    assert.equal(result.schema, 1);
    type Row = { backend: string; model: { id: string } };
    // The calibration model is timed first in every run: the regression gate divides latencies by it.
    assert.deepEqual(result.rows.map((row: Row) => `${row.model.id} ${row.backend}`), [
      'calibration node-cpu',
      'calibration node-cuda',
      'enet_b0_8_best_afew node-cpu',
      'enet_b0_8_best_afew node-cuda',
    ]);
    const [cpu, cuda] = result.rows.slice(2);
    assert.equal(cpu.available, true);
    assert.equal(cpu.threads, 1);
    assert.equal(cpu.batch, 1);
    assert.equal(cpu.model.id, 'enet_b0_8_best_afew');
    assert.match(cpu.model.sha256, /^[0-9a-f]{64}$/);
    assert.ok(['synthetic', 'real'].includes(cpu.model.weights));
    for (const k of ['mean', 'p50', 'p90', 'p99', 'min', 'max', 'sd', 'rme']) assert.equal(typeof cpu.latencyMs[k], 'number', k);
    assert.equal(cpu.latencyMs.samples, 3);
    assert.equal(cpu.samplesMs.length, 3);
    assert.ok(cpu.sessionCreateMs > 0 && cpu.firstRunMs > 0 && cpu.throughput > 0);
    assert.match(cpu.details.input, /samples\.jpg/);
    if (!cuda.available) assert.ok(cuda.reason.length > 0);
    const p = result.provenance;
    assert.ok(p.host.cpu && p.host.cores > 0 && p.versions['onnxruntime-node'] && p.date);
    assert.deepEqual(p.command.slice(0, 2), ['affectbench', 'bench']);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('bench rejects contradictory or malformed options before running anything', async () => {
  const both = await runCli(['bench', '--iterations', '3', '--time', '100']);
  assert.equal(both.code, 2);
  assert.match(both.err, /--iterations or --time, not both/);
  const backend = await runCli(['bench', '--backends', 'node-tpu']);
  assert.match(backend.err, /unknown backend "node-tpu"/);
  const batch = await runCli(['bench', '--batch', '0']);
  assert.match(batch.err, /--batch takes positive integers/);
  const model = await runCli(['bench', '--models', 'nope', '--json']);
  assert.match(JSON.parse(model.out).error, /unknown model "nope"/);
});
