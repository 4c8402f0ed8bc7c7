import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { getModel, synthesizeTwin } from '@affectbench/core';
import { DEFAULT_C_SWEEP, embedDataset, evaluate, readEmbeddings, videoFeatures } from '../src/runner/index.ts';
import { makeAffectnetCsv, makeAfewFaceFolders, makeClip, makeJpegs, tmp } from './helpers/fixtures.ts';

process.env.AFFECTBENCH_QUIET = '1';

const model = join(tmp('twin-v'), getModel('enet_b0_8_best_afew').source.fileName);
writeFileSync(model, synthesizeTwin(getModel('enet_b0_8_best_afew')).bytes);
const base = { model, batch: 8, workers: 1, threads: 1, allowSynthetic: true, progress: false } as const;

test('embed: penultimate embedding + outputs per sample in one .f32 file with a JSON index', async () => {
  const { root } = makeAffectnetCsv(1);
  const out = join(tmp('emb'), 'an.f32');
  const { index, indexPath, dataPath } = await embedDataset({ ...base, dataset: `affectnet:${root}`, out });
  assert.equal(index.embedding.dim, 1280); // tf_efficientnet_b0 features
  assert.equal(index.rowFloats, 1288);
  assert.equal(index.rows.length, 8);
  assert.equal(statSync(dataPath).size, 8 * 1288 * 4);
  const { data } = readEmbeddings(indexPath);
  assert.ok(data.subarray(0, 1280).some((v) => v !== 0));
  writeFileSync(dataPath, new Uint8Array(10));
  assert.throws(() => readEmbeddings(indexPath), /has 10 bytes, its index says/);
});

test('afew-svm-stats: embeddings of train and val face folders, statistics pooling, LinearSVC, coverage', async () => {
  const root = makeAfewFaceFolders({
    train: { Happy: [[3, 1], [2, 0]], Sad: [[2, 1], [3, 0]] },
    val: { Happy: [[2, 0]], Sad: [[0, 2], [2, 1]] },
  });
  const ds = `afew:${root}`;
  const out = tmp('svm');
  const run = await evaluate({ ...base, dataset: ds, outDir: out, protocol: 'afew-svm-stats' });
  const r = run.result;
  const m = r.metrics as Record<string, unknown>;
  assert.equal(r.dataset.protocol, 'afew-svm-stats');
  assert.equal(m.coverage, '2/3'); // the clip with only noface frames counts in the all-videos accuracy only
  assert.equal((m.allVideos as { n: number }).n, 3);
  assert.equal(m.C, 1.1); // the C printed for this model's README cell
  // The C sweep is reported apart from the headline, one entry per C, and the headline C's entry equals the headline.
  const sweep = (m.cSweep as { grid: { C: number; accuracyFaces: number }[] }).grid;
  assert.deepEqual(sweep.map((g) => g.C), [...DEFAULT_C_SWEEP]);
  const again = await evaluate({ ...base, dataset: ds, outDir: out, protocol: 'afew-svm-stats', svmC: 1, svmSweep: [1] });
  const m1 = again.result.metrics as Record<string, unknown>;
  assert.equal((m1.cSweep as { grid: { accuracyFaces: number }[] }).grid[0].accuracyFaces, m1.accuracyFaces);
  assert.equal(sweep.find((g) => g.C === 1)?.accuracyFaces, m1.accuracyFaces);
  assert.equal(r.paper, undefined); // synthetic weights never fill a cell
  assert.equal(r.preprocessing.trainVideos, 4);
  const valIndex = readdirSync(out).filter((f) => f.endsWith('.val.embeddings.json'));
  assert.equal(valIndex.length, 1);
  const emb = readEmbeddings(join(out, valIndex[0]));
  const videos = videoFeatures(emb.index, emb.data);
  assert.deepEqual(videos.map((v) => [v.id, v.frames.length, v.frames.filter((f) => f.faces.length).length]), [['Happy/005', 2, 2], ['Sad/006', 2, 0], ['Sad/007', 3, 2]]);
});

test('vgaf face folders <video>/<frame>/<i>.jpg: embeddings keep the faces of one frame together', async () => {
  const root = tmp('vgaf-faces');
  const src = makeJpegs(join(root, '.src'), 5);
  const put = (k: number, rel: string) => {
    mkdirSync(dirname(join(root, 'Val', rel)), { recursive: true });
    copyFileSync(src[k], join(root, 'Val', rel));
  };
  put(0, 'v1/0001/0.jpg');
  put(1, 'v1/0001/1.jpg');
  put(2, 'v1/0003/0.jpg');
  put(3, 'v2/0002/0.jpg');
  put(4, 'v2/0002/1.jpg');
  writeFileSync(join(root, 'Val_labels.txt'), 'Vid_name Label\nv1 1\nv2 3\n');
  const { indexPath } = await embedDataset({ ...base, dataset: `vgaf:${root}`, out: join(tmp('vgaf-emb'), 'v.f32') });
  const { index, data } = readEmbeddings(indexPath);
  const videos = videoFeatures(index, data);
  assert.deepEqual(videos.map((v) => [v.id, v.label, v.frames.map((f) => f.faces.length)]), [['v1', 0, [2, 1]], ['v2', 2, [2]]]);
});

test('afew clips of a real face: ffmpeg frames, BlazeFace crops per frame, faces counted per video', async (t) => {
  const jaffe = join(import.meta.dirname, '../../../../shared/data/jaffe/happy');
  if (!existsSync(jaffe)) return t.skip(`JAFFE not found at ${jaffe} (shared test data is absent in a fresh clone)`);
  const face = join(jaffe, readdirSync(jaffe).sort()[0]);
  const root = tmp('afew-real');
  mkdirSync(join(root, 'val', 'Happy'), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-loop', '1', '-i', face, '-frames:v', '4', '-r', '4', '-pix_fmt', 'yuv420p', join(root, 'val', 'Happy', '001.avi')]);
  makeClip(join(root, 'val', 'Sad', '002.avi'), 3); // test pattern: no face
  const run = await evaluate({ ...base, dataset: `afew:${root}`, outDir: tmp('afew-real-out') });
  const rows = readFileSync(run.predictionsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
  assert.deepEqual([byId['Happy/001'].frames, byId['Happy/001'].faceFrames, byId['Happy/001'].hasFaces], [4, 4, true]);
  assert.deepEqual([byId['Sad/002'].frames, byId['Sad/002'].faceFrames, byId['Sad/002'].hasFaces], [3, 0, false]);
  assert.equal((run.result.metrics as Record<string, unknown>).coverage, '1/2');
});
