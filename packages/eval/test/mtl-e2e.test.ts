import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { type EvalResult, getModel, synthesizeTwin } from '@affectbench/core';
import { buildPaperTable, loadResults } from '@affectbench/report';
import { ABAW_AUS, mtlScore } from '../src/metrics/index.ts';
import { evaluate, mtlPaperField, readMtlFrames } from '../src/runner/index.ts';
import { makeJpegs, tmp } from './helpers/fixtures.ts';

process.env.AFFECTBENCH_QUIET = '1';

const record = getModel('enet_b0_8_va_mtl');
const model = join(tmp('twin-mtl'), record.source.fileName);
writeFileSync(model, synthesizeTwin(record).bytes);
const base = { model, batch: 8, workers: 1, threads: 1, allowSynthetic: true, progress: false, protocol: 'abaw-mtl-heads' } as const;

/**
 * s-Aff-Wild2 in the official layout: cropped_aligned/<video>/<frame>.jpg and the two annotation files, with ABAW's
 * missing codes (−5 VA, −1 expression, −1 AU), one row whose image is absent and one unparseable row.
 */
function makeSAffWild2(): { root: string; valFrames: number } {
  const root = tmp('saffwild2');
  const src = makeJpegs(join(root, '.src'), 12, 48, 48);
  const header = `image,valence,arousal,expression,${ABAW_AUS.join(',')}`;
  const write = (file: string, videos: string[], perVideo: number, offset: number) => {
    const lines = [header];
    let k = offset;
    for (const v of videos) {
      mkdirSync(join(root, 'cropped_aligned', v), { recursive: true });
      for (let f = 1; f <= perVideo; f++, k++) {
        const name = `${v}/${String(f).padStart(5, '0')}.jpg`;
        copyFileSync(src[k % src.length], join(root, 'cropped_aligned', name));
        const va = k % 7 === 3 ? '-5,-5' : `${(((k * 37) % 21) - 10) / 10},${(((k * 53) % 19) - 9) / 10}`;
        const expr = k % 5 === 4 ? -1 : k % 8;
        const aus = ABAW_AUS.map((_, a) => (k % 6 === 1 ? -1 : (k + a) % 3 === 0 ? 1 : 0));
        lines.push(`${name},${va},${expr},${aus.join(',')}`);
      }
    }
    lines.push(`${videos[0]}/99999.jpg,0.1,0.2,3,${ABAW_AUS.map(() => 0).join(',')}`); // no such image
    lines.push('broken,row');
    writeFileSync(join(root, file), `${lines.join('\n')}\n`);
  };
  write('training_set_annotations.txt', ['1-30-1280x720', '2-30-640x360', '10-60-1280x720_right'], 8, 0);
  write('validation_set_annotations.txt', ['118-30-640x480', '121-24-1920x1080'], 8, 5);
  return { root, valFrames: 16 };
}

test('abaw-mtl-heads: features of every frame, heads trained with a seed, P_MTL on validation, cached features on rerun', async () => {
  const { root, valFrames } = makeSAffWild2();
  const outDir = tmp('mtl-out');
  const dataset = `abaw-mtl:${root}`;

  await assert.rejects(evaluate({ ...base, allowSynthetic: false, dataset, outDir }), /synthetic weights/);
  await assert.rejects(evaluate({ ...base, dataset, outDir, split: 'train' }), /trains its heads on the train split/);

  const run = await evaluate({ ...base, dataset, outDir });
  const r = run.result;
  const m = r.metrics as EvalResult['metrics'] & {
    pMtl: number;
    cccValence: number;
    cccArousal: number;
    expressionMacroF1: number;
    auMeanF1: number;
    auF1: Record<string, number>;
    frames: string;
    warning: string;
    training: { zeroShot: boolean; seed: number; epochs: number; history: unknown[]; vaSlice: number[]; trainFrames: number };
  };
  assert.deepEqual(JSON.parse(readFileSync(run.resultPath, 'utf8')).metrics.pMtl, m.pMtl);
  assert.equal(r.dataset.protocol, 'abaw-mtl-heads');
  assert.equal(r.model.weights, 'synthetic');
  assert.equal(r.paper, undefined); // synthetic weights never fill the table
  assert.match(m.warning, /synthetic weights/);
  assert.equal(m.training.zeroShot, false);
  assert.equal(m.training.seed, 0);
  assert.equal(m.training.epochs, 20);
  assert.equal(m.training.history.length, 20);
  assert.deepEqual(m.training.vaSlice, [1280, 10]); // the model's own 8 logits + valence + arousal (addendum 1)
  assert.equal(m.training.trainFrames, 24);
  assert.equal((r.preprocessing.features as { dim: number }).dim, 1290); // FEATURES_SCORES: 1280 + 10
  assert.deepEqual(r.dataset.counts, { total: valFrames + 2, scored: valFrames, skipped: { 'bad row': 1, 'missing file': 1 } });

  // P_MTL is what mtlScore gives on the saved per-frame predictions, and the sum of its parts.
  const frames = readMtlFrames(join(outDir, m.frames));
  assert.equal(frames.length, valFrames);
  const again = mtlScore({
    valenceTrue: frames.map((f) => f.valenceTrue),
    arousalTrue: frames.map((f) => f.arousalTrue),
    valence: frames.map((f) => f.valence),
    arousal: frames.map((f) => f.arousal),
    expressionTrue: frames.map((f) => f.expressionTrue),
    expression: frames.map((f) => f.expression),
    auTrue: frames.flatMap((f) => f.auTrue),
    auProb: frames.flatMap((f) => f.auProb),
  });
  assert.equal(again.pMtl, m.pMtl);
  assert.ok(Math.abs(m.pMtl - ((m.cccValence + m.cccArousal) / 2 + m.expressionMacroF1 + m.auMeanF1)) < 1e-12);
  assert.equal(m.macroF1, m.expressionMacroF1); // the classification block is the EXPR part, all 8 classes averaged
  assert.deepEqual(Object.keys(m.auF1), [...ABAW_AUS]);
  const exprFrames = frames.filter((f) => f.expressionTrue !== -1).length;
  assert.equal(m.n, exprFrames);
  assert.equal(readFileSync(run.predictionsPath, 'utf8').trim().split('\n').length, exprFrames);

  // A rerun reads the cached features (their files untouched) and, with the same seed, gives the same P_MTL.
  const f32 = readdirSync(outDir).filter((f) => f.endsWith('.embeddings.f32'));
  assert.equal(f32.length, 2);
  const before = f32.map((f) => statSync(join(outDir, f)).mtimeMs);
  const rerun = await evaluate({ ...base, dataset, outDir });
  assert.deepEqual(f32.map((f) => statSync(join(outDir, f)).mtimeMs), before);
  const feats = rerun.result.preprocessing.features as { train: { reused: boolean }; val: { reused: boolean } };
  assert.ok(feats.train.reused && feats.val.reused);
  assert.equal(rerun.result.metrics.pMtl, m.pMtl);

  // An interrupted feature pass resumes from its journal: rows it claims are kept as written (one is marked here),
  // a torn last line and a half-written batch are cut off, the rest is computed.
  const trainIndex = join(outDir, (r.preprocessing.features as { train: { file: string } }).train.file);
  const trainF32 = trainIndex.replace(/\.json$/, '.f32');
  const full = new Float32Array(readFileSync(trainF32).buffer.slice(0));
  const rowFloats = 1290;
  const ids = (JSON.parse(readFileSync(trainIndex, 'utf8')) as { rows: { id: string }[] }).rows.map((x) => x.id);
  const outDir2 = tmp('mtl-resume');
  const kept = full.slice(0, 8 * rowFloats);
  kept[0] = 12345;
  writeFileSync(join(outDir2, `${basename(trainF32)}.partial`), Buffer.concat([Buffer.from(kept.buffer), Buffer.alloc(7)]));
  writeFileSync(join(outDir2, `${basename(trainIndex)}.partial.jsonl`), [JSON.stringify({ dim: 1280 }), ...ids.slice(0, 8).map((id) => JSON.stringify({ id })), '{"id":"1-30'].join('\n'));
  const resumed = await evaluate({ ...base, dataset, outDir: outDir2 });
  assert.equal(resumed.resumed, 8);
  assert.equal((resumed.result.preprocessing.features as { train: { resumed: number } }).train.resumed, 8);
  const after = new Float32Array(readFileSync(join(outDir2, basename(trainF32))).buffer.slice(0));
  assert.equal(after.length, full.length);
  assert.equal(after[0], 12345);
  assert.deepEqual(after.subarray(1), full.subarray(1));
  assert.ok(!existsSync(join(outDir2, `${basename(trainIndex)}.partial.jsonl`)));

  // Another seed is another training run: its own result file, features still shared.
  const seeded = await evaluate({ ...base, dataset, outDir, mtlSeed: 7, mtlEpochs: 3 });
  assert.notEqual(seeded.resultPath, run.resultPath);
  assert.equal((seeded.result.metrics.training as { seed: number }).seed, 7);
  assert.equal(readdirSync(outDir).filter((f) => f.endsWith('.embeddings.f32')).length, 2);

  // The regenerated table places a real-weights MTL result in the MTL column (on a copy, never results/).
  assert.equal(mtlPaperField(m.pMtl, { weights: 'synthetic', limited: false, protocolDefaults: true }), undefined);
  assert.equal(mtlPaperField(m.pMtl, { weights: 'real', limited: true, protocolDefaults: true }), undefined);
  assert.equal(mtlPaperField(m.pMtl, { weights: 'real', limited: false, protocolDefaults: false }), undefined);
  const reportDir = tmp('mtl-report');
  const real: EvalResult = JSON.parse(readFileSync(run.resultPath, 'utf8'));
  real.model.weights = 'real';
  const paper = mtlPaperField(real.metrics.pMtl as number, { weights: real.model.weights, limited: false, protocolDefaults: true });
  assert.ok(paper);
  real.paper = paper;
  writeFileSync(join(reportDir, 'mtl.json'), JSON.stringify(real));
  const table = buildPaperTable(loadResults(reportDir));
  const row = table.rows.find((x) => x.model === 'enet_b0_8_va_mtl');
  const cell = row?.cells.find((c) => c.column === 'mtl');
  assert.equal(cell?.paper, 1.276);
  assert.ok(cell?.ours !== null && Math.abs((cell?.ours ?? 0) - m.pMtl) < 1e-6);
  assert.equal(cell?.source?.protocol, 'abaw-mtl-heads');
  assert.ok(existsSync(join(outDir, m.frames)));
});
