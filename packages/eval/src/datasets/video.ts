import { readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { BadFileError, CLASSES_7, UserError } from '@affectbench/core';
import { canonicalClass, newSkipReport, skip } from './labels.ts';
import { IMAGE_EXTS, VIDEO_EXTS, firstDir, imagesIn, isDir, isFile, listDir, requireDir } from './fsutil.ts';
import type { DatasetAdapter, FrameRef, ProtocolSpec, Sample, SkipReport } from './types.ts';

/** AFEW's 7 classes in its index order (Angry 0 … Surprise 6), canonical names. */
export const AFEW_CLASSES = CLASSES_7;
/** VGAF targets after `label − 1`: 0 Positive, 1 Neutral, 2 Negative. */
export const VGAF_CLASSES = ['Positive', 'Neutral', 'Negative'] as const;

/**
 * Frames of a pre-extracted clip folder. AFEW's `save_faces` writes `<frame>.png` for a face crop and `<frame>noface.png`
 * for a frame without a face; the reference uses the name to tell them apart (§3.2). VGAF's aligned faces live in
 * `<video>/<frame>/<i>.png`, one folder per frame.
 */
export function framesOf(dir: string): FrameRef[] {
  const frames: FrameRef[] = [];
  for (const name of listDir(dir)) {
    const p = join(dir, name);
    if (isDir(p)) for (const f of imagesIn(p)) frames.push({ path: join(p, f), face: !f.includes('noface'), frame: name });
    else if (IMAGE_EXTS.has(extname(name).toLowerCase())) frames.push({ path: p, face: !name.includes('noface') });
  }
  return frames;
}

function clipSample(report: SkipReport, id: string, path: string, label: number): Sample | null {
  if (isDir(path)) {
    const frames = framesOf(path);
    if (frames.length === 0) {
      skip(report, 'empty frame folder', path);
      return null;
    }
    return { id, frames, label };
  }
  return { id, video: path, label };
}

/** The paper's video protocols (embeddings + statistics pooling + LinearSVC), run by runner/video-svm.ts. */
const SVM_PROTOCOL = (name: string, classes: readonly string[], column: 'afew' | 'vgaf', what: string): ProtocolSpec => ({
  name,
  description: `${what}; LinearSVC fitted on the train split's videos with faces, accuracy on val videos with faces and on all`,
  classes,
  others: 'exclude',
  headline: 'accuracy',
  unit: 'video-svm',
  paperColumn: column,
});

const VIDEO_PROTOCOL = (classes: readonly string[]): ProtocolSpec => ({
  name: 'video-mean-scores',
  description: 'per-frame softmax scores of the face frames averaged per video, argmax; accuracy on videos with faces (the paper convention) and on all videos',
  classes,
  others: 'exclude',
  headline: 'accuracy',
  unit: 'video-mean-scores',
});

export const afew: DatasetAdapter = {
  kind: 'afew',
  description: 'AFEW (EmotiW 2019): {train,val}/<Class>/*.avi clips, or pre-extracted face folders <Class>/<clip>/*.png',
  classes: AFEW_CLASSES,
  splits: ['val', 'train'],
  defaultSplit: 'val',
  protocols: [VIDEO_PROTOCOL(AFEW_CLASSES), SVM_PROTOCOL('afew-svm-stats', AFEW_CLASSES, 'afew', 'penultimate embedding per face frame, [mean,std,min,max] over face frames, L2')],
  defaultProtocol: () => 'video-mean-scores',
  manifestFor: () => 'afew',
  async open(root, opts = {}) {
    const split = opts.split ?? 'val';
    const dir = firstDir(join(root, split), join(root, split === 'val' ? 'Val_AFEW' : 'Train_AFEW'), join(root, split[0].toUpperCase() + split.slice(1)));
    if (!dir) throw new UserError(`${root}: no ${split}/ folder (AFEW layout: ${split}/<Class>/*.avi)`);
    const report = newSkipReport();
    const samples: Sample[] = [];
    for (const cls of listDir(dir).filter((n) => isDir(join(dir, n)))) {
      const label = AFEW_CLASSES.indexOf(canonicalClass(cls) as (typeof AFEW_CLASSES)[number]);
      if (label < 0) throw new UserError(`${join(dir, cls)}: folder name is not an AFEW class`, { hint: 'expected Angry, Disgust, Fear, Happy, Neutral, Sad, Surprise' });
      for (const name of listDir(join(dir, cls))) {
        const p = join(dir, cls, name);
        if (!isDir(p) && !VIDEO_EXTS.has(extname(name).toLowerCase())) {
          skip(report, 'not a video or frame folder', p);
          continue;
        }
        const s = clipSample(report, `${cls}/${name.replace(/\.[^.]+$/, '')}`, p, label);
        if (s) samples.push(s);
      }
    }
    samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const layout = samples.some((s) => s.frames) ? 'face-folders' : 'clips';
    return { kind: 'afew', root, split, layout, crop: layout === 'clips' ? 'detector' : 'pre-extracted', classes: AFEW_CLASSES, samples, skipped: report, annotationFiles: [] };
  },
};

/** Parses VGAF's `Train_labels.txt` / `Val_labels.txt`: one header line, then `videoname label` (1 Positive, 2 Neutral, 3 Negative). */
export function readVgafLabels(file: string, report: SkipReport): { name: string; label: number }[] {
  if (!isFile(file)) throw new UserError(`${file}: no such file (VGAF label list)`);
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  if (lines.length < 2) throw new BadFileError(file, 'has no rows after the header');
  const rows: { name: string; label: number }[] = [];
  lines.slice(1).forEach((line, i) => {
    if (!line.trim()) return;
    const [name, code, ...rest] = line.trim().split(/\s+/);
    const n = Number(code);
    if (!name || rest.length || !(n === 1 || n === 2 || n === 3)) {
      skip(report, 'bad row', `${file}:${i + 2}: ${line.trim()}`);
      return;
    }
    rows.push({ name, label: n - 1 });
  });
  return rows;
}

export const vgaf: DatasetAdapter = {
  kind: 'vgaf',
  description: 'VGAF (EmotiW 2020 group affect): Train_labels.txt/Val_labels.txt + Train/ and Val/ video folders (or pre-extracted face folders)',
  classes: VGAF_CLASSES,
  splits: ['val', 'train'],
  defaultSplit: 'val',
  // Scores must come from a model with Positive/Neutral/Negative outputs; the paper's numbers use embeddings + SVM (protocols/).
  protocols: [VIDEO_PROTOCOL(VGAF_CLASSES), SVM_PROTOCOL('vgaf-svm-stats', VGAF_CLASSES, 'vgaf', 'embedding per face, [mean,std] per frame then per video, L2')],
  defaultProtocol: () => 'video-mean-scores',
  manifestFor: () => 'vgaf',
  async open(root, opts = {}) {
    const split = opts.split ?? 'val';
    if (split !== 'val' && split !== 'train') throw new UserError(`VGAF has splits train and val (got "${split}")`);
    const Cap = split === 'val' ? 'Val' : 'Train';
    requireDir(root, 'VGAF root');
    const labelFile = join(root, `${Cap}_labels.txt`);
    const report = newSkipReport();
    const rows = readVgafLabels(labelFile, report);
    const videoDir = firstDir(join(root, Cap), join(root, split), join(root, `${Cap}_videos`)) ?? join(root, Cap);
    const entries = isDir(videoDir) ? listDir(videoDir) : [];
    const byStem = new Map<string, string>();
    for (const e of entries) byStem.set(isDir(join(videoDir, e)) ? e : e.replace(/\.[^.]+$/, ''), e);
    const samples: Sample[] = [];
    for (const { name, label } of rows) {
      const stem = name.replace(/\.[^.]+$/, '');
      const entry = byStem.get(stem);
      if (!entry) {
        skip(report, 'missing video', join(videoDir, name));
        continue;
      }
      const s = clipSample(report, stem, join(videoDir, entry), label);
      if (s) samples.push(s);
    }
    samples.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const layout = samples.some((s) => s.frames) ? 'face-folders' : 'clips';
    return { kind: 'vgaf', root, split, layout, crop: layout === 'clips' ? 'detector' : 'pre-extracted', classes: VGAF_CLASSES, samples, skipped: report, annotationFiles: [labelFile] };
  },
};
