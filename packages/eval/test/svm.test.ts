import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { accuracy } from '../src/metrics/index.ts';
import { LinearSVC } from '../src/protocols/index.ts';

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/linear_svc.json', import.meta.url), 'utf8'));

interface Dataset {
  name: string;
  numClasses: number;
  C: number;
  xTrain: number[][];
  yTrain: number[];
  xTest: number[][];
  yTest: number[];
  predTrain: number[];
  predTest: number[];
  accuracyTest: number;
  decisionTest: number[][] | number[];
  coef: number[][];
  intercept: number[];
  coefTight: number[][];
  interceptTight: number[];
}

const maxDiff = (m: LinearSVC, coef: number[][], intercept: number[]) => {
  let d = 0;
  m.coef.forEach((w, k) => {
    for (let j = 0; j < w.length; j++) d = Math.max(d, Math.abs(w[j] - coef[k][j]));
    d = Math.max(d, Math.abs(m.intercept[k] - intercept[k]));
  });
  return d;
};

for (const ds of fx.datasets as Dataset[]) {
  test(`LinearSVC matches sklearn LinearSVC(C=${ds.C}): ${ds.name}`, (t) => {
    const m = new LinearSVC({ C: ds.C }).fit(ds.xTrain, ds.yTrain);
    assert.ok(m.converged);
    assert.equal(m.coef.length, ds.coef.length, 'one vector per class, or one for two classes');
    assert.deepEqual(m.predict(ds.xTest), ds.predTest, 'test predictions identical');
    assert.deepEqual(m.predict(ds.xTrain), ds.predTrain, 'train predictions identical');
    assert.equal(accuracy(ds.yTest, m.predict(ds.xTest)), ds.accuracyTest);
    const dSk = maxDiff(m, ds.coef, ds.intercept);
    const dTight = maxDiff(m, ds.coefTight, ds.interceptTight);
    t.diagnostic(`max |coef − sklearn coef_| = ${dSk.toExponential(2)}; vs the tol=1e-12 optimum ${dTight.toExponential(2)}`);
    // Both solvers stop within tol=1e-4 of the same unique optimum, from different coordinate orders.
    assert.ok(dSk < 1e-3, `coef differ by ${dSk}`);
    assert.ok(dTight < 1e-3, `coef differ from the optimum by ${dTight}`);
    // A tight fit reaches sklearn's tight optimum much more closely: the objective is the same one.
    const tight = new LinearSVC({ C: ds.C, tol: 1e-10, maxIter: 100000 }).fit(ds.xTrain, ds.yTrain);
    const dt = maxDiff(tight, ds.coefTight, ds.interceptTight);
    t.diagnostic(`tight fit vs sklearn tight: ${dt.toExponential(2)}`);
    assert.ok(dt < 1e-7, `tight coef differ by ${dt}`);
  });
}

test('LinearSVC is deterministic for a seed and rejects bad input', () => {
  const ds = fx.datasets[0] as Dataset;
  const a = new LinearSVC({ C: ds.C, seed: 3 }).fit(ds.xTrain, ds.yTrain);
  const b = new LinearSVC({ C: ds.C, seed: 3 }).fit(ds.xTrain, ds.yTrain);
  assert.deepEqual(a.coef, b.coef);
  assert.throws(() => new LinearSVC({ C: 0 }), /C must be > 0/);
  assert.throws(() => new LinearSVC().fit([[1, 0], [0, 1]], [1, 1]), /at least 2 classes/);
  assert.throws(() => new LinearSVC().fit([[1, 0], [0]], [0, 1]), /sample 1 has 1 features/);
  assert.throws(() => a.predict([[1, 2]]), /fitted on 32/);
});

test('maxIter bounds the work and is reported as not converged', () => {
  const ds = fx.datasets[3] as Dataset;
  const m = new LinearSVC({ C: ds.C, maxIter: 2 }).fit(ds.xTrain, ds.yTrain);
  assert.equal(m.converged, false);
  assert.ok(m.nIter.every((n) => n === 2));
});
