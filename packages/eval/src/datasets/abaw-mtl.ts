import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadFileError, UserError } from '@affectbench/core';
import { ABAW_AUS, ABAW_EXPRESSIONS, ABAW_MISSING } from '../metrics/abaw.ts';
import { firstDir, isFile } from './fsutil.ts';
import { newSkipReport, skip } from './labels.ts';
import type { DatasetAdapter, Sample, SkipReport } from './types.ts';

/** One frame of `{training,validation}_set_annotations.txt` (ABAW-4 MTL, s-Aff-Wild2); missing values as the file has them. */
export interface AbawMtlRow {
  image: string;
  valence: number;
  arousal: number;
  /** 0..7 (ABAW_EXPRESSIONS), or −1 when not annotated. */
  expression: number;
  /** 12 AUs in ABAW_AUS order: 0/1, or −1 when not annotated. */
  aus: number[];
}

/**
 * Reads the ABAW-4 MTL annotation file: one header line, then `image,valence,arousal,expression,AU1,…,AU12`
 * (hsemotion-protocols §4.2; missing = valence/arousal −5, expression −1, AU −1). Unparseable rows are counted.
 */
export function readAbawMtlAnnotations(file: string, report: SkipReport = newSkipReport()): AbawMtlRow[] {
  if (!isFile(file)) throw new UserError(`${file}: no such file (ABAW MTL annotations)`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim());
  if (header[0] !== 'image' || header.length !== 4 + ABAW_AUS.length) {
    throw new BadFileError(file, `unexpected header "${lines[0]}" (want image,valence,arousal,expression,${ABAW_AUS.join(',')})`);
  }
  const rows: AbawMtlRow[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (!lines[i].trim()) continue;
    const f = lines[i].split(',').map((s) => s.trim());
    const nums = f.slice(1).map(Number);
    const expression = nums[2];
    const ok =
      f.length === header.length &&
      nums.every(Number.isFinite) &&
      Number.isInteger(expression) &&
      expression >= ABAW_MISSING.expression &&
      expression < ABAW_EXPRESSIONS.length &&
      nums.slice(3).every((a) => a === 0 || a === 1 || a === ABAW_MISSING.au);
    if (!ok) {
      skip(report, 'bad row', `${file}:${i + 1}`);
      continue;
    }
    rows.push({ image: f[0], valence: nums[0], arousal: nums[1], expression, aus: nums.slice(3) });
  }
  return rows;
}

export interface AbawMtlFrame extends AbawMtlRow {
  imagePath: string;
}

export interface AbawMtlSplit {
  annotationFile: string;
  imagesDir: string;
  /** Every annotated frame whose image exists, in file order (video, then frame). */
  frames: AbawMtlFrame[];
  skipped: SkipReport;
}

/** The images folder: `cropped_aligned/`, or the super-resolved `SR/cropped_aligned/` copy the paper's last run used. */
const imagesDirOf = (root: string) => firstDir(join(root, 'cropped_aligned'), join(root, 'SR', 'cropped_aligned')) ?? join(root, 'cropped_aligned');

/**
 * Every frame of one split with whatever labels it has (the MTL heads train on VA-, EXPR- and AU-only frames alike);
 * rows whose image is missing are counted, not fatal.
 */
export function readAbawMtlSplit(root: string, split: string): AbawMtlSplit {
  if (split !== 'val' && split !== 'train') throw new UserError(`abaw-mtl has splits train and val (got "${split}")`);
  const annotationFile = join(root, `${split === 'val' ? 'validation' : 'training'}_set_annotations.txt`);
  const skipped = newSkipReport();
  const rows = readAbawMtlAnnotations(annotationFile, skipped);
  const imagesDir = imagesDirOf(root);
  const frames: AbawMtlFrame[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.image)) {
      skip(skipped, 'duplicate row', r.image);
      continue;
    }
    seen.add(r.image);
    const imagePath = join(imagesDir, r.image);
    if (!isFile(imagePath)) {
      skip(skipped, 'missing file', imagePath);
      continue;
    }
    frames.push({ ...r, imagePath });
  }
  return { annotationFile, imagesDir, frames, skipped };
}

/**
 * Frames of s-Aff-Wild2 with an expression label, for zero-shot scoring of a pre-trained model's expression outputs.
 * This is not the README's MTL column, which trains heads on frozen features (protocols/mtl.ts).
 */
export const abawMtl: DatasetAdapter = {
  kind: 'abaw-mtl',
  description: 'ABAW-4 MTL (s-Aff-Wild2): {training,validation}_set_annotations.txt + cropped_aligned/<video>/<frame>.jpg; frames with an expression label',
  classes: ABAW_EXPRESSIONS,
  splits: ['val', 'train'],
  defaultSplit: 'val',
  protocols: [
    {
      name: 'abaw-expr-7',
      description: "zero-shot macro-F1 over the 7 basic expressions (frames labelled Other excluded); not the README's MTL column",
      classes: ABAW_EXPRESSIONS.filter((c) => c !== 'Other'),
      others: 'exclude',
      headline: 'macroF1',
      unit: 'image',
    },
    {
      name: 'abaw-mtl-heads',
      description:
        "the README's MTL column: P_MTL on validation after training heads (EXPR, VA, AU) on frozen features of every training frame (requires training, seeded)",
      classes: ABAW_EXPRESSIONS,
      others: 'exclude',
      headline: 'macroF1',
      unit: 'mtl-heads',
      paperColumn: 'mtl',
    },
  ],
  defaultProtocol: () => 'abaw-expr-7',
  manifestFor: () => null,
  async open(root, opts = {}) {
    const split = opts.split ?? 'val';
    if (split !== 'val' && split !== 'train') throw new UserError(`abaw-mtl has splits train and val (got "${split}")`);
    const file = join(root, `${split === 'val' ? 'validation' : 'training'}_set_annotations.txt`);
    const report = newSkipReport();
    const rows = readAbawMtlAnnotations(file, report);
    const images = imagesDirOf(root);
    const samples: Sample[] = [];
    for (const r of rows) {
      if (r.expression === ABAW_MISSING.expression) {
        skip(report, 'no expression label (−1)', r.image);
        continue;
      }
      const imagePath = join(images, r.image);
      if (!isFile(imagePath)) {
        skip(report, 'missing file', imagePath);
        continue;
      }
      const s: Sample = { id: r.image, imagePath, label: r.expression };
      if (r.valence !== ABAW_MISSING.va) s.valence = r.valence;
      if (r.arousal !== ABAW_MISSING.va) s.arousal = r.arousal;
      samples.push(s);
    }
    samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return { kind: 'abaw-mtl', root, split, layout: 'cropped-aligned', crop: 'pre-cropped', classes: ABAW_EXPRESSIONS, samples, skipped: report, annotationFiles: [file] };
  },
};
