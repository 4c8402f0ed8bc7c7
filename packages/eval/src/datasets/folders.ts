import { readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { BadFileError, type Box, CLASSES_8, UserError } from '@affectbench/core';
import { canonicalClass, newSkipReport, skip } from './labels.ts';
import { firstDir, imagesIn, isDir, isFile, listDir, requireDir, splitCsvLine } from './fsutil.ts';
import type { DatasetAdapter, ProtocolSpec, Sample } from './types.ts';

// LSD folder names (ImageFolder order, 'ANGRER' sic) map to these canonical classes through labels.ts.
import { LSD_CLASSES } from '../metrics/abaw.ts';

const byId = (a: Sample, b: Sample) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Canonical order for classes found on disk: the HSEmotion order first, then anything else alphabetically. */
function orderClasses(names: Iterable<string>): string[] {
  const known = CLASSES_8 as readonly string[];
  return [...new Set(names)].sort((a, b) => {
    const ia = known.indexOf(a);
    const ib = known.indexOf(b);
    if (ia >= 0 && ib >= 0) return ia - ib;
    if (ia >= 0 || ib >= 0) return ia >= 0 ? -1 : 1;
    return a < b ? -1 : 1;
  });
}

const FOLDER_PROTOCOL: ProtocolSpec = {
  name: 'folder-accuracy',
  description: "accuracy and macro-F1 over the dataset's own classes, model outputs matched by class name",
  classes: [],
  others: 'exclude',
  headline: 'accuracy',
  unit: 'image',
};

export const abawLsd: DatasetAdapter = {
  kind: 'abaw-lsd',
  description: 'ABAW-4 Learning from Synthetic Data: validation_set_real_images/<CLASS>/*.jpg, 6 classes, macro-F1',
  classes: LSD_CLASSES,
  splits: ['val'],
  defaultSplit: 'val',
  protocols: [
    {
      name: 'lsd-6',
      description: 'mean of the 6 per-class F1 (metric_for_Exp), scores of the 6 matching outputs only (no Contempt, no Neutral)',
      classes: LSD_CLASSES,
      others: 'exclude',
      headline: 'macroF1',
      unit: 'image',
      paperColumn: 'lsd',
    },
  ],
  defaultProtocol: () => 'lsd-6',
  manifestFor: () => 'abaw-lsd',
  async open(root, opts = {}) {
    const split = opts.split ?? 'val';
    if (split !== 'val') throw new UserError(`abaw-lsd has only the val split (the real validation images; got "${split}")`);
    const dir = firstDir(join(root, 'validation_set_real_images'), join(root, 'eccv_4', 'validation_set_real_images')) ?? root;
    requireDir(dir, 'LSD validation images');
    const report = newSkipReport();
    const samples: Sample[] = [];
    for (const cls of listDir(dir).filter((n) => isDir(join(dir, n)))) {
      const label = LSD_CLASSES.indexOf(canonicalClass(cls) as (typeof LSD_CLASSES)[number]);
      if (label < 0) throw new UserError(`${join(dir, cls)}: not an LSD class folder`, { hint: 'expected ANGRER, DISGUST, FEAR, HAPPINESS, SADNESS, SURPRISE' });
      // The reference reads only *.jpg (case-insensitive).
      for (const f of listDir(join(dir, cls))) {
        if (extname(f).toLowerCase() === '.jpg') samples.push({ id: `${cls}/${f}`, imagePath: join(dir, cls, f), label });
        else skip(report, 'not a .jpg (the reference ignores it)', join(dir, cls, f));
      }
    }
    samples.sort(byId);
    return { kind: 'abaw-lsd', root, split, layout: 'folder-per-class', crop: 'pre-cropped', classes: LSD_CLASSES, samples, skipped: report, annotationFiles: [] };
  },
};

export const imagefolder: DatasetAdapter = {
  kind: 'imagefolder',
  description: 'one folder per class (names like happy/Happiness/HAPPY map to the model classes), optionally under <split>/',
  classes: [],
  splits: ['all', 'train', 'val', 'test'],
  defaultSplit: 'all',
  protocols: [FOLDER_PROTOCOL],
  defaultProtocol: () => 'folder-accuracy',
  manifestFor: () => null,
  async open(root, opts = {}) {
    const split = opts.split ?? 'all';
    const dir = split === 'all' ? root : join(root, split);
    requireDir(dir, `imagefolder ${split === 'all' ? 'root' : `split ${split}`}`);
    const classDirs = listDir(dir).filter((n) => isDir(join(dir, n)));
    if (classDirs.length === 0) throw new UserError(`${dir}: no class folders (imagefolder layout: <root>/<class>/<image>)`);
    const names = new Map<string, string>();
    for (const d of classDirs) {
      const canon = canonicalClass(d);
      if (!canon) {
        throw new UserError(`${join(dir, d)}: unknown class folder "${d}"`, {
          hint: 'folder names must be emotion classes: anger/angry, contempt, disgust, fear, happiness/happy, neutral, sadness/sad, surprise',
        });
      }
      names.set(d, canon);
    }
    const classes = orderClasses(names.values());
    const report = newSkipReport();
    const samples: Sample[] = [];
    for (const d of classDirs) {
      const label = classes.indexOf(names.get(d) as string);
      const files = listDir(join(dir, d));
      const images = new Set(imagesIn(join(dir, d)));
      for (const f of files) {
        if (images.has(f)) samples.push({ id: `${d}/${f}`, imagePath: join(dir, d, f), label });
        else skip(report, 'not an image file', join(dir, d, f));
      }
    }
    samples.sort(byId);
    return { kind: 'imagefolder', root, split, layout: 'folder-per-class', crop: 'whole-image', classes, samples, skipped: report, annotationFiles: [] };
  },
};

/** `path,label[,x,y,w,h]`, optional header; paths relative to the CSV file. */
export const csvManifest: DatasetAdapter = {
  kind: 'csv',
  description: 'a CSV manifest: path,label[,x,y,w,h] (label = class name; paths relative to the CSV; optional header)',
  classes: [],
  splits: ['all'],
  defaultSplit: 'all',
  protocols: [FOLDER_PROTOCOL],
  defaultProtocol: () => 'folder-accuracy',
  manifestFor: () => null,
  async open(file, opts = {}) {
    if (!isFile(file)) throw new UserError(`${file}: no such file (CSV manifest)`);
    const base = dirname(resolve(file));
    const report = newSkipReport();
    const rows: { path: string; cls: string; box?: Box }[] = [];
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      const f = splitCsvLine(line).map((s) => s.trim());
      if (i === 0 && f[0].toLowerCase() === 'path') continue;
      const where = `${file}:${i + 1}`;
      if (f.length !== 2 && f.length !== 6) {
        skip(report, 'bad row (want path,label[,x,y,w,h])', where);
        continue;
      }
      const cls = canonicalClass(f[1]);
      if (!cls) {
        skip(report, 'unknown label', `${where}: ${f[1]}`);
        continue;
      }
      let box: Box | undefined;
      if (f.length === 6) {
        const [x, y, width, height] = f.slice(2).map(Number);
        if (![x, y, width, height].every(Number.isFinite) || width <= 0 || height <= 0) {
          skip(report, 'bad box', where);
          continue;
        }
        box = { x, y, width, height };
      }
      const p = resolve(base, f[0]);
      if (!isFile(p)) {
        skip(report, 'missing file', p);
        continue;
      }
      rows.push({ path: p, cls, box });
    }
    if (rows.length === 0 && Object.keys(report.counts).length === 0) throw new BadFileError(file, 'has no rows');
    const classes = orderClasses(rows.map((r) => r.cls));
    const samples: Sample[] = rows.map((r, i) => ({ id: `${String(i).padStart(7, '0')}:${r.path.slice(base.length + 1)}`, imagePath: r.path, box: r.box, label: classes.indexOf(r.cls) }));
    samples.sort(byId);
    return { kind: 'csv', root: file, split: opts.split ?? 'all', layout: 'csv', crop: rows.some((r) => r.box) ? 'csv-box' : 'whole-image', classes, samples, skipped: report, annotationFiles: [file] };
  },
};
