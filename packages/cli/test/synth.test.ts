import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HSEMOTION_IDS, readModelInfo, sha256, weightsKind } from '@affectbench/core';
import { main } from '../src/main.ts';

process.env.AFFECTBENCH_QUIET = '1';
const dir = mkdtempSync(join(tmpdir(), 'affectbench-synth-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('models synth writes labelled twins and reports their hashes (--json)', async () => {
  const outDir = join(dir, 'some');
  const r = await cli(['models', 'synth', 'enet_b0_7', 'mobilenet_7', '--out', outDir, '--seed', '3', '--json']);
  assert.equal(r.code, 0, r.err);
  const rows = JSON.parse(r.out) as { id: string; path: string; sha256: string; parameterCount: number; recordParams: number; weights: string }[];
  assert.deepEqual(rows.map((x) => x.id), ['enet_b0_7', 'mobilenet_7']);
  for (const row of rows) {
    const bytes = readFileSync(row.path);
    assert.equal(sha256(bytes), row.sha256);
    assert.equal(weightsKind(bytes), 'synthetic');
    const info = readModelInfo(bytes);
    assert.equal(info.parameterCount, row.parameterCount);
    assert.equal(info.metadata['affectbench.seed'], '3');
    assert.ok(Math.abs(row.parameterCount / row.recordParams - 1) < 0.03);
  }
  assert.deepEqual(readdirSync(outDir).sort(), ['enet_b0_7.onnx', 'mobilenet_7.onnx'], 'no temporary files left behind');
  // Same seed, same bytes.
  const again = await cli(['models', 'synth', 'enet_b0_7', '--out', join(dir, 'again'), '--seed', '3', '--json']);
  assert.equal(JSON.parse(again.out)[0].sha256, rows[0].sha256);
});

test('models synth --all writes the eight HSEmotion twins with a human table', async () => {
  const outDir = join(dir, 'all');
  const r = await cli(['models', 'synth', '--all', '--out', outDir]);
  assert.equal(r.code, 0, r.err);
  for (const id of HSEMOTION_IDS) {
    assert.ok(existsSync(join(outDir, `${id}.onnx`)), `${id}.onnx missing`);
    assert.match(r.out, new RegExp(`^${id}\\s+\\d+\\s+\\d+\\s+-?\\d+\\.\\d\\d%`, 'm'));
  }
  assert.match(r.out, /latency only/);
});

test('models synth: unknown ids, missing --out and missing ids are clear user errors, nothing written', async () => {
  const outDir = join(dir, 'bad');
  const unknown = await cli(['models', 'synth', 'enet_b0_7', 'enet_b9', '--out', outDir]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /^error: unknown model "enet_b9"/);
  assert.ok(!existsSync(outDir), 'a twin was written before the unknown id was noticed');
  const noOut = await cli(['models', 'synth', 'enet_b0_7']);
  assert.equal(noOut.code, 2);
  assert.match(noOut.err, /needs --out DIR/);
  const noIds = await cli(['models', 'synth', '--out', outDir, '--json']);
  assert.equal(noIds.code, 2);
  assert.match(JSON.parse(noIds.out).error, /needs model ids or --all/);
  const badSeed = await cli(['models', 'synth', 'enet_b0_7', '--out', outDir, '--seed', '1.5']);
  assert.equal(badSeed.code, 2);
  assert.match(badSeed.err, /--seed must be an integer/);
  assert.doesNotMatch(unknown.err + noOut.err + noIds.err + badSeed.err, /internal error|\n\s+at /);
});
