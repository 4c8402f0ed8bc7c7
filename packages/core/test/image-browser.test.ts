import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** Every module reachable through relative imports, with the bare (package / node:) specifiers each one uses. */
function graph(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map((m) => m[1]);
    seen.set(file, specs.filter((s) => !s.startsWith('.')));
    for (const s of specs.filter((s) => s.startsWith('.'))) visit(resolve(dirname(file), s));
  };
  visit(entry);
  return seen;
}

test('image/browser.ts and postprocess.ts reach no node: module and no Node-only package', () => {
  for (const entry of ['image/browser.ts', 'postprocess.ts']) {
    const g = graph(join(SRC, entry));
    assert.ok(g.size >= 2, entry);
    for (const [file, bare] of g) assert.deepEqual(bare, [], `${file.slice(SRC.length + 1)} imports ${bare.join(', ')}`);
  }
});

test('decode.ts is where the Node-side decoders live (and is not reachable from browser.ts)', () => {
  const g = graph(join(SRC, 'image/index.ts'));
  const decode = g.get(join(SRC, 'image/decode.ts'));
  assert.ok(decode?.includes('node:fs') && decode.includes('pngjs') && decode.includes('utif'));
  // The vendored JPEG decoder is CommonJS, imported statically (so bundles carry it) from decode.ts only.
  assert.match(readFileSync(join(SRC, 'image/decode.ts'), 'utf8'), /import jpegDecoder from '\.\/vendor\/jpeg-decoder\.cjs';/);
  assert.equal(graph(join(SRC, 'image/browser.ts')).has(join(SRC, 'image/decode.ts')), false);
});
