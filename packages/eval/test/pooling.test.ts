import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  AFEW_SVM_STATS,
  AFEW_SCORE_AVERAGE,
  getVideoProtocol,
  l2NormaliseInPlace,
  paperCell,
  poolAfew,
  poolAfewWeighted,
  poolVgaf,
  runVideoProtocol,
  type VideoFeatures,
  VIDEO_PROTOCOLS,
} from '../src/protocols/index.ts';
import { createRng } from '../src/metrics/index.ts';

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/pooling.json', import.meta.url), 'utf8'));
const near = (a: ArrayLike<number>, b: number[], what: string) => {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= 1e-12, `${what}[${i}]: ${a[i]} vs ${b[i]}`);
};

test('AFEW [mean,std,min,max] over face frames, zero vector without faces, L2 like sklearn normalize', () => {
  const d = fx.dim;
  fx.afew.forEach((c: { features: number[][]; hasFace: boolean[]; stats: number[]; normalised: number[]; weighted: number[]; weightedNormalised: number[] }, i: number) => {
    const video: VideoFeatures = {
      id: `v${i}`,
      label: 0,
      frames: c.features.map((f, j) => (c.hasFace[j] ? { faces: [f] } : { faces: [], wholeFrame: f })),
    };
    const p = poolAfew(video, d);
    near(p.vector, c.stats, `afew ${i} stats`);
    assert.equal(p.hasFaces, c.hasFace.some(Boolean));
    near(l2NormaliseInPlace(p.vector), c.normalised, `afew ${i} normalised`);
    const w = poolAfewWeighted(video, d);
    near(w.vector, c.weighted, `afew ${i} weighted`);
    near(l2NormaliseInPlace(w.vector), c.weightedNormalised, `afew ${i} weighted normalised`);
  });
  assert.ok(fx.afew.some((c: { hasFace: boolean[] }) => !c.hasFace.some(Boolean)), 'fixture has a clip without faces');
});

test('VGAF two-level [mean,std] over faces then frames', () => {
  fx.vgaf.forEach((c: { frames: number[][][]; stats: number[]; normalised: number[] }, i: number) => {
    const p = poolVgaf({ id: `g${i}`, label: 1, frames: c.frames.map((faces) => ({ faces })) }, fx.dim);
    near(p.vector, c.stats, `vgaf ${i}`);
    assert.equal(p.hasFaces, c.frames.some((f) => f.length > 0));
    near(l2NormaliseInPlace(p.vector), c.normalised, `vgaf ${i} normalised`);
  });
});

test('weighted pooling needs whole-frame features for no-face frames', () => {
  assert.throws(() => poolAfewWeighted({ id: 'x', label: 0, frames: [{ faces: [] }] }, 2), /video x: .*whole-frame/);
  assert.throws(() => poolAfew({ id: 'x', label: 0, frames: [{ faces: [[1, 2, 3]] }] }, 2), /length 3, expected 2/);
});

function syntheticVideos(seed: number, count: number, dim: number, k: number): VideoFeatures[] {
  const c = createRng(99);
  const centers = Array.from({ length: k }, () => Array.from({ length: dim }, () => c.normal()));
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, v) => {
    const label = v % k;
    const frames = Array.from({ length: 3 + rng.int(6) }, () => (rng.next() < 0.8 ? { faces: [centers[label].map((c) => Math.abs(c + 1.2 * rng.normal()))] } : { faces: [] }));
    // every 10th clip has no face at all, like the 4 of 383 AFEW validation clips
    return { id: `clip${v}`, label, frames: v % 10 === 9 ? frames.map(() => ({ faces: [] })) : frames };
  });
}

test('AFEW LinearSVC protocol: trains on videos with faces, reports both accuracies', () => {
  const train = syntheticVideos(1, 140, 12, 7);
  const testSet = syntheticVideos(2, 70, 12, 7);
  const r = runVideoProtocol(AFEW_SVM_STATS, { train, test: testSet, dim: 12 }, { C: 1.1 });
  assert.equal(r.coverage.total, 70);
  assert.equal(r.coverage.withFaces, 63);
  assert.ok(r.svm?.converged);
  assert.ok(r.accuracyFaces > 0.5, `separable classes: ${r.accuracyFaces}`);
  const correct = r.predictions.filter((p) => p.pred === p.label).length;
  assert.equal(r.accuracyComplete, correct / 70);
  assert.equal(r.metrics.n, 63);
  assert.ok(r.accuracyComplete <= r.accuracyFaces + 1e-12);
});

test('score-average baseline and the protocol registry', () => {
  const test1: VideoFeatures[] = [
    { id: 'a', label: 3, frames: [{ faces: [[0, 0, 0, 0.6, 0, 0.4, 0]] }, { faces: [[0, 0, 0, 0.2, 0, 0.8, 0]] }, { faces: [[0, 0, 0, 0.9, 0, 0.1, 0]] }] },
    { id: 'b', label: 1, frames: [{ faces: [] }] },
  ];
  const r = runVideoProtocol(AFEW_SCORE_AVERAGE, { test: test1, dim: 7 });
  assert.deepEqual(r.predictions.map((p) => p.pred), [3, null]);
  assert.equal(r.accuracyFaces, 1);
  assert.equal(r.accuracyComplete, 0.5);
  assert.equal(getVideoProtocol('afew-svm-stats'), AFEW_SVM_STATS);
  assert.equal(paperCell(AFEW_SVM_STATS, 'enet_b0_8_best_afew')?.C, 1.1);
  assert.equal(paperCell(AFEW_SVM_STATS, 'mobilenet_7'), undefined, 'its AFEW cell uses a random forest, not this protocol');
  assert.throws(() => getVideoProtocol('nope'), /unknown video protocol/);
  for (const p of VIDEO_PROTOCOLS) {
    assert.ok(p.name && p.description.length > 40, p.name);
    for (const c of p.cells) assert.ok(c.value > 0 && (c.evidence === 'unconfirmed' || c.C !== undefined), `${p.name} ${c.model}`);
  }
});
