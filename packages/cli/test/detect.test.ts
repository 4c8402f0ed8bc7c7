import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { humanPackageDir } from '@affectbench/core';
import { crc32, deflateSync } from 'node:zlib';
import { runCli } from './helpers/run-cli.ts';

const tmp = mkdtempSync(join(os.tmpdir(), 'cli-detect-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const SAMPLES = join(humanPackageDir(), 'assets', 'samples.jpg');

/** A flat 8-bit grey PNG (the CLI package has no image encoder dependency, and this needs none). */
function greyPng(width: number, height: number, value: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // bit depth 8, colour type 0 (grey)
  const rows = Buffer.alloc((width + 1) * height, value);
  for (let y = 0; y < height; y++) rows[y * (width + 1)] = 0; // filter: none
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

test('detect --json prints boxes inside the image, best first, with crops', async () => {
  const r = await runCli(['detect', '--image', SAMPLES, '--cache-dir', tmp, '--scale', '1.4', '--square', '--json']);
  assert.equal(r.code, 0, r.err);
  const res = JSON.parse(r.out);
  assert.ok(res.faces.length >= 10, `${res.faces.length} faces`);
  for (const f of res.faces) {
    assert.ok(f.box.x >= 0 && f.box.y >= 0 && f.box.x + f.box.width <= res.width && f.box.y + f.box.height <= res.height);
    assert.ok(f.crop.width >= f.box.width && f.crop.x + f.crop.width <= res.width);
  }
  for (let i = 1; i < res.faces.length; i++) assert.ok(res.faces[i - 1].score >= res.faces[i].score);
});

test('detect prints a table, and "no faces" for a blank image', async () => {
  const r = await runCli(['detect', '--image', SAMPLES, '--cache-dir', tmp, '--max', '2']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /samples\.jpg \(\d+x\d+\): 2 faces/);
  const blank = join(tmp, 'blank.png');
  writeFileSync(blank, greyPng(64, 48, 200));
  const b = await runCli(['detect', '--image', blank, '--cache-dir', tmp]);
  assert.equal(b.code, 0, b.err);
  assert.match(b.out, /no faces/);
});

test('detect without --image or with an unknown backend is a clear error', async () => {
  const a = await runCli(['detect']);
  assert.equal(a.code, 2);
  assert.match(a.err, /needs --image/);
  const b = await runCli(['detect', '--image', SAMPLES, '--backend', 'tpu']);
  assert.equal(b.code, 2);
  assert.match(b.err, /unknown backend "tpu"/);
});
