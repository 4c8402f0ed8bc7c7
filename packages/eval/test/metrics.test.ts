import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  accuracy,
  bootstrapCI,
  bootstrapClassification,
  ccc,
  chiSquare1Sf,
  compareModels,
  computeClassification,
  confusionMatrix,
  createRng,
  lsdScore,
  macroF1,
  mcnemar,
  mcnemarFromCounts,
  mtlScore,
  uar,
} from '../src/metrics/index.ts';

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/metrics.json', import.meta.url), 'utf8'));
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

interface Case {
  name: string;
  numClasses: number;
  labels: number[];
  preds: number[];
  accuracy: number;
  macroF1: number;
  macroF1AllClasses: number;
  f1: number[];
  precision: number[];
  recall: number[];
  support: number[];
  balancedAccuracy: number;
  confusionMatrix: number[][];
}

for (const c of fx.classification as Case[]) {
  test(`classification metrics match sklearn 1.2.1: ${c.name}`, () => {
    const m = computeClassification({ labels: c.labels, preds: c.preds, numClasses: c.numClasses });
    assert.equal(m.n, c.labels.length);
    close(m.accuracy, c.accuracy, 1e-9, 'accuracy');
    close(m.macroF1, c.macroF1, 1e-9, 'macro-F1 (union of labels and predictions)');
    close(m.uar, c.balancedAccuracy, 1e-9, 'UAR vs balanced_accuracy_score');
    assert.deepEqual(m.confusionMatrix, c.confusionMatrix);
    assert.equal(m.perClass.length, c.numClasses);
    m.perClass.forEach((p, i) => {
      assert.equal(p.label, i);
      close(p.precision, c.precision[i], 1e-9, `precision[${i}]`);
      close(p.recall, c.recall[i], 1e-9, `recall[${i}]`);
      close(p.f1, c.f1[i], 1e-9, `f1[${i}]`);
      assert.equal(p.support, c.support[i]);
    });
    const all = Array.from({ length: c.numClasses }, (_, i) => i);
    close(macroF1(c.labels, c.preds, c.numClasses, all), c.macroF1AllClasses, 1e-9, 'macro-F1 with explicit labels');
    close(accuracy(c.labels, c.preds), c.accuracy, 1e-12, 'accuracy()');
    close(uar(c.labels, c.preds, c.numClasses), c.balancedAccuracy, 1e-9, 'uar()');
    assert.deepEqual(confusionMatrix(c.labels, c.preds, c.numClasses), c.confusionMatrix);
  });
}

test('the fixtures exercise the edge cases the semantics hinge on', () => {
  const byName = Object.fromEntries((fx.classification as Case[]).map((c) => [c.name, c]));
  // never predicted: zero precision, so F1 0, still in the macro mean
  const np = byName['never-predicted'];
  assert.equal(np.precision[3], 0);
  assert.ok(np.support[3] > 0);
  // a class only predicted: counts in macro-F1, not in balanced accuracy
  const ab = byName['absent-from-labels'];
  assert.equal(ab.support[4], 0);
  assert.ok(ab.balancedAccuracy !== ab.recall.reduce((x, y) => x + y, 0) / 5, 'balanced accuracy leaves the label-less class out');
  const unused = byName['unused-classes'];
  assert.ok(unused.macroF1AllClasses < unused.macroF1, 'averaging over all 6 classes counts the 3 unused ones as 0');
});

test('classNames and bad input', () => {
  const m = computeClassification({ labels: [0, 1], preds: [0, 0], numClasses: 2, classNames: ['neg', 'pos'] });
  assert.equal(m.perClass[1].name, 'pos');
  assert.throws(() => computeClassification({ labels: [0, 2], preds: [0, 0], numClasses: 2 }), /label 2 at index 1/);
  assert.throws(() => computeClassification({ labels: [0], preds: [0, 1], numClasses: 2 }), /differ in length/);
  assert.throws(() => computeClassification({ labels: [], preds: [], numClasses: 2 }), /no samples/);
  assert.throws(() => computeClassification({ labels: [0], preds: [0], numClasses: 2, classNames: ['a'] }), /1 class names/);
});

test("Lin's CCC matches numpy (population moments)", () => {
  for (const c of fx.ccc) close(ccc(c.truth, c.pred), c.ccc, 1e-9, 'ccc');
  assert.equal(ccc([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]), 1);
  // x and −x: cov = −var, denominator 2·var + (2·mean)²
  close(ccc([0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]), (-2 * (0.02 / 3)) / ((2 * 0.02) / 3 + 0.16), 1e-12, 'mirror');
  assert.ok(ccc([0.1, 0.2, 0.3], [-0.1, -0.2, -0.3]) < 0);
});

test('LSD score = mean of the 6 per-class F1s (sklearn, labels 0..5)', () => {
  close(lsdScore(fx.lsd.labels, fx.lsd.preds), fx.lsd.lsd, 1e-9, 'lsd');
});

test('ABAW P_MTL with masks matches numpy/sklearn', () => {
  const s = mtlScore(fx.mtl);
  close(s.cccValence, fx.mtl.cccValence, 1e-9, 'CCC V');
  close(s.cccArousal, fx.mtl.cccArousal, 1e-9, 'CCC A');
  close(s.expression, fx.mtl.expressionF1, 1e-9, 'expression F1');
  for (const [k, v] of s.auF1.entries()) close(v, fx.mtl.auF1[k], 1e-9, `AU F1 ${k}`);
  close(s.pMtl, fx.mtl.pMtl, 1e-9, 'P_MTL');
  assert.ok(s.counts.va < s.counts.frames && s.counts.expression < s.counts.frames, 'masks removed frames');
});

test("McNemar: exact binomial and chi-square p-values match scipy", () => {
  for (const c of fx.mcnemar) {
    const r = mcnemarFromCounts(c.b, c.c);
    assert.equal(r.method, c.method, `${c.b},${c.c}`);
    close(r.statistic, c.statistic, 1e-12, `statistic ${c.b},${c.c}`);
    close(r.pValue, c.pValue, 1e-12, `p ${c.b},${c.c}`);
  }
  close(chiSquare1Sf(3.841458820694124), 0.05, 1e-12, 'chi2 critical value');
  close(chiSquare1Sf(0.1), 0.7518296340458492, 1e-12, 'series branch');
});

test('mcnemar counts discordant pairs, compareModels flags significance', () => {
  const labels = [0, 0, 0, 0, 1, 1, 1, 1];
  const a = [0, 0, 0, 0, 1, 1, 1, 1];
  const b = [1, 0, 0, 0, 0, 1, 1, 0];
  const r = mcnemar(labels, a, b);
  assert.deepEqual([r.b, r.c], [3, 0]);
  const cmp = compareModels(labels, a, b);
  assert.equal(cmp.difference, 3 / 8);
  assert.equal(cmp.significant, false, 'three discordant pairs are not evidence');
  // 40 vs 10 discordant pairs out of 400: clearly significant
  const n = 400;
  const L = new Array(n).fill(0);
  const A = L.map((_, i) => (i < 10 ? 1 : 0));
  const B = L.map((_, i) => (i >= 10 && i < 50 ? 1 : 0));
  const big = compareModels(L, A, B);
  assert.equal(big.mcnemar.method, 'chi-square-continuity');
  assert.ok(big.significant && big.mcnemar.pValue < 1e-4);
  assert.throws(() => mcnemar([0, 1], [0], [0, 1]), /same samples/);
});

test('bootstrap CIs are seeded, bracket the point estimate and narrow with n', () => {
  const c = (fx.classification as Case[]).find((x) => x.name === 'random-8') as Case;
  const a = bootstrapClassification(c.labels, c.preds, c.numClasses, { seed: 7 });
  const b = bootstrapClassification(c.labels, c.preds, c.numClasses, { seed: 7 });
  const other = bootstrapClassification(c.labels, c.preds, c.numClasses, { seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, other);
  for (const [k, v] of [['accuracy', c.accuracy], ['macroF1', c.macroF1], ['uar', c.balancedAccuracy]] as const) {
    assert.ok(a[k][0] < v && v < a[k][1], `${k} ${a[k]} brackets ${v}`);
  }
  // binomial standard error of accuracy: the 95% width is about 3.92·sqrt(p(1-p)/n)
  const se = Math.sqrt((c.accuracy * (1 - c.accuracy)) / c.labels.length);
  const width = a.accuracy[1] - a.accuracy[0];
  assert.ok(width > 3 * se && width < 5 * se, `width ${width} vs se ${se}`);
  const generic = bootstrapCI(c.labels.length, (idx) => accuracy(Array.from(idx, (i) => c.labels[i]), Array.from(idx, (i) => c.preds[i])), { seed: 7 });
  assert.deepEqual(generic, a.accuracy, 'the generic bootstrap draws the same resamples');
});

test('bootstrap of 100k samples × 1000 resamples is fast', () => {
  const rng = createRng(1);
  const n = 100_000;
  const labels = new Int32Array(n).map(() => rng.int(8));
  const preds = labels.map((l) => (rng.next() < 0.6 ? l : rng.int(8)));
  const t = performance.now();
  const ci = bootstrapClassification(labels, preds, 8, { resamples: 1000 });
  const ms = performance.now() - t;
  assert.ok(ci.accuracy[1] - ci.accuracy[0] < 0.01);
  assert.ok(ms < 10_000, `took ${ms.toFixed(0)} ms`);
});

test('seeded PRNG: repeatable, uniform enough, ints in range', () => {
  const a = createRng(42);
  const b = createRng(42);
  const xs = Array.from({ length: 10000 }, () => a.next());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b.next()));
  const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.01);
  const r = createRng(3);
  for (let i = 0; i < 1000; i++) {
    const k = r.int(7);
    assert.ok(Number.isInteger(k) && k >= 0 && k < 7);
  }
});
