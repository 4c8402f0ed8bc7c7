import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLASSES_7, argmax, getModel, sevenClassView, softmax, splitOutputs } from '../src/index.ts';

const close = (a: ArrayLike<number>, b: readonly number[], tol = 1e-12) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < b.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

describe('softmax', () => {
  it('matches the closed form on small values', () => {
    // e^0, e^1, e^2 over their sum (1 + 2.718281828 + 7.389056099 = 11.107337927)
    close(softmax([0, 1, 2]), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]);
  });
  it('is stable for huge logits (no Infinity/NaN) and shift-invariant', () => {
    close(softmax([1000, 1001, 1002]), [0.09003057317038046, 0.24472847105479764, 0.6652409557748219]);
    close(softmax([-1000, 0]), [0, 1]);
  });
  it('empty in, empty out', () => assert.equal(softmax([]).length, 0));
});

describe('argmax', () => {
  it('first maximum wins; NaN never wins; empty is -1', () => {
    assert.equal(argmax([1, 3, 3, 2]), 1);
    assert.equal(argmax([Number.NaN, 0.5, 0.2]), 1);
    assert.equal(argmax([-5, -2]), 1);
    assert.equal(argmax([]), -1);
  });
});

describe('sevenClassView', () => {
  it('drops Contempt (index 1 of the 8-class order) and keeps the 7-class order', () => {
    const v = sevenClassView([0, 1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(Array.from(v), [0, 2, 3, 4, 5, 6, 7]);
    assert.equal(v.length, CLASSES_7.length);
    // A face the 8-class model calls Contempt gets its best non-Contempt class in the 7-class view.
    assert.equal(CLASSES_7[argmax(sevenClassView([0.1, 9, 0.2, 0.3, 5, 0.4, 0.5, 0.6]))], 'Happiness');
  });
  it('rejects a row of the wrong width', () => assert.throws(() => sevenClassView([1, 2, 3]), /needs 8 scores/));
});

describe('splitOutputs', () => {
  it('va_mtl: 8 logits then valence and arousal', () => {
    const row = [0, 0, 0, 0, Math.log(5), 0, 0, 0, 0.25, -0.5];
    const s = splitOutputs(row, getModel('enet_b0_8_va_mtl'));
    assert.deepEqual(Array.from(s.scores), row.slice(0, 8));
    close(s.probabilities, [1, 1, 1, 1, 5, 1, 1, 1].map((v) => v / 12));
    assert.equal(s.valence, 0.25);
    assert.equal(s.arousal, -0.5);
  });
  it('probability models (mobilenet_7) pass their scores through, no second softmax', () => {
    const row = [0.1, 0.2, 0.3, 0.1, 0.1, 0.1, 0.1];
    const s = splitOutputs(Float32Array.from(row), getModel('mobilenet_7'));
    close(s.probabilities, Array.from(Float32Array.from(row)));
    assert.equal(s.valence, undefined);
  });
  it('a row that does not match the record is an error', () => {
    assert.throws(() => splitOutputs([1, 2, 3], getModel('enet_b2_8')), /output row has 3 values, the record says 8/);
  });
});
