import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeTensors, encodeTensors } from '../src/wire.ts';

test('tensors survive the binary framing, including odd-sized and empty ones', () => {
  const a = { data: Float32Array.from([1.5, -2, 3.25, Number.NaN, 1e-30]), dims: [5] };
  const b = { data: new Float32Array(0), dims: [0, 3] };
  const c = { data: new Float32Array(new Float32Array(10).fill(7).buffer, 8, 3), dims: [1, 3] };
  const out = decodeTensors(encodeTensors({ a, b, 'weird name "é"': c }));
  assert.deepEqual(Object.keys(out), ['a', 'b', 'weird name "é"']);
  assert.deepEqual([...out.a.data], [...a.data]);
  assert.deepEqual(out.a.dims, [5]);
  assert.equal(out.b.data.length, 0);
  assert.deepEqual(out.b.dims, [0, 3]);
  assert.deepEqual([...out['weird name "é"'].data], [7, 7, 7]);
});
