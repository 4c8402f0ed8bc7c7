import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { GraphBuilder } from '@affectbench/core';
import { runCli } from './helpers/run-cli.ts';

/** An ONNX file with enet_b2_8's I/O contract; `size` changes the input side to make a wrong-shape file. */
function tiny(size: number, metadata: Record<string, string> = { weights: 'synthetic' }): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('input', ['batch_size', 3, size, size]);
  const f = g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 });
  g.output(g.op('Gemm', [f, g.weight('fc', [8, 3], new Float32Array(24).fill(0.1))], { transB: 1 }, 'output'), ['batch_size', 8]);
  return g.toBytes({ opset: 11, metadata });
}

let dir: string;
let server: http.Server;
let base: string;
const served = tiny(260, {});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ab-cli-store-'));
  server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-length': served.length });
    res.end(served);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.AFFECTBENCH_QUIET = '1';
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

test('models verify: exit 0 on a good cache, 1 when a present file fails; --json holds the per-file report', async () => {
  const good = join(dir, 'good');
  const r0 = await runCli(['models', 'verify', '--cache-dir', good, '--json']);
  assert.equal(r0.code, 0, 'an absent cache has nothing that fails');
  mkdirSync(good);
  writeFileSync(join(good, 'enet_b2_8.onnx'), tiny(260));
  const r1 = await runCli(['models', 'verify', '--cache-dir', good]);
  assert.equal(r1.code, 0, r1.out + r1.err);
  assert.match(r1.out, /enet_b2_8 +ok +synthetic/);
  assert.match(r1.out, /never for accuracy/);
  writeFileSync(join(good, 'enet_b2_7.onnx'), tiny(224));
  const r2 = await runCli(['models', 'verify', '--cache-dir', good, '--json']);
  assert.equal(r2.code, 1);
  const report = JSON.parse(r2.out);
  const b27 = report.files.find((f: { id?: string }) => f.id === 'enet_b2_7');
  assert.equal(b27.status, 'failed');
  assert.match(b27.problems.join(), /expected \[batch,3,260,260\]/);
  const r3 = await runCli(['models', 'verify', '--cache-dir', good]);
  assert.match(r3.out, /enet_b2_7\.onnx:\n {2}- input "input" has shape/);
});

test('models fetch: downloads from a mirror; a wrong file fails with exit 1 and leaves nothing', async () => {
  const cache = join(dir, 'fetch');
  // The served bytes are not the official enet_b2_8 file, so the git blob check must refuse them.
  const r = await runCli(['models', 'fetch', 'enet_b2_8', '--cache-dir', cache, '--base-url', base, '--json']);
  assert.equal(r.code, 1);
  const [row] = JSON.parse(r.out);
  assert.equal(row.status, 'failed');
  assert.match(row.error, /git blob sha1 [0-9a-f]{40}, expected a7cb612cbab1ce3d50dd52e57285fb2c7ea6d0d9/);
  assert.deepEqual(readdirSync(cache), []);
});

test('models fetch: offline is one clear message with the hand-placement path, no stack trace', async () => {
  const cache = join(dir, 'offline');
  const r = await runCli(['models', 'fetch', 'enet_b0_8_best_afew', '--cache-dir', cache, '--base-url', 'http://127.0.0.1:1']);
  assert.equal(r.code, 1);
  assert.match(r.out, /cannot download enet_b0_8_best_afew from http:\/\/127\.0\.0\.1:1\/enet_b0_8_best_afew\.onnx: connection refused/);
  assert.ok(r.out.includes(join(cache, 'enet_b0_8_best_afew.onnx')));
  assert.doesNotMatch(r.out + r.err, /at .*\.ts:\d+/);
});

test('models fetch --all lists the .h5/.pt models with their conversion route; bad usage exits 2', async () => {
  const r = await runCli(['models', 'fetch', '--all', '--cache-dir', join(dir, 'all'), '--base-url', 'http://127.0.0.1:1', '--json']);
  const rows = JSON.parse(r.out);
  assert.equal(rows.length, 8);
  assert.deepEqual(rows.filter((x: { status: string }) => x.status === 'needs-conversion').map((x: { id: string }) => x.id), ['mobilenet_7', 'enet_b0_7']);
  assert.match(rows.find((x: { id: string }) => x.id === 'enet_b0_7').hint, /convert_pt_to_onnx\.py/);
  assert.equal(r.code, 1, 'the six ONNX downloads failed (nothing listens on port 1)');
  assert.equal((await runCli(['models', 'fetch'])).code, 2);
  assert.equal((await runCli(['models', 'fetch', 'enet_b9'])).code, 2);
  const conv = await runCli(['models', 'fetch', 'mobilenet_7', '--cache-dir', join(dir, 'all')]);
  assert.equal(conv.code, 1);
  assert.match(conv.out, /mobilenet_7 has no ONNX file to download[\s\S]*affectbench models convert/);
});
