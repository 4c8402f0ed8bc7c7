import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AssetServer } from '../src/browser/server.ts';

test('the asset server is cross-origin isolated, serves onnxruntime-web, hands out blobs once and nothing outside dist', async () => {
  const s = await AssetServer.start();
  try {
    assert.match(s.origin, /^http:\/\/127\.0\.0\.1:\d+$/);
    const page = await fetch(`${s.origin}/`);
    assert.equal(page.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(page.headers.get('cross-origin-embedder-policy'), 'require-corp');
    const wasm = await fetch(`${s.origin}/ort/ort-wasm-simd-threaded.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.equal(wasm.headers.get('cross-origin-embedder-policy'), 'require-corp');
    await wasm.arrayBuffer();
    assert.match(await (await fetch(`${s.origin}/page.js`)).text(), /affectbench/);
    for (const bad of ['/ort/../package.json', '/ort/%2e%2e%2fpackage.json', '/etc/passwd']) assert.equal((await fetch(`${s.origin}${bad}`)).status, 404, bad);

    const once = s.put(Uint8Array.from([1, 2, 3]));
    assert.deepEqual([...new Uint8Array(await (await fetch(`${s.origin}${once}`)).arrayBuffer())], [1, 2, 3]);
    assert.equal((await fetch(`${s.origin}${once}`)).status, 404);
    const kept = s.put(Uint8Array.from([9]), { keep: true });
    assert.equal((await fetch(`${s.origin}${kept}`)).status, 200);
    assert.equal((await fetch(`${s.origin}${kept}`)).status, 200);

    const inbox = s.inbox();
    assert.equal((await fetch(`${s.origin}${inbox.path}`, { method: 'POST', body: Uint8Array.from([4, 5]) })).status, 204);
    assert.deepEqual([...(await inbox.received)], [4, 5]);
    assert.equal((await fetch(`${s.origin}${inbox.path}`, { method: 'POST', body: Uint8Array.from([6]) })).status, 404);
  } finally {
    await s.close();
  }
});
