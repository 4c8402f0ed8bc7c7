import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, humanPackageDir } from '@affectbench/core';
import { runCli } from './helpers/run-cli.ts';

const tmp = mkdtempSync(join(os.tmpdir(), 'cli-convert-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const EMOTION = join(humanPackageDir(), 'models', 'emotion.json');
const H5 = join(import.meta.dirname, '..', '..', 'core', 'fixtures', 'convert', 'mobilenet_tiny.h5');

test('models convert writes a valid ONNX file and reports names and shapes (--json)', async () => {
  const out = join(tmp, 'emotion.onnx');
  const r = await runCli(['models', 'convert', EMOTION, '--out', out, '--model', 'human-emotion', '--json']);
  assert.equal(r.code, 0, r.err);
  const summary = JSON.parse(r.out);
  assert.equal(summary.bytes, readFileSync(out).length);
  assert.deepEqual(summary.inputs.map((i: { name: string }) => i.name), ['input_1']);
  assert.deepEqual(summary.outputs.map((o: { name: string; shape: number[] }) => [o.name, o.shape]), [['Identity', [-1, 7]]]);
  const graph = decodeModel(readFileSync(out)).graph!;
  assert.deepEqual(graph.output!.map((o) => o.name), ['Identity']);
});

test('models convert of a Keras .h5 names the output after the last layer (human text)', async () => {
  const out = join(tmp, 'tiny.onnx');
  const r = await runCli(['models', 'convert', H5, '--out', out]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /input {2}input_1 \[N,32,32,3\]/);
  assert.match(r.out, /output emotion_preds \[N,7\]/);
});

test('models convert: shape mismatch with --model, missing --out, missing file are clear errors', async () => {
  const a = await runCli(['models', 'convert', H5, '--out', join(tmp, 'x.onnx'), '--model', 'mobilenet_7']);
  assert.equal(a.code, 2);
  assert.match(a.err, /does not match model mobilenet_7/);
  const b = await runCli(['models', 'convert', EMOTION]);
  assert.equal(b.code, 2);
  assert.match(b.err, /needs --out/);
  const c = await runCli(['models', 'convert', join(tmp, 'none.json'), '--out', join(tmp, 'y.onnx')]);
  assert.equal(c.code, 2);
  assert.match(c.err, /none\.json: no such file/);
  assert.doesNotMatch(a.err + b.err + c.err, /\n\s+at /);
});
