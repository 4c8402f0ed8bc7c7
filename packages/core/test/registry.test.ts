import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CLASSES_7, CLASSES_8, getModel, HSEMOTION_IDS, listModels, UserError } from '../src/index.ts';

test('every record is internally consistent', () => {
  for (const m of listModels()) {
    const heads = m.outputs.extraHeads ?? [];
    assert.equal(m.outputs.classes.length + heads.length, m.outputs.size, `${m.id}: classes + heads = output width`);
    for (const h of heads) assert.ok(h.index >= m.outputs.classes.length && h.index < m.outputs.size, `${m.id}: head ${h.name} index`);
    const channels = m.input.color === 'GRAY' ? 1 : 3;
    assert.equal(m.normalisation.mean.length, channels, `${m.id}: mean per channel`);
    assert.equal(m.normalisation.std.length, channels, `${m.id}: std per channel`);
    assert.ok(m.normalisation.std.every((s) => s > 0), `${m.id}: std > 0`);
    if (m.input.color === 'GRAY') assert.equal(m.normalisation.gray?.length, 3, `${m.id}: gray weights`);
    assert.ok(m.architecture.params > 0, `${m.id}: params`);
  }
});

test('the eight HSEmotion models carry the facts of the reference', () => {
  assert.equal(HSEMOTION_IDS.length, 8);
  const b2 = getModel('enet_b2_8');
  assert.equal(b2.input.width, 260);
  assert.deepEqual(b2.outputs.classes, CLASSES_8);
  assert.equal(b2.architecture.params, 7_712_266);
  assert.equal(getModel('enet_b0_8_best_afew').architecture.params, 4_017_796);
  assert.deepEqual(getModel('enet_b2_7').outputs.classes, CLASSES_7);
  const mob = getModel('mobilenet_7');
  assert.equal(mob.input.layout, 'NHWC');
  assert.deepEqual(mob.normalisation.mean, [103.939, 116.779, 123.68]);
  assert.equal(mob.normalisation.scale, 1);
  assert.equal(mob.outputs.kind, 'probabilities');
  // Two of the eight have no official ONNX: their records must say how to get one.
  for (const id of ['mobilenet_7', 'enet_b0_7']) assert.ok(getModel(id).source.conversion, id);
  assert.equal(getModel('enet_b0_8_va_mtl').paper?.mtl, 1.276);
});

test('an unknown id is a UserError listing the known ones', () => {
  assert.throws(() => getModel('enet_b9'), (e: unknown) => e instanceof UserError && /unknown model "enet_b9"/.test(e.message) && /mobilenet_7/.test(e.hint ?? ''));
});
