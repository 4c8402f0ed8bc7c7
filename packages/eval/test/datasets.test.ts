import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLASSES_7, CLASSES_8 } from '@affectbench/core';
import {
  classCounts,
  columnsFor,
  getDataset,
  listDatasets,
  listManifests,
  manifestSha256,
  parseDatasetSpec,
  readNpyScalar,
  resolveProtocol,
  verifyDataset,
} from '../src/datasets/index.ts';
import { makeAffectnetCsv, makeAffectnetMarch2021, makeClassFolders, makeClip, makeJpegs, tmp } from './helpers/fixtures.ts';

test('registry: every adapter describes itself; unknown kinds and bad specs are user errors', () => {
  const kinds = listDatasets().map((a) => a.kind);
  for (const k of ['affectnet', 'afew', 'vgaf', 'abaw-lsd', 'imagefolder', 'csv']) assert.ok(kinds.includes(k), k);
  for (const a of listDatasets()) {
    assert.ok(a.description.length > 10 && a.protocols.length > 0 && a.splits.includes(a.defaultSplit), a.kind);
  }
  assert.throws(() => getDataset('nope'), /unknown dataset kind "nope"/);
  assert.throws(() => parseDatasetSpec('affectnet'), /KIND:PATH/);
  assert.deepEqual(parseDatasetSpec('affectnet:/data/an'), { kind: 'affectnet', path: '/data/an' });
});

test('affectnet CSV layout: annotation boxes, codes 8-10 / missing files / bad rows counted, not dropped silently', async () => {
  const { root, valid } = makeAffectnetCsv(2);
  const ds = await getDataset('affectnet').open(root, { split: 'val' });
  assert.equal(ds.layout, 'csv');
  assert.equal(ds.crop, 'annotation-box');
  assert.equal(ds.samples.length, valid);
  assert.deepEqual(ds.skipped.counts, { 'code 8 (None)': 1, 'code 9 (Uncertain)': 1, 'code 10 (Non-Face)': 1, 'missing file': 1, 'bad row': 1 });
  assert.match(ds.skipped.examples['missing file'][0], /300\/missing\.jpg$/);
  const s = ds.samples.find((x) => x.id === '103/img_3_1.jpg');
  assert.ok(s);
  assert.equal(ds.classes[s.label], 'Surprise'); // code 3
  assert.deepEqual(s.box, { x: 11, y: 11, width: 73, height: 61 });
  assert.equal(s.valence, (3 - 3.5) / 4);
  const counts = classCounts(ds);
  for (const c of CLASSES_8) assert.equal(counts[c], 2, c);
  assert.deepEqual([...ds.samples.map((x) => x.id)], [...ds.samples.map((x) => x.id)].sort());
});

test('affectnet protocols map model outputs by class name (7/8-class models), defaults follow the model', () => {
  const an = getDataset('affectnet');
  assert.equal(an.defaultProtocol(CLASSES_8), 'affectnet-8');
  assert.equal(an.defaultProtocol(CLASSES_7), 'affectnet-7');
  const p7 = resolveProtocol(an, 'affectnet-7', CLASSES_8);
  assert.deepEqual(columnsFor(CLASSES_8, p7.classes, 'x'), [0, 2, 3, 4, 5, 6, 7]); // Contempt logit dropped
  assert.throws(() => columnsFor(CLASSES_7, resolveProtocol(an, 'affectnet-8', CLASSES_7).classes, 'affectnet-8'), /no output for Contempt/);
  assert.throws(() => resolveProtocol(an, 'bogus', CLASSES_8), /no protocol "bogus"/);
  const nb = resolveProtocol(an, 'affectnet-7-march2021-notebook', CLASSES_8);
  assert.equal(nb.others, 'keep-as-wrong');
  assert.equal(nb.paperColumn, undefined);
});

test('LSD picks outputs [0,2,3,4,6,7] of 8-class and [0,1,2,3,5,6] of 7-class models (protocols §4.1)', () => {
  const lsd = getDataset('abaw-lsd');
  const p = resolveProtocol(lsd, undefined, CLASSES_8);
  assert.deepEqual(columnsFor(CLASSES_8, p.classes, 'lsd'), [0, 2, 3, 4, 6, 7]);
  assert.deepEqual(columnsFor(CLASSES_7, p.classes, 'lsd'), [0, 1, 2, 3, 5, 6]);
  assert.equal(p.headline, 'macroF1');
  assert.equal(p.paperColumn, 'lsd');
});

test('affectnet March-2021 layout: .npy annotations (unicode and float scalars)', async () => {
  const root = makeAffectnetMarch2021([0, 1, 7, 9, 6]);
  const ds = await getDataset('affectnet').open(root, { split: 'val' });
  assert.equal(ds.layout, 'march2021');
  assert.equal(ds.samples.length, 4);
  assert.deepEqual(ds.skipped.counts, { 'code 9 (Uncertain)': 1 });
  const byId = Object.fromEntries(ds.samples.map((s) => [s.id, s]));
  assert.equal(ds.classes[byId['2.jpg'].label], 'Contempt');
  assert.equal(byId['4.jpg'].valence, 0.25);
  assert.equal(byId['4.jpg'].arousal, -0.5);
  assert.equal(readNpyScalar(join(root, 'val_set', 'annotations', '1_exp.npy')), 1);
});

test('affectnet pre-cropped folder layout (full_res/val/<ClassName>) and a wrong folder name', async () => {
  const root = makeClassFolders(tmp('an-folders'), 'full_res/val', ['Happiness', 'Contempt'], 2);
  const ds = await getDataset('affectnet').open(root);
  assert.equal(ds.layout, 'folder-per-class');
  assert.equal(ds.crop, 'pre-cropped:full_res');
  assert.deepEqual(classCounts(ds).Contempt, 2);
  const aligned = makeClassFolders(tmp('an-aligned'), 'full_res_aligned/seven_emotions/val', ['Fear'], 1);
  const a = await getDataset('affectnet').open(join(aligned, 'full_res_aligned'));
  assert.equal(a.crop, 'pre-cropped:aligned');
  assert.equal(a.samples.length, 1);
  makeClassFolders(root, 'full_res/val', ['Boredom'], 1);
  await assert.rejects(getDataset('affectnet').open(root), /Boredom: folder name is not an AffectNet class/);
});

test('afew: clips and pre-extracted face folders (noface frames flagged)', async () => {
  const root = tmp('afew');
  makeClip(join(root, 'val', 'Happy', '001.avi'));
  makeClip(join(root, 'val', 'Angry', '002.avi'));
  const ds = await getDataset('afew').open(root, { split: 'val' });
  assert.equal(ds.layout, 'clips');
  assert.deepEqual(ds.samples.map((s) => [s.id, ds.classes[s.label]]), [['Angry/002', 'Anger'], ['Happy/001', 'Happiness']]);
  const faces = tmp('afew-faces');
  const jpgs = makeJpegs(join(faces, '.src'), 2);
  mkdirSync(join(faces, 'val', 'Sad', '003'), { recursive: true });
  writeFileSync(join(faces, 'val', 'Sad', '003', '001.png'), '');
  writeFileSync(join(faces, 'val', 'Sad', '003', '002noface.png'), '');
  const f = await getDataset('afew').open(faces);
  assert.equal(f.layout, 'face-folders');
  assert.deepEqual(f.samples[0].frames?.map((x) => x.face), [true, false]);
  assert.ok(jpgs.length === 2);
});

test('vgaf: label file with header (1 Positive, 2 Neutral, 3 Negative), missing videos and bad rows counted', async () => {
  const root = tmp('vgaf');
  makeClip(join(root, 'Val', 'vid_a.mp4'));
  makeClip(join(root, 'Val', 'vid_b.mp4'));
  writeFileSync(join(root, 'Val_labels.txt'), 'Vid_name Label\nvid_a 1\nvid_b.mp4 3\nvid_c 2\nvid_d 7\n');
  const ds = await getDataset('vgaf').open(root, { split: 'val' });
  assert.deepEqual(ds.samples.map((s) => [s.id, ds.classes[s.label]]), [['vid_a', 'Positive'], ['vid_b', 'Negative']]);
  assert.deepEqual(ds.skipped.counts, { 'missing video': 1, 'bad row': 1 });
});

test('abaw-lsd folders (ANGRER sic), only .jpg read; imagefolder aliases and unknown folders; csv manifest', async () => {
  const root = makeClassFolders(tmp('lsd'), 'validation_set_real_images', ['ANGRER', 'DISGUST', 'FEAR', 'HAPPINESS', 'SADNESS', 'SURPRISE'], 1);
  writeFileSync(join(root, 'validation_set_real_images', 'FEAR', 'x.png'), '');
  const lsd = await getDataset('abaw-lsd').open(root);
  assert.equal(lsd.samples.length, 6);
  assert.equal(lsd.classes[lsd.samples[0].label], 'Anger');
  assert.equal(lsd.skipped.counts['not a .jpg (the reference ignores it)'], 1);

  const jf = makeClassFolders(tmp('if'), '.', ['happy', 'angry', 'surprise'], 2);
  const ds = await getDataset('imagefolder').open(jf);
  assert.deepEqual(ds.classes, ['Anger', 'Happiness', 'Surprise']);
  assert.equal(ds.samples.length, 6);
  makeClassFolders(jf, '.', ['bored'], 1);
  await assert.rejects(getDataset('imagefolder').open(jf), /unknown class folder "bored"/);

  const dir = tmp('csv');
  const imgs = makeJpegs(dir, 2);
  writeFileSync(join(dir, 'list.csv'), `path,label\n${imgs[0].slice(dir.length + 1)},sad\n${imgs[1]},fear,1,1,20,20\nnothere.jpg,sad\nx.jpg,bored\n`);
  const c = await getDataset('csv').open(join(dir, 'list.csv'));
  assert.deepEqual(c.classes, ['Fear', 'Sadness']);
  assert.deepEqual(c.samples.map((s) => s.box ?? null), [null, { x: 1, y: 1, width: 20, height: 20 }]);
  assert.deepEqual(c.skipped.counts, { 'missing file': 1, 'unknown label': 1 });
});

test('manifests: the six ship with expected counts; verify compares a copy against its manifest', async () => {
  const ms = listManifests();
  const ids = ms.map((m) => m.id);
  for (const id of ['affectnet', 'affectnet-march2021', 'afew', 'vgaf', 'abaw-lsd', 'jaffe']) assert.ok(ids.includes(id), id);
  const an = ms.find((m) => m.id === 'affectnet');
  assert.equal(an?.splits.val.total, 4000);
  assert.equal(ms.find((m) => m.id === 'afew')?.splits.val.total, 383);
  assert.equal(ms.find((m) => m.id === 'vgaf')?.splits.train.total, 2661);
  assert.equal(ms.find((m) => m.id === 'abaw-lsd')?.splits.val.total, 4670);
  assert.equal(ms.find((m) => m.id === 'jaffe')?.splits.all.total, 213);
  assert.match(manifestSha256(an!), /^[0-9a-f]{64}$/);

  const { root } = makeAffectnetCsv(1);
  const rep = await verifyDataset('affectnet', root);
  assert.equal(rep.manifest, 'affectnet');
  assert.equal(rep.ok, false); // a fixture is not the 4,000-image validation set
  const total = rep.checks.find((c) => c.check === 'samples');
  assert.deepEqual([total?.expected, total?.found], [4000, 8]);
  const sha = rep.checks.find((c) => c.check.includes('validation.csv'));
  assert.ok(sha?.ok && /^[0-9a-f]{64}$/.test(String(sha.found)));
});

test('verify on the shared JAFFE copy matches its manifest (213 images, official per-class counts)', async (t) => {
  const jaffe = join(import.meta.dirname, '../../../../shared/data/jaffe');
  if (!(await import('node:fs')).existsSync(jaffe)) return t.skip(`JAFFE not found at ${jaffe} (shared test data is absent in a fresh clone)`);
  const rep = await verifyDataset('imagefolder', jaffe, { manifestId: 'jaffe' });
  assert.equal(rep.found, 213);
  assert.ok(rep.ok, JSON.stringify(rep.checks.filter((c) => !c.ok)));
});

test('abaw-mtl: annotation file (missing markers −5/−1), frames with an expression label, Other outside the protocol', async () => {
  const root = tmp('abaw-mtl');
  const jpgs = makeJpegs(join(root, '.src'), 3);
  const { copyFileSync } = await import('node:fs');
  mkdirSync(join(root, 'cropped_aligned', '1-30-1280x720'), { recursive: true });
  for (const [i, j] of jpgs.entries()) copyFileSync(j, join(root, 'cropped_aligned', '1-30-1280x720', `0000${i + 1}.jpg`));
  const aus = (v: number) => Array(12).fill(v).join(',');
  writeFileSync(
    join(root, 'validation_set_annotations.txt'),
    [
      'image,valence,arousal,expression,AU1,AU2,AU4,AU6,AU7,AU10,AU12,AU15,AU23,AU24,AU25,AU26',
      `1-30-1280x720/00001.jpg,0.5,-0.25,4,${aus(0)}`,
      `1-30-1280x720/00002.jpg,-5,-5,7,${aus(-1)}`,
      `1-30-1280x720/00003.jpg,0.1,0.2,-1,${aus(1)}`,
      `1-30-1280x720/00009.jpg,0.1,0.2,2,${aus(1)}`,
      '1-30-1280x720/00004.jpg,0.1,0.2,two',
    ].join('\n'),
  );
  const ds = await getDataset('abaw-mtl').open(root);
  assert.deepEqual(ds.samples.map((s) => [s.id, ds.classes[s.label], s.valence ?? null]), [['1-30-1280x720/00001.jpg', 'Happiness', 0.5], ['1-30-1280x720/00002.jpg', 'Other', null]]);
  assert.deepEqual(ds.skipped.counts, { 'bad row': 1, 'no expression label (−1)': 1, 'missing file': 1 });
  const p = resolveProtocol(getDataset('abaw-mtl'), undefined, CLASSES_8);
  assert.deepEqual(columnsFor(CLASSES_8, p.classes, 'abaw'), [5, 0, 2, 3, 4, 6, 7]);
});
