import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { BadFileError } from '@affectbench/core';
import { computeClassification } from '../src/metrics/index.ts';
import {
  BadLineError,
  PredictionWriter,
  predictionOf,
  readCompletedIds,
  readPredictionsFile,
  scorePredictions,
} from '../src/predictions.ts';

const dir = mkdtempSync(join(tmpdir(), 'affectbench-preds-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const file = (text: string) => {
  const p = join(dir, `p${counter++}.jsonl`);
  writeFileSync(p, text);
  return p;
};

const fx = JSON.parse(readFileSync(new URL('../fixtures/sklearn/metrics.json', import.meta.url), 'utf8'));

test('scores from a JSONL file reproduce sklearn on the fixture (argmax of scores)', async () => {
  const c = fx.classification.find((x: { name: string }) => x.name === 'random-8');
  const p = file(`${c.labels.map((l: number, i: number) => JSON.stringify({ id: `s${i}`, label: l, scores: c.scores[i], faces: 1 })).join('\n')}\n`);
  const recs = await readPredictionsFile(p);
  assert.equal(recs.length, c.labels.length);
  assert.equal(recs[0].faces, 1, 'extra fields are kept');
  const m = scorePredictions(recs, { bootstrap: 0 });
  assert.equal(m.perClass.length, 8);
  assert.ok(Math.abs(m.accuracy - c.accuracy) < 1e-9);
  assert.ok(Math.abs(m.macroF1 - c.macroF1) < 1e-9);
  assert.ok(Math.abs(m.uar - c.balancedAccuracy) < 1e-9);
  assert.equal(m.ci95, undefined);
  const withCi = scorePredictions(recs, { bootstrap: 200, seed: 1 });
  assert.ok(withCi.ci95?.accuracy && withCi.ci95.accuracy[0] < m.accuracy && m.accuracy < withCi.ci95.accuracy[1]);
});

test('"pred" records, pred taking precedence over scores, CCC over records with both fields', () => {
  assert.equal(predictionOf({ id: 'a', label: 0, scores: [0.1, 0.9], pred: 0 }), 0);
  assert.equal(predictionOf({ id: 'a', label: 0, scores: [0.5, 0.5] }), 0, 'first max wins, as numpy argmax');
  const recs = [
    { id: 'a', label: 0, pred: 0, valence: 0.1, valenceTrue: 0.2, arousal: 0.3, arousalTrue: 0.1 },
    { id: 'b', label: 1, pred: 1, valence: -0.4, valenceTrue: -0.3, arousal: 0.0, arousalTrue: 0.2 },
    { id: 'c', label: 2, pred: 1, valence: 0.5, valenceTrue: 0.6 },
  ];
  const m = scorePredictions(recs, { bootstrap: 0 });
  assert.deepEqual(m, {
    ...computeClassification({ labels: [0, 1, 2], preds: [0, 1, 1], numClasses: 3 }),
    ccc: { valence: m.ccc?.valence, arousal: m.ccc?.arousal },
  });
  // arousal uses only a and b: means 0.15 / 0.15, var 0.0225 / 0.0025, cov −0.0075
  assert.ok(Math.abs((m.ccc?.arousal ?? 0) - (2 * -0.0075) / (0.0225 + 0.0025)) < 1e-12);
  assert.throws(() => scorePredictions([]), /no predictions/);
  assert.throws(() => scorePredictions([{ id: 'a', label: 3, pred: 0 }], { numClasses: 3 }), /out of range/);
});

async function problem(text: string, opts: { numClasses?: number } = {}): Promise<BadLineError> {
  const p = file(text);
  try {
    await readPredictionsFile(p, opts);
  } catch (err) {
    assert.ok(err instanceof BadLineError && err instanceof BadFileError, String(err));
    assert.ok(err.message.startsWith(`${p}:${err.line}: `), err.message);
    return err;
  }
  assert.fail(`no error for ${text}`);
}

test('malformed lines are reported as file:line with the problem', async () => {
  const ok = '{"id":"a","label":0,"scores":[0.2,0.8]}\n';
  let e = await problem(`${ok}{"id":"b","label":1,"scores":[0.2,0.8\n`);
  assert.equal(e.line, 2);
  assert.match(e.message, /not valid JSON/);
  e = await problem(`${ok}\n{"id":"b","scores":[0.2,0.8]}\n`);
  assert.equal(e.line, 3, 'blank lines still count');
  assert.match(e.message, /missing "label"/);
  e = await problem(`${ok}{"id":"b","label":1,"scores":[0.2,0.3,0.5]}\n`);
  assert.match(e.message, /"scores" has 3 values, line 1 has 2/);
  e = await problem(`${ok}{"id":"b","label":1,"scores":[0.2,0.3,0.5]}\n`, { numClasses: 2 });
  assert.equal(e.line, 2);
  assert.match(e.message, /"scores" has 3 values, expected 2/);
  e = await problem(`{"id":"a","label":0,"pred":0}\n{"id":"b","label":7,"pred":1}\n`, { numClasses: 7 });
  assert.equal(e.line, 2);
  assert.match(e.message, /label 7 is out of range for 7 classes/);
  e = await problem('{"id":"b","label":1.5,"pred":1}\n');
  assert.match(e.message, /"label" must be a non-negative integer/);
  e = await problem('{"id":"b","label":1}\n');
  assert.match(e.message, /needs "scores".*or "pred"/);
  e = await problem(`${ok}${ok}`);
  assert.match(e.message, /duplicate id "a" \(first on line 1\)/);
  e = await problem('[1,2]\n');
  assert.match(e.message, /not a JSON object/);
  e = await problem('{"id":"b","label":1,"pred":1,"valence":"high"}\n');
  assert.match(e.message, /"valence" must be a finite number/);
  e = await problem(`${ok}{"id":"b","label":1,"scores":[0.2,0.`);
  assert.equal(e.line, 2, 'a truncated last line is an error when scoring');
  await assert.rejects(readPredictionsFile(join(dir, 'missing.jsonl')), /missing\.jsonl: no such file/);
  await assert.rejects(readPredictionsFile(file('\n\n')), /contains no predictions/);
  assert.deepEqual(await readPredictionsFile(file(''), { allowEmpty: true }), []);
});

test('the writer appends and resumes after a kill: truncated last line tolerated and cut off', () => {
  const p = join(dir, 'run.jsonl');
  assert.equal(readCompletedIds(p).size, 0, 'no file yet');
  const w = new PredictionWriter(p);
  w.append({ id: 'x1', label: 0, scores: [0.9, 0.1] });
  w.append({ id: 'x2', label: 1, scores: [0.3, 0.7], frames: 12 });
  w.close();
  appendFileSync(p, '{"id":"x3","label":1,"sco'); // the write a kill interrupted
  assert.deepEqual([...readCompletedIds(p)], ['x1', 'x2']);
  const w2 = new PredictionWriter(p);
  w2.append({ id: 'x3', label: 1, pred: 1 });
  w2.close();
  const lines = readFileSync(p, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 3);
  assert.deepEqual(JSON.parse(lines[2]), { id: 'x3', label: 1, pred: 1 });
  assert.deepEqual([...readCompletedIds(p)], ['x1', 'x2', 'x3']);
  assert.throws(() => new PredictionWriter(p).append({ id: '', label: 0, pred: 0 }), /missing "id"/);
  const bad = file('{"id":"a","label":0,"pred":0}\nnot json\n{"id":"b","label":0,"pred":0}\n');
  assert.throws(() => readCompletedIds(bad), (e: unknown) => e instanceof BadLineError && e.line === 2);
});
