import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { getBackend, getModel, synthesizeTwin } from '@affectbench/core';
import { DEFAULT_CHROMIUM, type BrowserSession, BrowserBackend, imageInputs } from '../src/index.ts';
import { maxAbsDiff, pidAlive, processesMentioning, tinyInput, tinyModel } from './helpers.ts';

const noChromium = existsSync(DEFAULT_CHROMIUM) ? false : `no Chromium at ${DEFAULT_CHROMIUM} (apt-get install chromium)`;

test('browser-wasm matches node-cpu to 1e-4, runs cross-origin isolated, and leaves no Chromium behind', { skip: noChromium }, async () => {
  const model = tinyModel();
  const feeds = tinyInput(2);
  const cpu = await getBackend('node-cpu').createSession(model, { threads: 1 });
  const want = (await cpu.run(feeds)).output;
  await cpu.release();

  const s = (await getBackend('browser-wasm').createSession(model, { threads: 2 })) as BrowserSession;
  const { pid, profile } = (s as unknown as { host: { chromium: { pid: number; profile: string } } }).host.chromium;
  try {
    assert.equal(s.details.crossOriginIsolated, true);
    assert.equal(s.details.threads, 2);
    assert.match(String(s.details.browser), /Chrom/);
    const got = (await s.run(feeds)).output;
    assert.deepEqual(got.dims, [2, 3]);
    assert.ok(maxAbsDiff(got.data, want.data) < 1e-4, `max diff ${maxAbsDiff(got.data, want.data)}`);
    assert.ok(pidAlive(pid));
    assert.ok(processesMentioning(profile).length >= 3, 'expected the browser, zygote and renderer processes of this profile');
  } finally {
    await s.release();
  }
  assert.equal(pidAlive(pid), false, `Chromium ${pid} still running after release()`);
  // Children (zygotes, renderers, GPU process) go with the browser; give the kernel a moment to reap them.
  for (let i = 0; i < 20 && processesMentioning(profile).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(processesMentioning(profile), [], 'Chromium child processes left behind');
  assert.equal(existsSync(profile), false, 'temporary profile not removed');
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

test('browser-wasm matches node-cpu to 1e-4 on the B0 twin with a real preprocessed image', { skip: noChromium }, async () => {
  const record = getModel('enet_b0_8_best_afew');
  const bytes = synthesizeTwin(record).bytes;
  const { feeds } = imageInputs(record, 1);
  const cpu = await getBackend('node-cpu').createSession(bytes, { threads: 1 });
  const want = (await cpu.run(feeds))[record.outputs.name];
  await cpu.release();
  const s = await getBackend('browser-wasm').createSession(bytes);
  try {
    const got = (await s.run(feeds))[record.outputs.name];
    assert.deepEqual(got.dims, [1, record.outputs.size]);
    const scale = Math.max(...want.data.map(Math.abs));
    assert.ok(scale > 0, 'the twin produced all-zero logits: the comparison would prove nothing');
    assert.ok(maxAbsDiff(got.data, want.data) < 1e-4, `max diff ${maxAbsDiff(got.data, want.data)} (largest |logit| ${scale})`);
  } finally {
    await s.release();
  }
});
