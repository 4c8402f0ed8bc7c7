import { UserError } from '@affectbench/core';

/**
 * Lin's concordance correlation coefficient, 2·cov / (var_x + var_y + (mean_x − mean_y)²), with
 * population (ddof 0) moments as numpy's defaults and the ABAW evaluation scripts use.
 * Two passes (means first) keep it accurate for values near ±1 with small spread.
 * With `index`, only those samples (with repetition) are used: for bootstrap resamples.
 */
export function ccc(truth: ArrayLike<number>, pred: ArrayLike<number>, index?: ArrayLike<number>): number {
  if (truth.length !== pred.length) throw new UserError(`CCC: truth and prediction differ in length (${truth.length} vs ${pred.length})`);
  const n = index ? index.length : truth.length;
  if (n === 0) throw new UserError('CCC: no samples');
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    const j = index ? index[i] : i;
    mx += truth[j];
    my += pred[j];
  }
  mx /= n;
  my /= n;
  let vx = 0;
  let vy = 0;
  let cov = 0;
  for (let i = 0; i < n; i++) {
    const j = index ? index[i] : i;
    const dx = truth[j] - mx;
    const dy = pred[j] - my;
    vx += dx * dx;
    vy += dy * dy;
    cov += dx * dy;
  }
  vx /= n;
  vy /= n;
  cov /= n;
  const denom = vx + vy + (mx - my) * (mx - my);
  // Both constant and equal: perfect agreement by any reading; avoid 0/0.
  if (denom === 0) return 1;
  return (2 * cov) / denom;
}
