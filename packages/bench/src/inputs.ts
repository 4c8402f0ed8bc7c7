import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Box, type ModelRecord, type RgbImage, UserError, readImageSync, toTensor } from '@affectbench/core';
import type { BenchInputs } from './runner.ts';

/**
 * Real pixels, really preprocessed: square tiles of @vladmandic/human's samples.jpg (a collage of people),
 * one tile per batch item, through core's toTensor with the record's own resize and normalisation.
 * Latency of some kernels depends on the data (denormals, activations), so zeros or constants would not do.
 */
export function sampleImagePath(): string {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve('@vladmandic/human'));
  for (let i = 0; i < 4 && !dir.endsWith('/human'); i++) dir = dirname(dir);
  return join(dir, 'assets', 'samples.jpg');
}

let sample: RgbImage | null = null;

function loadSample(): RgbImage {
  if (sample) return sample;
  const path = sampleImagePath();
  if (!existsSync(path)) throw new UserError(`the benchmark input image is missing (${path})`, { hint: 'npm install (it ships with @vladmandic/human)' });
  sample = readImageSync(path);
  return sample;
}

const TILE = 256;

export function imageInputs(record: ModelRecord, batch: number): BenchInputs {
  const img = loadSample();
  const cols = Math.floor(img.width / TILE);
  // The top strip of samples.jpg is small thumbnails on white; the tiles come from the group photo below it.
  const top = img.height >= 2 * TILE ? TILE : 0;
  const rows = Math.floor((img.height - top) / TILE);
  const boxes: Box[] = Array.from({ length: batch }, (_, i) => {
    const t = i % (cols * rows);
    return { x: (t % cols) * TILE, y: top + Math.floor(t / cols) * TILE, width: TILE, height: TILE };
  });
  const tensor = toTensor(Array.from({ length: batch }, () => img), record, { box: boxes });
  return {
    feeds: { [record.input.name]: tensor },
    source: `samples.jpg (@vladmandic/human), ${batch} tile(s) of ${TILE}px, ${record.normalisation.resize} to ${record.input.width}x${record.input.height}`,
  };
}
