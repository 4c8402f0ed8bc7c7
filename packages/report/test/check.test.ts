import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CALIBRATION_ID, checkMarkdown, compareResults, loadResults, type CheckReport } from '../src/index.ts';
import { BASELINE_DIR, baselineBench, baselineEval, evalWithAccuracy, scaledBench, writeSet } from './helpers.ts';

/** The baseline part that the current set measures: a current set of only an eval run is compared with the baseline's eval run. */
const baseline = (current: Record<string, unknown>) => {
  const kinds = new Set(Object.values(current).map((v) => (v as { kind: string }).kind));
  if (kinds.size === 2) return loadResults(BASELINE_DIR);
  return loadResults(join(BASELINE_DIR, kinds.has('eval') ? 'eval-b2_8-an8.json' : 'bench-fixture.json'));
};
const compare = (current: Record<string, unknown>, tol = { accuracyPoints: 0.5, latencyPercent: 10 }) =>
  compareResults(baseline(current), loadResults(writeSet(current)), tol);
const verdictOf = (r: CheckReport, needle: string) => {
  const c = r.comparisons.filter((x) => x.label.includes(needle));
  assert.equal(c.length, 1, `exactly one figure matches "${needle}": ${c.map((x) => x.label).join('; ')}`);
  return c[0];
};
const B2_ACC = 'enet_b2_8 · affectnet-8 (affectnet val, pil-bilinear, node-cpu) · accuracy';
const B0_CPU = 'enet_b0_8_best_afew (synthetic) · node-cpu · batch 1 · 2 threads · p50';

describe('regression gate', () => {
  it('a clean rerun passes and compares every figure', () => {
    const r = compare({ 'bench.json': scaledBench(() => 1), 'eval.json': evalWithAccuracy(0.635) });
    assert.equal(r.ok, true);
    assert.equal(r.failures, 0);
    // 11 timed rows minus calibration = 10 latency figures (the CUDA row is unavailable on both sides), 3 accuracy figures.
    assert.equal(r.comparisons.filter((c) => c.kind === 'latency').length, 10);
    assert.equal(r.comparisons.filter((c) => c.kind === 'accuracy').length, 3);
    assert.ok(r.comparisons.every((c) => c.verdict === 'pass'));
    assert.ok(r.comparisons.filter((c) => c.kind === 'latency').every((c) => c.calibrated));
  });

  it('catches an accuracy drop beyond the tolerance, and lets one within it pass', () => {
    const bad = compare({ 'eval.json': evalWithAccuracy(0.629) });
    const c = verdictOf(bad, B2_ACC);
    assert.equal(c.verdict, 'regression');
    assert.ok(Math.abs((c.delta as number) + 0.6) < 1e-9);
    assert.match(c.reason, /dropped 0\.60 points/);
    assert.equal(bad.ok, false);
    const ok = compare({ 'eval.json': evalWithAccuracy(0.631) });
    assert.equal(verdictOf(ok, B2_ACC).verdict, 'pass');
  });

  it("catches a value below the baseline's bootstrap interval even within the points tolerance", () => {
    // Baseline 63.5 with ci95 [62, 65]; a 2-point tolerance would let 61.8 through, the interval does not.
    const r = compare({ 'eval.json': evalWithAccuracy(0.618) }, { accuracyPoints: 2, latencyPercent: 10 });
    const c = verdictOf(r, B2_ACC);
    assert.equal(c.verdict, 'regression');
    assert.match(c.reason, /95% interval/);
    const inside = compare({ 'eval.json': evalWithAccuracy(0.622) }, { accuracyPoints: 2, latencyPercent: 10 });
    assert.equal(verdictOf(inside, B2_ACC).verdict, 'pass');
  });

  it('catches a latency regression through the calibration ratio', () => {
    const r = compare({ 'bench.json': scaledBench((m, b, n) => (m === 'enet_b0_8_best_afew' && b === 'node-cpu' && n === 1 ? 1.25 : 1)) });
    assert.equal(r.ok, false);
    const slow = r.comparisons.filter((c) => c.verdict === 'regression');
    // The twin and the real file of enet_b0_8_best_afew on node-cpu batch 1, nothing else.
    assert.equal(slow.length, 2);
    const c = verdictOf(r, B0_CPU);
    assert.equal(c.calibrated, true);
    assert.ok(Math.abs((c.delta as number) - 25) < 1e-6);
  });

  it('a machine 40% slower overall passes: the calibration row cancels it', () => {
    const r = compare({ 'bench.json': scaledBench(() => 1.4) });
    assert.equal(r.ok, true, JSON.stringify(r.comparisons.filter((c) => c.verdict !== 'pass')));
    assert.ok(Math.abs((r.noise.machineRatio as number) - 1.4) < 1e-9);
  });

  it('without calibration rows the same slower machine fails (raw comparison), and says it compared raw', () => {
    const strip = (b: ReturnType<typeof baselineBench>) => ({ ...b, rows: b.rows.filter((r) => r.model.id !== CALIBRATION_ID) });
    const base = loadResults(writeSet({ 'bench.json': strip(baselineBench()) }));
    const r = compareResults(base, loadResults(writeSet({ 'bench.json': strip(scaledBench(() => 1.4)) })), { accuracyPoints: 0.5, latencyPercent: 10 });
    assert.equal(r.ok, false);
    assert.equal(verdictOf(r, B0_CPU).calibrated, false);
    assert.match(r.noise.warnings.join(' '), /no calibration row/);
  });

  it('noise within the tolerance passes', () => {
    // Per-row jitter up to ±6% plus a 15% slower machine: every calibrated ratio stays inside 10%.
    const jitter = [1.06, 0.95, 1.03, 0.97, 1.05, 0.94, 1.02, 0.99, 1.04, 0.96, 1.01];
    let i = 0;
    const r = compare({ 'bench.json': scaledBench((m) => (m === CALIBRATION_ID ? 1.15 : 1.15 * jitter[i++ % jitter.length])) });
    assert.equal(r.ok, true, JSON.stringify(r.comparisons.filter((c) => c.verdict !== 'pass').map((c) => [c.label, c.delta])));
    assert.ok(r.comparisons.some((c) => Math.abs(c.delta as number) > 3), 'the jitter is visible in the deltas');
    assert.equal(r.noise.baseline?.rme, 1.5);
  });

  it('a figure that became unavailable fails, one that is gone fails, a new one is informational', () => {
    const b = scaledBench(() => 1);
    const row = b.rows.find((r) => r.model.id === 'enet_b2_8' && r.backend === 'node-wasm');
    assert.ok(row);
    row.available = false;
    row.reason = 'wasm backend failed to load (test)';
    delete row.latencyMs;
    b.rows = b.rows.filter((r) => !(r.model.id === 'mobilenet_7'));
    const r = compare({ 'bench.json': b, 'eval.json': { ...baselineEval(), model: { ...baselineEval().model, id: 'enet_b2_8_best' } } });
    assert.equal(verdictOf(r, 'enet_b2_8 (synthetic) · node-wasm').verdict, 'unavailable');
    assert.match(verdictOf(r, 'enet_b2_8 (synthetic) · node-wasm').reason, /failed to load/);
    assert.equal(verdictOf(r, 'mobilenet_7').verdict, 'missing');
    assert.equal(verdictOf(r, 'enet_b2_8_best · affectnet-8 (affectnet val, pil-bilinear, node-cpu) · accuracy').verdict, 'new');
    assert.equal(r.ok, false);
  });

  it('writes a Markdown summary that leads with the verdict and the failing figures', () => {
    const md = checkMarkdown(compare({ 'eval.json': evalWithAccuracy(0.62) }));
    assert.match(md, /^## affectbench regression check: ❌ 1 failing figure/);
    assert.match(md, /### Failing\n\n\| Figure \| Baseline \| Current \| Delta \| Verdict \| Why \|/);
    assert.match(md, /63\.50 \| 62\.00 \| -1\.50 pt \| REGRESSION/);
    assert.match(md, /<details><summary>All figures<\/summary>/);
    const pass = checkMarkdown(compare({ 'bench.json': scaledBench(() => 1) }));
    assert.match(pass, /✅ pass/);
    assert.match(pass, /Calibration \(machine noise\): baseline p50 2\.00 ms, sd 0\.10 ms, rme ±1\.5%/);
  });

  it('refuses two sets with nothing in common', () => {
    const other = { ...baselineEval(), model: { ...baselineEval().model, id: 'enet_b0_7' } };
    assert.throws(() => compareResults(loadResults(writeSet({ 'e.json': baselineEval() })), loadResults(writeSet({ 'e.json': other }))), /share no figure/);
  });
});
