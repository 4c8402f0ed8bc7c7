import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createRng } from '../src/metrics/random.ts';
import { l2NormaliseInPlace, paperCell, poolVgaf, runVideoProtocol, SVC, VGAF_SVM_STATS, type VideoFeatures } from '../src/protocols/index.ts';

interface Fixture {
  name: string;
  numClasses: number;
  C: number;
  tol: number;
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
  test(`SVC(rbf, C=${fx.C}, gamma='scale', tol=${fx.tol}) matches sklearn 1.2.1: ${fx.name}`, (t) => {
    const m = new SVC({ C: fx.C, tol: fx.tol }).fit(fx.xTrain, fx.yTrain);
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
    const dOvo = maxAbsDiff(m.decisionFunctionOvo(fx.xTest), fx.decisionOvoTest);
    t.diagnostic(`max |Δ| vs sklearn: dual_coef ${dCoef.toExponential(2)}, intercept ${dInt.toExponential(2)}, decision (ovr) ${dDec.toExponential(2)}, decision (ovo) ${dOvo.toExponential(2)}`);
    // Same SMO path, so only rounding separates the two (libsvm's and our dot products sum in different orders).
    assert.ok(dCoef < 1e-9, `dual_coef differ by ${dCoef}`);
    assert.ok(dInt < 1e-9, `intercept differ by ${dInt}`);
    assert.ok(dDec < 1e-9, `decision values differ by ${dDec}`);
    assert.ok(dOvo < 1e-9, `ovo decision values differ by ${dOvo}`);
  });
}

const byName = (name: string) => {
  const f = fixtures.find((x) => x.name === name);
  assert.ok(f, `fixture svc-${name}.json`);
  return f;
};

test('the kernel cache changes speed only: a cache of two rows gives the identical fit', () => {
  for (const name of ['overlap-raw-c1.9', 'tight-tol-raw-c1.9']) {
    const fx = byName(name);
    const big = new SVC({ C: fx.C, tol: fx.tol }).fit(fx.xTrain, fx.yTrain);
    // 1e-6 MiB is below two rows, so the cache holds exactly two and evicts on nearly every request.
    const tiny = new SVC({ C: fx.C, tol: fx.tol, cacheSize: 1e-6 }).fit(fx.xTrain, fx.yTrain);
    assert.deepEqual(tiny.nIter, big.nIter);
    assert.deepEqual(tiny.dualCoef, big.dualCoef);
    assert.deepEqual(tiny.intercept, big.intercept);
  }
});

test('WebAssembly SIMD and plain JS dot products give the identical fit, tails of odd widths included', () => {
  const fx = byName('vgaf-raw-c1');
  for (const width of [fx.xTrain[0].length, 45, 3]) {
    const X = fx.xTrain.map((r) => r.slice(0, width));
    const fast = new SVC({ C: fx.C }).fit(X, fx.yTrain);
    const plain = new SVC({ C: fx.C, simd: false }).fit(X, fx.yTrain);
    // Node 20 (the CI runtime) has WebAssembly SIMD; elsewhere both runs take the JS path.
    assert.equal(fast.usedSimd, Number(process.versions.node.split('.')[0]) >= 20);
    assert.equal(plain.usedSimd, false);
    assert.deepEqual(fast.nIter, plain.nIter);
    assert.deepEqual(fast.dualCoef, plain.dualCoef);
    assert.deepEqual(fast.intercept, plain.intercept);
  }
});

test('without shrinking the path differs but the optimum is the same within tol', () => {
  const fx = byName('overlap-raw-c1.9');
  const m = new SVC({ C: fx.C, shrinking: false }).fit(fx.xTrain, fx.yTrain);
  assert.deepEqual(m.supportCount, fx.nSupport);
  const d = maxAbsDiff([m.intercept], [fx.intercept]);
  assert.ok(d < 1e-2, `intercepts differ by ${d}`);
  assert.deepEqual(m.predict(fx.xTest), fx.predTest);
});

test('a fixed gamma is used as given; a constant X gets gamma 1 under scale, as sklearn', () => {
  const fx = byName('small-l2-c1');
  const m = new SVC({ gamma: fx.gamma }).fit(fx.xTrain, fx.yTrain);
  assert.equal(m.gamma, fx.gamma);
  assert.deepEqual(m.predict(fx.xTest), fx.predTest);
  const c = new SVC().fit([[2, 2], [2, 2], [2, 2]], [0, 1, 1]);
  assert.equal(c.gamma, 1);
});

test('maxIter bounds the work and is reported as not converged; bad input is a UserError', () => {
  const fx = byName('overlap-raw-c1.9');
  const m = new SVC({ C: fx.C, maxIter: 5 }).fit(fx.xTrain, fx.yTrain);
  assert.equal(m.converged, false);
  assert.deepEqual(m.nIter, [5, 5, 5]);
  assert.throws(() => new SVC({ C: 0 }), /C must be a finite number > 0/);
  assert.throws(() => new SVC({ gamma: -1 }), /gamma must be 'scale' or a number > 0/);
  assert.throws(() => new SVC().fit([[1, 0], [0, 1]], [1, 1]), /at least 2 classes/);
  assert.throws(() => new SVC().fit([[1, 0], [0]], [0, 1]), /sample 1 has 1 features/);
  assert.throws(() => new SVC().fit([[1, Number.NaN], [0, 1]], [0, 1]), /sample 0 feature 1 is NaN/);
  assert.throws(() => m.predict([[1, 2]]), /sample 0 has 2 features, the model was fitted on 32/);
  assert.throws(() => new SVC().predict([[1, 2]]), /fit before predicting/);
});

test('voting ties go to the lowest tied class, as libsvm (sklearn agrees on every tied 7-class point)', (t) => {
  const fx = byName('seven-class-l2-c1');
  const m = new SVC({ C: fx.C }).fit(fx.xTrain, fx.yTrain);
  const X = [...fx.xTrain, ...fx.xTest];
  const sk = [...fx.predTrain, ...fx.predTest];
  const ovo = m.decisionFunctionOvo(X);
  let tied = 0;
  X.forEach((x, s) => {
    const votes = new Array(7).fill(0);
    let p = 0;
    for (let i = 0; i < 7; i++) for (let j = i + 1; j < 7; j++) votes[ovo[s][p++] > 0 ? i : j]++;
    const top = Math.max(...votes);
    if (votes.filter((v) => v === top).length < 2) return;
    tied++;
    assert.equal(sk[s], votes.indexOf(top), 'sklearn takes the lowest tied class');
    assert.equal(m.predictOne(x), sk[s]);
  });
  t.diagnostic(`${tied} of ${X.length} points have tied votes`);
  assert.ok(tied > 0, 'the fixture exercises ties');
});

function vgafVideos(seed: number, count: number, dim: number): VideoFeatures[] {
  const c = createRng(7);
  const centres = Array.from({ length: 3 }, () => Array.from({ length: dim }, () => Math.abs(c.normal())));
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, v) => {
    const label = v % 3;
    const frames = Array.from({ length: 2 + rng.int(4) }, () => ({
      faces: Array.from({ length: rng.int(3) }, () => centres[label].map((m) => Math.max(0, 3 * m + 2 * rng.normal()))),
    }));
    return { id: `vid${v}`, label, frames };
  });
}

test('VGAF protocol: enet_b2_8 and mobilenet_7 cells use the RBF SVC (mobilenet_7 without L2), others LinearSVC', () => {
  assert.deepEqual(
    ['enet_b2_8', 'mobilenet_7', 'enet_b2_7'].map((m) => {
      const c = paperCell(VGAF_SVM_STATS, m);
      return [c?.classifier ?? VGAF_SVM_STATS.classifier, c?.C, c?.l2Normalise ?? VGAF_SVM_STATS.l2Normalise];
    }),
    [['svc-rbf', 1.9, true], ['svc-rbf', 1, false], ['linear-svc', 0.01, true]],
  );
  const dim = 6;
  const train = vgafVideos(1, 90, dim);
  const test = vgafVideos(2, 45, dim);
  for (const [model, l2] of [['enet_b2_8', true], ['mobilenet_7', false]] as const) {
    const r = runVideoProtocol(VGAF_SVM_STATS, { train, test, dim }, { model });
    assert.equal(r.classifier, 'svc-rbf');
    assert.equal(r.l2Normalised, l2);
    const cell = paperCell(VGAF_SVM_STATS, model);
    assert.equal(r.C, cell?.C);
    // The same fit by hand: pooled, normalised or not, train videos with faces only.
    const pool = (v: VideoFeatures) => {
      const p = poolVgaf(v, dim);
      if (l2) l2NormaliseInPlace(p.vector);
      return p;
    };
    const tr = train.map(pool).filter((p) => p.hasFaces);
    const svc = new SVC({ C: cell?.C }).fit(tr.map((p) => p.vector), tr.map((p) => p.label));
    assert.deepEqual(r.svm?.supportCount, svc.supportCount);
    assert.deepEqual(r.predictions.map((p) => p.pred), test.map((v) => svc.predictOne(pool(v).vector)));
    assert.ok(r.coverage.withFaces < r.coverage.total, 'some test videos have no face and still get a prediction');
  }
  const lin = runVideoProtocol(VGAF_SVM_STATS, { train, test, dim }, { model: 'enet_b2_7' });
  assert.equal(lin.classifier, 'linear-svc');
  assert.equal(lin.C, 0.01);
});
