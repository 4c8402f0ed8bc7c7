import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeAffectnetCsv, tmp } from '../../eval/test/helpers/fixtures.ts';
import { runCli } from './helpers/run-cli.ts';

test('datasets list --json: adapters with protocols, and the official manifests', async () => {
  const r = await runCli(['datasets', 'list', '--json']);
  assert.equal(r.code, 0);
  const { adapters, manifests } = JSON.parse(r.out);
  const an = adapters.find((a: { kind: string }) => a.kind === 'affectnet');
  assert.deepEqual(an.protocols.map((p: { name: string }) => p.name), ['affectnet-8', 'affectnet-7', 'affectnet-7-march2021-notebook']);
  assert.equal(manifests.find((m: { id: string }) => m.id === 'affectnet').splits.val, 4000);
  const human = await runCli(['datasets', 'list']);
  assert.match(human.out, /abaw-lsd\s+val\s+lsd-6/);
});

test('datasets verify: a fixture copy fails against the AffectNet manifest (exit 1) and says why', async () => {
  const { root } = makeAffectnetCsv(1);
  const r = await runCli(['datasets', 'verify', '--dataset', `affectnet:${root}`, '--json']);
  assert.equal(r.code, 1);
  const rep = JSON.parse(r.out);
  assert.equal(rep.ok, false);
  assert.equal(rep.found, 8);
  assert.equal(rep.skipped.counts['code 8 (None)'], 1);
  const h = await runCli(['datasets', 'verify', '--dataset', `affectnet:${root}`]);
  assert.match(h.out, /FAIL\s+samples\s+4000\s+8/);
  assert.match(h.out, /skipped 1: missing file/);
});

test('datasets verify: bad input is a clear error, not a stack trace', async () => {
  const a = await runCli(['datasets', 'verify', '--dataset', 'affectnet']);
  assert.equal(a.code, 2);
  assert.match(a.err, /--dataset must be KIND:PATH/);
  const b = await runCli(['datasets', 'verify', '--dataset', `affectnet:${join(tmp('empty'), 'nothing')}`]);
  assert.equal(b.code, 2);
  assert.match(b.err, /not an AffectNet copy I recognise/);
  const c = await runCli(['datasets', 'verify', '--dataset', 'imagenet:/x']);
  assert.match(c.err, /unknown dataset kind "imagenet"/);
  assert.doesNotMatch(a.err + b.err + c.err, /at .*\.ts:\d+/);
});
