import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { getBackend } from '@affectbench/core';
import { DEFAULT_CHROMIUM, type BrowserSession, BrowserBackend } from '../src/index.ts';
import { maxAbsDiff, pidAlive, tinyInput, tinyModel } from './helpers.ts';

const noChromium = existsSync(DEFAULT_CHROMIUM) ? false : `no Chromium at ${DEFAULT_CHROMIUM} (apt-get install chromium)`;

test('browser-wasm matches node-cpu to 1e-4, runs cross-origin isolated, and leaves no Chromium behind', { skip: noChromium }, async () => {
  const model = tinyModel();
  const feeds = tinyInput(2);
  const cpu = await getBackend('node-cpu').createSession(model, { threads: 1 });
  const want = (await cpu.run(feeds)).output;
  await cpu.release();

  const s = (await getBackend('browser-wasm').createSession(model, { threads: 2 })) as BrowserSession;
  const pid = (s as unknown as { host: { chromium: { pid: number } } }).host.chromium.pid;
  try {
    assert.equal(s.details.crossOriginIsolated, true);
    assert.equal(s.details.threads, 2);
    assert.match(String(s.details.browser), /Chrom/);
    const got = (await s.run(feeds)).output;
    assert.deepEqual(got.dims, [2, 3]);
    assert.ok(maxAbsDiff(got.data, want.data) < 1e-4, `max diff ${maxAbsDiff(got.data, want.data)}`);
    assert.ok(pidAlive(pid));
  } finally {
    await s.release();
  }
  assert.equal(pidAlive(pid), false, `Chromium ${pid} still running after release()`);
});

test('browser-webgpu runs on the SwiftShader adapter and says so', { skip: noChromium }, async () => {
  const info = await getBackend('browser-webgpu').probe();
  assert.equal(info.available, true, info.reason);
  const adapter = info.details.adapter as { architecture: string; vendor: string };
  assert.equal(adapter.architecture, 'swiftshader');
  const s = await getBackend('browser-webgpu').createSession(tinyModel());
  try {
    const feeds = tinyInput(1);
    const got = (await s.run(feeds)).output;
    const cpu = await getBackend('node-cpu').createSession(tinyModel(), { threads: 1 });
    const want = (await cpu.run(feeds)).output;
    await cpu.release();
    assert.ok(maxAbsDiff(got.data, want.data) < 1e-3, `max diff ${maxAbsDiff(got.data, want.data)}`);
  } finally {
    await s.release();
  }
});

test('probe names the missing Chromium instead of failing', async () => {
  const info = await new BrowserBackend('wasm', '/nonexistent/chromium').probe();
  assert.equal(info.available, false);
  assert.match(info.reason ?? '', /no Chromium at \/nonexistent\/chromium/);
  await assert.rejects(new BrowserBackend('webgpu', '/nonexistent/chromium').createSession(tinyModel()), /no Chromium at/);
});
