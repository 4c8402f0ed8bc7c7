import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  GraphBuilder,
  type ModelRecord,
  UserError,
  cacheDir,
  fetchModel,
  getModel,
  gitBlobSha1,
  resolveModel,
  verifyModels,
} from '@affectbench/core';

/** GlobalAveragePool → Flatten → Gemm: the I/O contract of an 8-class EfficientNet record at a few hundred bytes. */
function headOnly(opts: { size?: number; classes?: number; synthetic?: boolean } = {}): Uint8Array {
  const size = opts.size ?? 224;
  const classes = opts.classes ?? 8;
  const g = new GraphBuilder('head');
  const x = g.input('input', ['batch_size', 3, size, size]);
  const f = g.op('Flatten', [g.op('GlobalAveragePool', [x])], { axis: 1 });
  const w = g.weight('fc', [classes, 3], Float32Array.from({ length: classes * 3 }, (_, i) => i / 10));
  g.output(g.op('Gemm', [f, w], { transB: 1 }, 'output'), ['batch_size', classes]);
  return g.toBytes({ opset: 11, metadata: opts.synthetic ? { weights: 'synthetic' } : {} });
}

const payload = headOnly();
const record = (over: Partial<ModelRecord['source']> = {}): ModelRecord => {
  const base = getModel('enet_b0_8_best_afew');
  return {
    ...base,
    id: 'store_test_model',
    source: { ...base.source, fileName: 'store_test_model.onnx', gitBlobSha1: gitBlobSha1(payload), sha256: createHash('sha256').update(payload).digest('hex'), ...over },
  };
};

let server: http.Server;
let base: string;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ab-store-'));
  server = http.createServer((req, res) => {
    const [, route] = (req.url ?? '').split('/');
    if (route === 'ok') {
      res.writeHead(200, { 'content-length': payload.length });
      res.end(payload);
    } else if (route === 'chunked') {
      res.writeHead(200);
      res.write(payload.subarray(0, 10));
      res.end(payload.subarray(10));
    } else if (route === 'redirect') {
      res.writeHead(302, { location: `/ok/${req.url?.split('/').pop()}` });
      res.end();
    } else if (route === 'truncated') {
      res.writeHead(200, { 'content-length': payload.length });
      // end(), not destroy(): a FIN after the data, so the client reads the half body before it sees the close.
      res.write(payload.subarray(0, payload.length >> 1), () => res.socket?.end());
    } else if (route === 'stall') {
      res.writeHead(200, { 'content-length': payload.length });
      res.write(payload.subarray(0, 16)); // then nothing: the client's idle timeout must fire
    } else if (route === 'altered') {
      const bad = Uint8Array.from(payload);
      bad[bad.length - 1] ^= 0xff;
      res.writeHead(200, { 'content-length': bad.length });
      res.end(bad);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh cache dir per case, so that "no file left" is checked on an empty directory. */
function fresh(name: string): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const noProgress = { progress: false, timeoutMs: 5000 };

describe('fetchModel', () => {
  test('downloads, checks sha256 and the git blob id, and places the file', async () => {
    const d = fresh('ok');
    const r = await fetchModel(record(), { ...noProgress, cacheDir: d, baseUrl: `${base}/ok` });
    assert.equal(r.status, 'downloaded');
    assert.deepEqual(r.checked, ['sha256', 'gitBlobSha1']);
    assert.deepEqual(readFileSync(join(d, 'store_test_model.onnx')), Buffer.from(payload));
    assert.deepEqual(readdirSync(d), ['store_test_model.onnx']);
    const again = await fetchModel(record(), { ...noProgress, cacheDir: d, baseUrl: `${base}/404` });
    assert.equal(again.status, 'present', 'a file that passes the checks is not downloaded again');
  });

  test('follows redirects and handles a body without Content-Length', async () => {
    for (const route of ['redirect', 'chunked']) {
      const d = fresh(route);
      const r = await fetchModel(record(), { ...noProgress, cacheDir: d, baseUrl: `${base}/${route}` });
      assert.equal(r.checksums.gitBlobSha1, gitBlobSha1(payload));
      assert.deepEqual(readdirSync(d), ['store_test_model.onnx']);
    }
  });

  test('the mirror URL can come from AFFECTBENCH_MODEL_BASE_URL', async () => {
    const d = fresh('env');
    const r = await fetchModel(record(), { ...noProgress, cacheDir: d, env: { AFFECTBENCH_MODEL_BASE_URL: `${base}/ok/` } });
    assert.equal(r.url, `${base}/ok/store_test_model.onnx`);
  });

  test('a truncated download is an error and leaves no file', async () => {
    const d = fresh('truncated');
    await assert.rejects(fetchModel(record(), { ...noProgress, cacheDir: d, baseUrl: `${base}/truncated` }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /interrupted after \d+ of \d+ bytes|truncated|connection reset/);
      return true;
    });
    assert.deepEqual(readdirSync(d), []);
  });

  test('a server that stops sending times out: error, no file', async () => {
    const d = fresh('stall');
    await assert.rejects(fetchModel(record(), { progress: false, timeoutMs: 300, cacheDir: d, baseUrl: `${base}/stall` }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /interrupted after 16 of \d+ bytes \(no data for 0.3 s, timed out\)/);
      return true;
    });
    assert.deepEqual(readdirSync(d), []);
  });

  test('a checksum mismatch is an error and leaves no file (nor replaces a previous one)', async () => {
    const d = fresh('altered');
    await assert.rejects(fetchModel(record(), { ...noProgress, cacheDir: d, baseUrl: `${base}/altered` }), (e: unknown) => e instanceof UserError && /sha256 .*expected/.test(e.message) && /git blob sha1/.test(e.message));
    assert.deepEqual(readdirSync(d), []);
    const twin = headOnly({ synthetic: true });
    writeFileSync(join(d, 'store_test_model.onnx'), twin);
    await assert.rejects(fetchModel(record(), { ...noProgress, cacheDir: d, baseUrl: `${base}/altered` }), UserError);
    assert.deepEqual(readFileSync(join(d, 'store_test_model.onnx')), Buffer.from(twin));
    rmSync(join(d, 'store_test_model.onnx'));
    // Only the git blob id known (the case of the official files): still caught.
    await assert.rejects(fetchModel(record({ sha256: undefined }), { ...noProgress, cacheDir: d, baseUrl: `${base}/altered` }), /git blob sha1 [0-9a-f]{40}, expected/);
    assert.deepEqual(readdirSync(d), []);
  });

  test('connection refused and an unresolvable host: one clear error naming URL, cause and where to put the file', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const d = fresh('offline');
    const dest = join(d, 'store_test_model.onnx');
    for (const [url, cause] of [[`http://127.0.0.1:${port}`, /connection refused/], ['http://affectbench-no-such-host.invalid', /host not found/]] as const) {
      await assert.rejects(fetchModel(record(), { ...noProgress, cacheDir: d, baseUrl: url }), (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.ok(e.message.includes(`${url}/store_test_model.onnx`), e.message);
        assert.match(e.message, cause);
        assert.ok(e.hint?.includes(dest), e.hint);
        assert.ok(e.hint?.includes(getModel('enet_b0_8_best_afew').source.url), 'names the official URL to download by hand');
        return true;
      });
    }
    assert.deepEqual(readdirSync(d), []);
  });

  test('h5 and pt records are not downloaded; the error gives the conversion route', async () => {
    for (const id of ['mobilenet_7', 'enet_b0_7']) {
      const r = getModel(id);
      await assert.rejects(fetchModel(r, { ...noProgress, cacheDir: fresh('conv'), baseUrl: `${base}/ok` }), (e: unknown) => {
        assert.ok(e instanceof UserError && e.hint?.includes(r.source.conversion ?? '!'));
        return true;
      });
    }
  });
});

describe('cache directory and resolveModel', () => {
  test('precedence: --cache-dir > AFFECTBENCH_MODELS > XDG_CACHE_HOME > ~/.cache', () => {
    const env = { AFFECTBENCH_MODELS: '/m', XDG_CACHE_HOME: '/x', HOME: process.env.HOME };
    assert.equal(cacheDir({ cacheDir: '/flag', env }), '/flag');
    assert.equal(cacheDir({ env }), '/m');
    assert.equal(cacheDir({ env: { XDG_CACHE_HOME: '/x' } }), '/x/affectbench/models');
    assert.match(cacheDir({ env: {} }), /\.cache\/affectbench\/models$/);
  });

  test('a registry id resolves in the cache; a missing one says where to put it and how to get it', () => {
    const d = fresh('resolve');
    assert.throws(() => resolveModel('enet_b2_8', { cacheDir: d }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.ok(e.message.includes(join(d, 'enet_b2_8.onnx')));
      assert.match(e.hint ?? '', /affectbench models fetch enet_b2_8/);
      return true;
    });
    assert.throws(() => resolveModel('enet_b0_7', { cacheDir: d }), (e: unknown) => e instanceof UserError && /convert_pt_to_onnx\.py/.test(e.hint ?? ''));
    writeFileSync(join(d, 'enet_b0_8_best_afew.onnx'), headOnly({ synthetic: true }));
    const r = resolveModel('enet_b0_8_best_afew', { cacheDir: d });
    assert.equal(r.record?.id, 'enet_b0_8_best_afew');
    assert.equal(r.weights, 'synthetic');
    assert.equal(r.bytes, headOnly({ synthetic: true }).length);
    const other = join(d, 'anything.onnx');
    writeFileSync(other, payload);
    const p = resolveModel(other);
    assert.equal(p.record, undefined);
    assert.equal(p.weights, 'real');
    assert.equal(p.sha256, createHash('sha256').update(payload).digest('hex'));
    assert.throws(() => resolveModel(join(d, 'nope.onnx')), /nope\.onnx: no such file/);
    assert.throws(() => resolveModel('no_such_model'), /unknown model/);
  });
});

describe('verifyModels', () => {
  test('good, corrupt and wrong-shape files; missing ones are not failures', async () => {
    const good = fresh('verify-good');
    writeFileSync(join(good, 'enet_b0_8_best_afew.onnx'), headOnly({ synthetic: true }));
    writeFileSync(join(good, 'enet_b2_8.onnx'), headOnly({ size: 260, synthetic: true }));
    const g = await verifyModels(good);
    assert.equal(g.ok, true, JSON.stringify(g.files.filter((f) => f.problems.length)));
    const afew = g.files.find((f) => f.id === 'enet_b0_8_best_afew');
    assert.equal(afew?.status, 'ok');
    assert.equal(afew?.weights, 'synthetic');
    assert.equal(afew?.gitBlob, 'n/a');
    assert.deepEqual(afew?.inputs, [{ name: 'input', dims: ['batch_size', 3, 224, 224] }]);
    assert.equal(g.files.find((f) => f.id === 'enet_b2_7')?.status, 'missing');

    const bad = fresh('verify-bad');
    writeFileSync(join(bad, 'enet_b0_8_best_vgaf.onnx'), Buffer.from('this is not a protobuf at all, only text'));
    writeFileSync(join(bad, 'enet_b2_7.onnx'), headOnly({ size: 224, classes: 7, synthetic: true }));
    writeFileSync(join(bad, 'enet_b2_8.onnx'), headOnly({ size: 260 }));
    const b = await verifyModels(bad);
    assert.equal(b.ok, false);
    const by = (id: string) => b.files.find((f) => f.id === id);
    assert.equal(by('enet_b0_8_best_vgaf')?.status, 'failed');
    assert.match(by('enet_b2_7')?.problems.join() ?? '', /input "input" has shape \[batch_size,3,224,224\], expected \[batch,3,260,260\]/);
    // Labelled real but not the official bytes: the git blob check catches it.
    assert.equal(by('enet_b2_8')?.gitBlob, 'mismatch');
  });

  test('an unregistered ONNX file in the cache is load-checked too', async () => {
    const d = fresh('verify-other');
    writeFileSync(join(d, 'mine.onnx'), payload);
    writeFileSync(join(d, 'broken.onnx'), Buffer.from([1, 2, 3]));
    const r = await verifyModels(d);
    assert.equal(r.files.find((f) => f.file === 'mine.onnx')?.status, 'ok');
    assert.equal(r.files.find((f) => f.file === 'broken.onnx')?.status, 'failed');
    assert.ok(!existsSync(join(d, 'enet_b2_8.onnx')));
  });
});
