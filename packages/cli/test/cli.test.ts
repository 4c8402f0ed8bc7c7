import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runCli } from './helpers/run-cli.ts';

test('models list --json holds all eight records with their fields', async () => {
  const r = await runCli(['models', 'list', '--json']);
  assert.equal(r.code, 0);
  const models = JSON.parse(r.out);
  assert.deepEqual(
    models.map((m: { id: string }) => m.id),
    ['mobilenet_7', 'enet_b0_8_best_afew', 'enet_b0_8_best_vgaf', 'enet_b0_8_va_mtl', 'enet_b0_7', 'enet_b2_7', 'enet_b2_8', 'enet_b2_8_best'],
  );
  for (const m of models) {
    assert.ok(m.input.width === 224 || m.input.width === 260, m.id);
    assert.equal(m.outputs.classes.length + (m.outputs.extraHeads?.length ?? 0), m.outputs.size, m.id);
    assert.ok(m.source.url.startsWith('https://'), m.id);
    assert.ok(m.source.gitBlobSha1?.match(/^[0-9a-f]{40}$/), m.id);
    assert.ok(m.paper.affectnet7 > 60, m.id);
  }
  const mtl = models.find((m: { id: string }) => m.id === 'enet_b0_8_va_mtl');
  assert.deepEqual(mtl.outputs.extraHeads, [{ name: 'valence', index: 8 }, { name: 'arousal', index: 9 }]);
});

test('an unknown command or option is a clear error with a non-zero exit, never a stack trace', async () => {
  const a = await runCli(['modles', 'list']);
  assert.equal(a.code, 2);
  assert.match(a.err, /unknown command "modles list"/);
  const b = await runCli(['models', 'list', '--colour']);
  assert.equal(b.code, 2);
  assert.match(b.err, /unknown option --colour/);
  assert.doesNotMatch(a.err + b.err, /at .*\.ts:\d+/);
  const c = await runCli(['models', 'list', '--json', '--bogus']);
  assert.equal(JSON.parse(c.out).error, 'unknown option --bogus');
});

test('the bin runs through node with no build step', () => {
  const bin = fileURLToPath(new URL('../bin/affectbench.js', import.meta.url));
  const r = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /models list/);
});
