import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { npyScalarBytes } from '../../src/datasets/npy.ts';

/** Fixtures in the official on-disk layouts, generated per test run into tmp dirs (never committed, never real data). */

export const tmp = (prefix: string): string => mkdtempSync(join(tmpdir(), `affectbench-${prefix}-`));

/** `n` distinct JPEGs (ffmpeg testsrc frames, so each one differs) of size w×h, returned as paths in `dir`. */
export function makeJpegs(dir: string, n: number, w = 96, h = 80): string[] {
  mkdirSync(dir, { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${w}x${h}:rate=10`, '-frames:v', String(n), '-q:v', '3', join(dir, 'f%03d.jpg')]);
  return Array.from({ length: n }, (_, i) => join(dir, `f${String(i + 1).padStart(3, '0')}.jpg`));
}

function place(src: string, dest: string): void {
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(src, dest);
}

/**
 * AffectNet original layout: Manually_Annotated_file_lists/validation.csv over Manually_Annotated_Images/.
 * `perCode` valid images for each code 0..7, plus one row each with codes 8, 9, 10, one missing file, one bad row.
 */
export function makeAffectnetCsv(perCode = 2): { root: string; valid: number } {
  const root = tmp('affectnet');
  const jpgs = makeJpegs(join(root, 'src'), 8 * perCode + 3, 120, 100);
  const rows = ['subDirectory_filePath,face_x,face_y,face_width,face_height,facial_landmarks,expression,valence,arousal'];
  let k = 0;
  for (let code = 0; code < 8; code++) {
    for (let i = 0; i < perCode; i++) {
      const rel = `${100 + code}/img_${code}_${i}.jpg`;
      place(jpgs[k++], join(root, 'Manually_Annotated_Images', rel));
      rows.push(`${rel},${10 + i},${8 + code},${70 + code},${60 + i},"1.0;2.0;3.0;4.0",${code},${(code - 3.5) / 4},${(i - 0.5) / 2}`);
    }
  }
  for (const code of [8, 9, 10]) {
    const rel = `200/none_${code}.jpg`;
    place(jpgs[k++], join(root, 'Manually_Annotated_Images', rel));
    rows.push(`${rel},0,0,50,50,"",${code},-2,-2`);
  }
  rows.push('300/missing.jpg,1,1,40,40,"",1,0.5,0.5');
  rows.push('300/short.jpg,1,1');
  mkdirSync(join(root, 'Manually_Annotated_file_lists'), { recursive: true });
  writeFileSync(join(root, 'Manually_Annotated_file_lists', 'validation.csv'), `${rows.join('\n')}\n`);
  return { root, valid: 8 * perCode };
}

/** March-2021 layout: val_set/images/<idx>.jpg + annotations/<idx>_{exp,val,aro}.npy (unicode-string scalars). */
export function makeAffectnetMarch2021(codes: readonly number[]): string {
  const root = tmp('affectnet-m21');
  const jpgs = makeJpegs(join(root, 'src'), codes.length, 64, 64);
  codes.forEach((code, i) => {
    place(jpgs[i], join(root, 'val_set', 'images', `${i}.jpg`));
    const ann = join(root, 'val_set', 'annotations');
    mkdirSync(ann, { recursive: true });
    writeFileSync(join(ann, `${i}_exp.npy`), npyScalarBytes(String(code)));
    writeFileSync(join(ann, `${i}_val.npy`), npyScalarBytes('0.25'));
    writeFileSync(join(ann, `${i}_aro.npy`), npyScalarBytes(-0.5, 'f8'));
  });
  return root;
}

/** A folder per class under `root/<sub>/<Class>/`, `n` images each. */
export function makeClassFolders(root: string, sub: string, classes: readonly string[], n: number, ext = 'jpg'): string {
  const src = makeJpegs(join(root, '.src'), classes.length * n, 64, 64);
  let k = 0;
  for (const c of classes) for (let i = 0; i < n; i++) place(src[k++], join(root, sub, c, `${c.toLowerCase()}_${i}.${ext}`));
  return root;
}

/** A short AVI clip (ffmpeg testsrc): `frames` frames. */
export function makeClip(path: string, frames = 6): string {
  mkdirSync(dirname(path), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=6', '-frames:v', String(frames), path]);
  return path;
}

/**
 * AFEW pre-extracted face folders (`save_faces` output): <split>/<Class>/<clip>/<frame>.jpg, `noface` frames whole.
 * `videos` maps split → class → list of [faceFrames, nofaceFrames] per clip.
 */
export function makeAfewFaceFolders(videos: Record<string, Record<string, [number, number][]>>): string {
  const root = tmp('afew-faces');
  const total = Object.values(videos).flatMap((c) => Object.values(c).flat()).reduce((n, [a, b]) => n + a + b, 0);
  const src = makeJpegs(join(root, '.src'), total, 64, 64);
  let k = 0;
  let clip = 0;
  for (const [split, classes] of Object.entries(videos)) {
    for (const [cls, clips] of Object.entries(classes)) {
      for (const [faces, nofaces] of clips) {
        const dir = join(root, split, cls, String(++clip).padStart(3, '0'));
        for (let i = 0; i < faces + nofaces; i++) place(src[k++], join(dir, `${String(i + 1).padStart(3, '0')}${i < faces ? '' : 'noface'}.jpg`));
      }
    }
  }
  return root;
}
