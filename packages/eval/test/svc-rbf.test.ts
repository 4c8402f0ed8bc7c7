import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { SVC } from '../src/protocols/index.ts';

interface Fixture {
  name: string;
  numClasses: number;
  C: number;
  xTrain: number[][];
  yTrain: number[];
  xTest: number[][];
  yTest: number[];
  gamma: number;
  predTrain: number[];
  predTest: number[];
  decisionTest: number[][];
  decisionOvoTest: number[][];
  nSupport: number[];
  support: number[];
  dualCoef: number[][];
  intercept: number[];
  nIter: number[];
}

const dir = new URL('../fixtures/sklearn/', import.meta.url);
const fixtures: Fixture[] = readdirSync(dir)
  .filter((f) => /^svc-.*\.json$/.test(f))
  .sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));

const maxAbsDiff = (a: ArrayLike<number>[], b: number[][]) => {
  assert.equal(a.length, b.length);
  let d = 0;
  a.forEach((row, i) => {
    assert.equal(row.length, b[i].length);
    for (let j = 0; j < row.length; j++) d = Math.max(d, Math.abs(row[j] - b[i][j]));
  });
  return d;
};

test('the sklearn SVC fixtures cover 2, 3 and 7 classes, C 1 and 1.9, L2-normalised and raw features', () => {
  assert.ok(fixtures.length >= 6);
  assert.deepEqual([...new Set(fixtures.map((f) => f.numClasses))].sort(), [2, 3, 7]);
  assert.deepEqual([...new Set(fixtures.map((f) => f.C))].sort(), [1, 1.9]);
});

for (const fx of fixtures) {
  test(`SVC(rbf, C=${fx.C}, gamma='scale') matches sklearn 1.2.1: ${fx.name}`, (t) => {
    const m = new SVC({ C: fx.C }).fit(fx.xTrain, fx.yTrain);
    assert.ok(Math.abs(m.gamma - fx.gamma) <= 1e-12 * fx.gamma, `gamma ${m.gamma} vs ${fx.gamma}`);
    assert.ok(m.converged);
    assert.deepEqual(m.classes, [...Array(fx.numClasses).keys()]);
    assert.deepEqual(m.supportCount, fx.nSupport, 'support vectors per class');
    assert.deepEqual(m.support, fx.support, 'the same training rows are support vectors, in the same order');
    assert.deepEqual(m.nIter, fx.nIter, 'SMO takes the same path: same iteration count per class pair');
    assert.deepEqual(m.predict(fx.xTest), fx.predTest, 'held-out predictions identical');
    assert.deepEqual(m.predict(fx.xTrain), fx.predTrain, 'train predictions identical');
    const dCoef = maxAbsDiff(m.dualCoef, fx.dualCoef);
    const dInt = maxAbsDiff([m.intercept], [fx.intercept]);
    const dDec = maxAbsDiff(m.decisionFunction(fx.xTest), fx.decisionTest);
    const dOvo = maxAbsDiff(m.decisionFunctionOvo(fx.xTest), fx.decisionOvoTest.map((r) => (fx.numClasses === 2 ? r.map((v) => -v) : r)));
    t.diagnostic(`max |Δ| vs sklearn: dual_coef ${dCoef.toExponential(2)}, intercept ${dInt.toExponential(2)}, decision (ovr) ${dDec.toExponential(2)}, decision (ovo) ${dOvo.toExponential(2)}`);
    // Same SMO path, so only rounding separates the two (libsvm's and our dot products sum in different orders).
    assert.ok(dCoef < 1e-9, `dual_coef differ by ${dCoef}`);
    assert.ok(dInt < 1e-9, `intercept differ by ${dInt}`);
    assert.ok(dDec < 1e-9, `decision values differ by ${dDec}`);
    assert.ok(dOvo < 1e-9, `ovo decision values differ by ${dOvo}`);
  });
}
