import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BadFileError, humanPackageDir, UserError } from '@affectbench/core';
import { expandEnv, loadJobConfig } from '../src/job/config.ts';
import { runCli } from './helpers/run-cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'affectbench-run-'));
const writeConfig = (name: string, value: unknown) => {
  const path = join(tmp, name);
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
  return path;
};

test('the shipped default config is valid', () => {
  const cfg = loadJobConfig(new URL('../../../affectbench.config.json', import.meta.url).pathname);
  assert.ok(cfg.models.includes('enet_b2_8_best') && cfg.models.includes('human-emotion'));
  assert.ok(cfg.bench.backends.includes('node-cpu'));
  assert.ok(cfg.datasets.length > 0);
});

test('a bad config names the file and the field', () => {
  const cases: [unknown, RegExp][] = [
    ['{not json', /not valid JSON/],
    [{ models: ['enet_b9'] }, /models: unknown model "enet_b9"/],
    [{ bench: { backends: ['node-tpu'] } }, /bench\.backends: unknown backend "node-tpu"/],
    [{ bench: { batch: [0] } }, /bench\.batch/],
    [{ datasets: [{ dataset: 'no-colon', models: ['mobilenet_7'] }] }, /datasets: "no-colon" must look like KIND:PATH/],
  ];
  for (const [i, [value, message]] of cases.entries()) {
    const path = writeConfig(`bad-${i}.json`, value);
    assert.throws(() => loadJobConfig(path), (e: unknown) => e instanceof BadFileError && e.message.startsWith(path) && message.test(e.message));
  }
});

// biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${VAR} syntax, not a template
test('${VAR} and ${VAR:-default} expand in dataset paths; an unset variable without default is a clear error', () => {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax
  assert.equal(expandEnv('affectnet:${D}/x', { D: '/data' }), 'affectnet:/data/x');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax
  assert.equal(expandEnv('afew:${D:-data/AFEW}', {}), 'afew:data/AFEW');
  // biome-ignore lint/suspicious/noTemplateCurlyInString: config syntax
  assert.throws(() => expandEnv('vgaf:${VGAF}', {}), (e: unknown) => e instanceof UserError && /\$\{VGAF\}/.test(e.message));
});

test('affectbench run: real models on a real photo, a bench with the calibration row, absent datasets named, a report', async () => {
  const out = join(tmp, 'results');
  const config = writeConfig('job.json', {
    models: ['human-emotion'],
    bench: { backends: ['node-cpu', 'node-cuda'], batch: [1], iterations: 3, warmup: 1 },
    datasets: [{ dataset: `affectnet:${join(tmp, 'no-such-affectnet')}`, models: ['enet_b2_8'] }],
    demo: { images: [join(humanPackageDir(), 'assets', 'samples.jpg')], detector: 'blazeface', model: 'human-emotion' },
    out,
  });
  const r = await runCli(['run', '--config', config, '--json']);
  assert.equal(r.code, 0, r.err);
  const summary = JSON.parse(r.out);
  assert.ok(summary.demo.faces >= 10, `faces found in samples.jpg: ${summary.demo.faces}`);
  const demo = JSON.parse(readFileSync(summary.demo.path, 'utf8'));
  assert.equal(demo.model.weights, 'real');
  for (const face of demo.images[0].faces) assert.ok(face.probability > 0 && face.probability <= 1);
  const bench = JSON.parse(readFileSync(summary.bench[0].path, 'utf8'));
  const ids = bench.rows.filter((row: { available: boolean }) => row.available).map((row: { model: { id: string } }) => row.model.id);
  assert.deepEqual(ids, ['calibration', 'human-emotion']);
  assert.deepEqual(summary.bench[0].unavailable.map((u: { backend: string }) => u.backend), ['node-cuda']);
  assert.equal(summary.absentDatasets.length, 1);
  assert.match(summary.absentDatasets[0].verify, /^affectbench datasets verify --dataset affectnet:/);
  for (const f of ['README.md', 'index.html', 'history.jsonl']) assert.ok(existsSync(join(out, f)), f);
  assert.match(readFileSync(join(out, 'README.md'), 'utf8'), /## HSEmotion table/);
});

test('a missing config is a clear error', async () => {
  const r = await runCli(['run', '--config', join(tmp, 'nope.json')]);
  assert.equal(r.code, 2);
  assert.match(r.err, /no config at .*nope\.json/);
});
