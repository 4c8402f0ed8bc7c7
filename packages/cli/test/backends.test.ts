import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BACKEND_NAMES } from '@affectbench/core';
import { runCli } from './helpers/run-cli.ts';

test('backends --json answers for all six names; node-cpu runs; unavailable ones say why', async () => {
  const r = await runCli(['backends', '--json']);
  assert.equal(r.code, 0, r.err);
  const infos = JSON.parse(r.out) as { name: string; available: boolean; reason?: string; details: Record<string, unknown> }[];
  assert.deepEqual(infos.map((i) => i.name), [...BACKEND_NAMES]);
  assert.equal(infos.find((i) => i.name === 'node-cpu')?.available, true);
  for (const i of infos) assert.ok(i.available || (i.reason ?? '').length > 10, `${i.name}: no reason`);
  const cuda = infos.find((i) => i.name === 'node-cuda');
  if (cuda && !cuda.available) assert.match(cuda.reason ?? '', /CUDA|NVIDIA/);
});
