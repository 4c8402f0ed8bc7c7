import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getModel, synthesizeTwin } from '@affectbench/core';
import { readPredictionsFile, scorePredictions } from '../src/predictions.ts';
import { getDataset } from '../src/datasets/index.ts';
import { PreparePool, evaluate, mergeResults, parseShard, prepareSample, selectSamples } from '../src/runner/index.ts';
import { makeAffectnetCsv, makeClip, tmp } from './helpers/fixtures.ts';

process.env.AFFECTBENCH_QUIET = '1';

// The B0 twin (synthetic weights, real topology), written under its registry file name so the store recognises it.
const modelDir = tmp('twin');
const modelPath = join(modelDir, getModel('enet_b0_8_best_afew').source.fileName);
writeFileSync(modelPath, synthesizeTwin(getModel('enet_b0_8_best_afew')).bytes);
const { root } = makeAffectnetCsv(2); // 16 scorable images, 2 per class
const dataset = `affectnet:${root}`;
const base = { model: modelPath, dataset, batch: 4, workers: 1, threads: 1, allowSynthetic: true, progress: false } as const;

const lines = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).sort((a, b) => (a.id < b.id ? -1 : 1));

test('shard and selection are deterministic', () => {
  assert.deepEqual(parseShard('2/3'), { index: 2, count: 3 });
  assert.throws(() => parseShard('0/3'), /--shard/);
  const s = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, label: 0 }));
  assert.deepEqual(selectSamples(s, 4, { index: 2, count: 2 }).map((x) => x.id), ['b', 'd']);
});

test('worker threads run the TypeScript preprocessing (tsx bootstrap) and match the in-thread result bit for bit', async () => {
  const ds = await getDataset('affectnet').open(root);
  const record = getModel('enet_b0_8_best_afew');
  const pool = new PreparePool(record, {}, 2);
  try {
    const inWorkers = await Promise.all(ds.samples.slice(0, 3).map((s) => pool.prepare(s)));
    for (const [i, w] of inWorkers.entries()) {
      const local = await prepareSample(ds.samples[i], record);
      assert.equal(w.id, ds.samples[i].id);
      assert.deepEqual(w.data, local.data);
    }
    await assert.rejects(pool.prepare({ id: 'x', imagePath: join(root, 'nope.jpg'), label: 0 }), /nope\.jpg/);
  } finally {
    await pool.close();
  }
});

test('synthetic-weight models are refused without --allow-synthetic', async () => {
  await assert.rejects(evaluate({ ...base, allowSynthetic: false, outDir: tmp('out') }), /synthetic weights/);
});

test('B0 twin end to end on the AffectNet CSV fixture: killed midway and resumed = uninterrupted run', async () => {
  const full = await evaluate({ ...base, outDir: tmp('full') });
  const r = full.result;
  assert.equal(r.model.weights, 'synthetic');
  assert.equal(r.paper, undefined); // a twin never fills a table cell
  assert.equal(r.dataset.protocol, 'affectnet-8');
  assert.equal(r.dataset.crop, 'annotation-box');
  assert.equal(r.dataset.manifest, 'affectnet');
  assert.match(String(r.dataset.manifestSha256), /^[0-9a-f]{64}$/);
  assert.deepEqual([r.dataset.counts.total, r.dataset.counts.scored], [16, 16]);
  assert.equal(r.dataset.counts.skipped['missing file'], 1);
  assert.equal(r.metrics.n, 16);
  assert.equal(r.metrics.confusionMatrix.flat().reduce((a, b) => a + b, 0), 16);
  assert.match(r.model.sha256, /^[0-9a-f]{64}$/);
  const fullRows = lines(full.predictionsPath);
  assert.equal(fullRows.length, 16);
  for (const row of fullRows) assert.ok(Math.abs(row.scores.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5);

  const out = tmp('resume');
  const first = await evaluate({ ...base, outDir: out, stopAfter: 5 });
  assert.equal(first.complete, false);
  const partial = lines(first.predictionsPath).length;
  assert.ok(partial >= 5 && partial < 16, `partial run wrote ${partial}`);
  // A kill mid-write leaves half a line: the resumed run must repair it.
  writeFileSync(first.predictionsPath, `${readFileSync(first.predictionsPath, 'utf8')}{"id":"half`);
  const second = await evaluate({ ...base, outDir: out });
  assert.equal(second.resumed, partial);
  assert.deepEqual(lines(second.predictionsPath), fullRows);
  assert.deepEqual(second.result.metrics, r.metrics);

  // Two shards merged = the unsharded run.
  const so = tmp('shards');
  const a = await evaluate({ ...base, outDir: so, shard: { index: 1, count: 2 } });
  const b = await evaluate({ ...base, outDir: so, shard: { index: 2, count: 2 } });
  assert.equal(a.result.dataset.counts.total + b.result.dataset.counts.total, 16);
  const merged = await mergeResults([b.resultPath, a.predictionsPath], join(so, 'merged.json'));
  assert.deepEqual(merged.result.metrics, r.metrics);
  assert.deepEqual(merged.result.dataset.counts, r.dataset.counts);
  assert.deepEqual(lines(merged.predictionsPath), fullRows);

  // The 7-class protocol scores 14 (Contempt images excluded, counted).
  const seven = await evaluate({ ...base, outDir: tmp('seven'), protocol: 'affectnet-7', workers: 0 });
  assert.equal(seven.result.metrics.n, 14);
  assert.equal(seven.result.dataset.counts.skipped['label Contempt not scored by affectnet-7'], 2);
  // The predictions file is the shared score format: `affectbench score` reads it to the same numbers.
  const rescored = scorePredictions(await readPredictionsFile(seven.predictionsPath), { numClasses: 7, bootstrap: 0 });
  assert.equal(rescored.accuracy, seven.result.metrics.accuracy);
  assert.deepEqual(rescored.confusionMatrix, seven.result.metrics.confusionMatrix);
  const nb = await evaluate({ ...base, outDir: tmp('nb'), protocol: 'affectnet-7-march2021-notebook', workers: 0 });
  assert.deepEqual((nb.result.metrics as Record<string, unknown>).notebookVariant, { loop: 16, denominator: 14, accuracy: seven.result.metrics.accuracy });
});

test('AFEW clip: frames decoded with ffmpeg, per-frame scores averaged per video', async () => {
  const afew = tmp('afew-run');
  makeClip(join(afew, 'val', 'Happy', '001.avi'), 5);
  makeClip(join(afew, 'val', 'Sad', '002.avi'), 3);
  const run = await evaluate({ ...base, dataset: `afew:${afew}`, outDir: tmp('afew-out'), detectFaces: false, workers: 1 });
  const rows = lines(run.predictionsPath);
  assert.deepEqual(rows.map((x) => [x.id, x.frames, x.hasFaces]), [['Happy/001', 5, false], ['Sad/002', 3, false]]);
  // Without face frames the paper's "videos with faces" accuracy has nothing to score; all-videos accuracy is there.
  assert.equal(run.result.dataset.protocol, 'video-mean-scores');
  assert.deepEqual((run.result.metrics as Record<string, unknown>).coverage, '0/2');
});
