import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantile, timeLoop } from '../src/timing.ts';

test('timeLoop takes exactly the samples asked for, after the warm-up, with ordered statistics', async () => {
  let calls = 0;
  const r = await timeLoop(async () => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, calls % 3));
  }, { iterations: 9, warmup: 4 });
  assert.equal(calls, 13);
  assert.equal(r.latencyMs.samples, 9);
  assert.equal(r.samples.length, 9);
  const s = r.latencyMs;
  assert.ok(s.min <= s.p50 && s.p50 <= s.p90 && s.p90 <= s.p99 && s.p99 <= s.max, JSON.stringify(s));
  assert.equal(s.min, Math.min(...r.samples));
  assert.equal(s.max, Math.max(...r.samples));
  assert.ok(Math.abs(s.mean - r.samples.reduce((a, b) => a + b, 0) / 9) < 1e-9);
});

test('a time budget keeps sampling until it is spent', async () => {
  const r = await timeLoop(() => new Promise((resolve) => setTimeout(resolve, 2)), { timeMs: 60, warmup: 0 });
  assert.ok(r.latencyMs.samples >= 5 && r.latencyMs.samples < 60, `samples ${r.latencyMs.samples}`);
});

test('quantile interpolates between closest ranks', () => {
  assert.equal(quantile([1, 2, 3, 4, 5], 0.5), 3);
  assert.equal(quantile([0, 10], 0.9), 9);
  assert.equal(quantile([4], 0.99), 4);
});
