import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { getModel, synthesizeTwin } from '@affectbench/core';
import { makeAffectnetCsv, tmp } from '../../eval/test/helpers/fixtures.ts';
import { runCli } from './helpers/run-cli.ts';

process.env.AFFECTBENCH_QUIET = '1';

const dir = tmp('cli-twin');
const model = join(dir, getModel('enet_b0_8_best_afew').source.fileName);
writeFileSync(model, synthesizeTwin(getModel('enet_b0_8_best_afew')).bytes);
const { root } = makeAffectnetCsv(1);
const common = ['--model', model, '--dataset', `affectnet:${root}`, '--batch', '4', '--workers', '1'];

test('eval refuses a twin without --allow-synthetic, and rejects bad options clearly', async () => {
  const a = await runCli(['eval', ...common, '--out', tmp('o')]);
  assert.equal(a.code, 2);
  assert.match(a.err, /synthetic weights/);
  assert.match(a.err, /--allow-synthetic/);
  const b = await runCli(['eval', ...common, '--shard', '3/2']);
  assert.match(b.err, /--shard must be i\/n/);
  const c = await runCli(['eval', ...common, '--resize', 'bicubic']);
  assert.match(c.err, /--resize must be one of pil-bilinear, cv2-linear, nearest/);
  const d = await runCli(['eval', '--dataset', `affectnet:${root}`]);
  assert.match(d.err, /--model is required/);
  assert.doesNotMatch(a.err + b.err + c.err + d.err, /at .*\.ts:\d+/);
});

test('eval --json on shards, then merge: the merged result equals the unsharded run', async () => {
  const out = tmp('cli-eval');
  const full = await runCli(['eval', ...common, '--allow-synthetic', '--out', join(out, 'full'), '--json']);
  assert.equal(full.code, 0, full.err);
  const f = JSON.parse(full.out);
  assert.equal(f.result.model.weights, 'synthetic');
  assert.equal(f.result.dataset.counts.scored, 8);
  assert.equal(f.result.dataset.protocol, 'affectnet-8');
  assert.deepEqual(JSON.parse(readFileSync(f.resultPath, 'utf8')).metrics, f.result.metrics);
  const human = await runCli(['eval', ...common, '--allow-synthetic', '--out', join(out, 'full')]);
  assert.match(human.out, /WARNING: synthetic weights/);
  assert.match(human.out, /resumed 8/);

  const s1 = JSON.parse((await runCli(['eval', ...common, '--allow-synthetic', '--shard', '1/2', '--out', join(out, 'sh'), '--json'])).out);
  const s2 = JSON.parse((await runCli(['eval', ...common, '--allow-synthetic', '--shard', '2/2', '--out', join(out, 'sh'), '--json'])).out);
  assert.equal(s1.result.dataset.counts.scored + s2.result.dataset.counts.scored, 8);
  const m = await runCli(['merge', s1.resultPath, s2.predictionsPath, '--out', join(out, 'merged.json'), '--json']);
  assert.equal(m.code, 0, m.err);
  const merged = JSON.parse(m.out).result;
  assert.deepEqual(merged.metrics, f.result.metrics);
  assert.deepEqual(merged.dataset.counts, f.result.dataset.counts);
});

test('embed --json writes the .f32 rows and their index', async () => {
  const out = join(tmp('cli-embed'), 'emb.f32');
  const r = await runCli(['embed', ...common, '--limit', '2', '--allow-synthetic', '--out', out, '--json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.rowCount, 2);
  assert.equal(j.embedding.dim, 1280);
  assert.equal(readFileSync(out).length, 2 * (1280 + 8) * 4);
  const bad = await runCli(['embed', ...common, '--out', out]);
  assert.match(bad.err, /synthetic weights/);
});

test('eval killed with SIGKILL mid-run resumes to the predictions of an uninterrupted run', async () => {
  const { spawn } = await import('node:child_process');
  const { existsSync, readdirSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  const bin = fileURLToPath(new URL('../bin/affectbench.js', import.meta.url));
  const args = ['eval', '--model', model, '--dataset', `affectnet:${root}`, '--batch', '1', '--workers', '0', '--threads', '1', '--allow-synthetic'];
  const out = tmp('cli-kill');
  const child = spawn(process.execPath, [bin, ...args, '--out', out], { stdio: 'ignore', env: { ...process.env, AFFECTBENCH_QUIET: '1' } });
  const exited = new Promise((r) => child.on('exit', r));
  const preds = () => readdirSync(out).find((f) => f.endsWith('.predictions.jsonl'));
  const count = () => (existsSync(out) && preds() ? readFileSync(join(out, preds() as string), 'utf8').split('\n').length - 1 : 0);
  const deadline = Date.now() + 60_000;
  while (count() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  child.kill('SIGKILL');
  await exited;
  const killedAt = count();
  assert.ok(killedAt >= 3 && killedAt < 8, `killed after ${killedAt} of 8 rows`);
  const resumed = await runCli([...args, '--out', out, '--json']);
  assert.equal(resumed.code, 0, resumed.err);
  assert.equal(JSON.parse(resumed.out).resumed, killedAt);
  const full = JSON.parse((await runCli([...args, '--out', tmp('cli-nokill'), '--json'])).out);
  const rows = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).sort((a, b) => (a.id < b.id ? -1 : 1));
  assert.deepEqual(rows(JSON.parse(resumed.out).predictionsPath), rows(full.predictionsPath));
  assert.deepEqual(JSON.parse(resumed.out).result.metrics, full.result.metrics);
});
