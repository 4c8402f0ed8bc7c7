import { existsSync, readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { UserError } from '@affectbench/core';

export const IMAGE_EXTS = new Set(['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp']);
export const VIDEO_EXTS = new Set(['.avi', '.mp4', '.mkv', '.mov', '.webm', '.mpg', '.mpeg']);

export const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
export const isFile = (p: string): boolean => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Sorted entries of a directory (byte order, so every machine lists them alike). */
export function listDir(dir: string): string[] {
  return readdirSync(dir).filter((n) => !n.startsWith('.')).sort();
}

export function imagesIn(dir: string, exts: ReadonlySet<string> = IMAGE_EXTS): string[] {
  return listDir(dir).filter((n) => exts.has(extname(n).toLowerCase()) && isFile(join(dir, n)));
}

export function requireDir(path: string, what: string, hint?: string): void {
  if (!existsSync(path)) throw new UserError(`${path}: no such directory (${what})`, { hint });
  if (!isDir(path)) throw new UserError(`${path}: not a directory (${what})`, { hint });
}

/** The first candidate that is a directory, or null. */
export function firstDir(...candidates: string[]): string | null {
  return candidates.find(isDir) ?? null;
}

/** Minimal RFC 4180 CSV line splitter (AffectNet quotes its landmark field). */
export function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
