import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BadFileError, CLASSES_7, CLASSES_8, UserError } from '@affectbench/core';
import { canonicalClass, newSkipReport, skip } from './labels.ts';
import { readNpyScalar } from './npy.ts';
import { firstDir, imagesIn, isDir, isFile, listDir, splitCsvLine } from './fsutil.ts';
import type { DatasetAdapter, OpenedDataset, ProtocolSpec, Sample, SkipReport } from './types.ts';

/** AffectNet `expression` codes 0..7 (hsemotion-protocols §2.2); the label space of every AffectNet sample. */
export const AFFECTNET_CODES = ['Neutral', 'Happiness', 'Sadness', 'Surprise', 'Fear', 'Disgust', 'Anger', 'Contempt'] as const;
const NON_EMOTION_CODES: Record<number, string> = { 8: 'code 8 (None)', 9: 'code 9 (Uncertain)', 10: 'code 10 (Non-Face)' };

export const AFFECTNET_PROTOCOLS: readonly ProtocolSpec[] = [
  {
    name: 'affectnet-8',
    description: 'accuracy over the 8 classes on the 4,000 validation images (README column "AffectNet (8 classes)")',
    classes: CLASSES_8,
    others: 'exclude',
    headline: 'accuracy',
    unit: 'image',
    paperColumn: 'affectnet8',
  },
  {
    name: 'affectnet-7',
    description: "README's 7-class accuracy: Contempt images excluded, Contempt logit dropped (3,500 images)",
    classes: CLASSES_7,
    others: 'exclude',
    headline: 'accuracy',
    unit: 'image',
    paperColumn: 'affectnet7',
  },
  {
    name: 'affectnet-7-march2021-notebook',
    description: 'third-party March-2021 notebook variant: Contempt images kept in the loop (never right), accuracy over n − #Contempt; not the README protocol',
    classes: CLASSES_7,
    others: 'keep-as-wrong',
    headline: 'accuracy',
    unit: 'image',
  },
];

const SPLIT_ALIASES: Record<string, 'train' | 'val'> = { val: 'val', validation: 'val', train: 'train', training: 'train' };

function splitOf(split: string | undefined): 'train' | 'val' {
  const s = SPLIT_ALIASES[split ?? 'val'];
  if (!s) throw new UserError(`AffectNet has splits train and val (got "${split}"); the test set is not public`);
  return s;
}

function codeSample(report: SkipReport, id: string, rawCode: number): number | null {
  if (!Number.isInteger(rawCode) || rawCode < 0 || rawCode > 10) {
    skip(report, 'bad expression code', `${id}: ${rawCode}`);
    return null;
  }
  if (rawCode >= 8) {
    skip(report, NON_EMOTION_CODES[rawCode], id);
    return null;
  }
  return rawCode;
}

/** Layout (a): Manually_Annotated_file_lists/{training,validation}.csv over Manually_Annotated_Images/, crop = CSV box. */
function openCsvLayout(root: string, split: 'train' | 'val'): OpenedDataset {
  const csv = join(root, 'Manually_Annotated_file_lists', split === 'val' ? 'validation.csv' : 'training.csv');
  const imagesDir = join(root, 'Manually_Annotated_Images');
  if (!isFile(csv)) throw new UserError(`${csv}: no such file (AffectNet ${split} annotation list)`);
  const lines = readFileSync(csv, 'utf8').split(/\r?\n/);
  const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim());
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new BadFileError(csv, `no column "${name}" in the header (found: ${header.join(', ')})`);
    return i;
  };
  const c = {
    path: col('subDirectory_filePath'), x: col('face_x'), y: col('face_y'), w: col('face_width'), h: col('face_height'),
    expr: col('expression'), val: col('valence'), aro: col('arousal'),
  };
  const report = newSkipReport();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (let li = 1; li < lines.length; li++) {
    const line = lines[li];
    if (!line.trim()) continue;
    const f = splitCsvLine(line);
    const id = f[c.path]?.trim();
    if (!id || f.length < header.length) {
      skip(report, 'bad row', `${csv}:${li + 1}`);
      continue;
    }
    const label = codeSample(report, id, Number(f[c.expr]));
    if (label === null) continue;
    const [x, y, w, h] = [c.x, c.y, c.w, c.h].map((k) => Math.trunc(Number(f[k])));
    if (![x, y, w, h].every(Number.isFinite) || w <= 0 || h <= 0 || x < 0 || y < 0) {
      skip(report, 'bad face box', `${id}: ${[f[c.x], f[c.y], f[c.w], f[c.h]].join(',')}`);
      continue;
    }
    if (seen.has(id)) {
      // The reference crops each source image once ("duplicate, several faces?"), so later rows are not scored.
      skip(report, 'second face in the same image', id);
      continue;
    }
    const imagePath = join(imagesDir, id);
    if (!isFile(imagePath)) {
      skip(report, 'missing file', imagePath);
      continue;
    }
    seen.add(id);
    samples.push({ id, imagePath, box: { x, y, width: w, height: h }, label, valence: Number(f[c.val]), arousal: Number(f[c.aro]) });
  }
  return { kind: 'affectnet', root, split, layout: 'csv', crop: 'annotation-box', classes: AFFECTNET_CODES, samples, skipped: report, annotationFiles: [csv] };
}

/** Layout (b): March-2021 release, {train_set,val_set}/images/<idx>.jpg + annotations/<idx>_{exp,val,aro}.npy (already face crops). */
function openMarch2021(root: string, split: 'train' | 'val'): OpenedDataset {
  const dir = join(root, `${split}_set`);
  const images = join(dir, 'images');
  const ann = join(dir, 'annotations');
  if (!isDir(images) || !isDir(ann)) throw new UserError(`${dir}: expected images/ and annotations/ (AffectNet March-2021 layout)`);
  const report = newSkipReport();
  const samples: Sample[] = [];
  for (const name of imagesIn(images)) {
    const idx = name.replace(/\.[^.]+$/, '');
    const exp = join(ann, `${idx}_exp.npy`);
    if (!isFile(exp)) {
      skip(report, 'missing annotation', exp);
      continue;
    }
    let code: number;
    try {
      code = readNpyScalar(exp);
    } catch (err) {
      skip(report, 'unreadable annotation', `${exp}: ${(err as Error).message}`);
      continue;
    }
    const label = codeSample(report, name, code);
    if (label === null) continue;
    const opt = (suffix: string) => {
      const p = join(ann, `${idx}_${suffix}.npy`);
      return isFile(p) ? readNpyScalar(p) : undefined;
    };
    samples.push({ id: name, imagePath: join(images, name), label, valence: opt('val'), arousal: opt('aro') });
  }
  return { kind: 'affectnet', root, split, layout: 'march2021', crop: 'pre-cropped', classes: AFFECTNET_CODES, samples, skipped: report, annotationFiles: [] };
}

/**
 * The crop variant of a pre-cropped copy, from the folder names the reference notebooks write (protocols §2.3):
 * `full_res` (annotation box as is), `full_res_aligned` (rotated by the eye landmarks), `224` (cv2.resize'd to 224).
 */
export function affectnetCropVariant(dir: string): string {
  const parts = dir.split(/[\\/]/);
  if (parts.includes('full_res_aligned')) return 'pre-cropped:aligned';
  if (parts.includes('224')) return 'pre-cropped:224';
  if (parts.includes('full_res')) return 'pre-cropped:full_res';
  return 'pre-cropped';
}

/** Layout (c): pre-cropped folder per class, as the reference notebooks write (`full_res/val/<ClassName>/…`). */
function openFolders(root: string, dir: string, split: 'train' | 'val'): OpenedDataset {
  const report = newSkipReport();
  const samples: Sample[] = [];
  for (const cls of listDir(dir).filter((n) => isDir(join(dir, n)))) {
    const canon = canonicalClass(cls);
    const label = canon ? AFFECTNET_CODES.indexOf(canon as (typeof AFFECTNET_CODES)[number]) : -1;
    if (label < 0) throw new UserError(`${join(dir, cls)}: folder name is not an AffectNet class`, { hint: `expected one of ${AFFECTNET_CODES.join(', ')}` });
    for (const f of imagesIn(join(dir, cls))) samples.push({ id: `${cls}/${f}`, imagePath: join(dir, cls, f), label });
  }
  return { kind: 'affectnet', root, split, layout: 'folder-per-class', crop: affectnetCropVariant(dir), classes: AFFECTNET_CODES, samples, skipped: report, annotationFiles: [] };
}

export const affectnet: DatasetAdapter = {
  kind: 'affectnet',
  description: 'AffectNet (Mollahosseini et al.): original CSV layout (crop = annotation box), March-2021 .npy layout, or pre-cropped folder per class',
  classes: AFFECTNET_CODES,
  splits: ['val', 'train'],
  defaultSplit: 'val',
  protocols: AFFECTNET_PROTOCOLS,
  defaultProtocol: (modelClasses) => (modelClasses.some((c) => canonicalClass(c) === 'Contempt') ? 'affectnet-8' : 'affectnet-7'),
  manifestFor: (layout) => (layout === 'csv' ? 'affectnet' : layout === 'march2021' ? 'affectnet-march2021' : layout === 'folder-per-class' ? 'affectnet' : null),
  async open(root, opts = {}) {
    const split = splitOf(opts.split);
    let result: OpenedDataset;
    if (isDir(join(root, 'Manually_Annotated_file_lists'))) result = openCsvLayout(root, split);
    else if (isDir(join(root, `${split}_set`))) result = openMarch2021(root, split);
    else {
      // The notebooks' own folder first; other variants (full_res_aligned, 224, seven_emotions) by pointing PATH at them.
      const dir = firstDir(join(root, 'full_res', split), join(root, split), join(root, 'seven_emotions', split));
      if (!dir) {
        throw new UserError(`${root}: not an AffectNet copy I recognise`, {
          hint: 'expected Manually_Annotated_file_lists/ + Manually_Annotated_Images/, or val_set/images + val_set/annotations (March 2021), or full_res/val/<ClassName>/ (for full_res_aligned or 224 copies, point PATH at that folder; see datasets/README.md)',
        });
      }
      result = openFolders(root, dir, split);
    }
    result.samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return result;
  },
};
