import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BadFileError } from './errors.ts';

/** Write via a temporary sibling and rename, so a crash never leaves a half-written file. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function writeJsonAtomic(path: string, value: unknown): void {
  writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

/** What went wrong reading a file, as a BadFileError naming it. */
export function readFailure(path: string, err: unknown): BadFileError {
  const code = (err as NodeJS.ErrnoException).code;
  return new BadFileError(path, code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read (${code ?? String(err)})`);
}

/** A file's bytes; a missing or unreadable file is a BadFileError naming it. */
export function readBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw readFailure(path, err);
  }
}

/** Read and parse a JSON file; a missing or malformed file is a BadFileError naming it. */
export function readJsonFile<T = unknown>(path: string): T {
  const text = readBytes(path).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new BadFileError(path, `not valid JSON (${(err as Error).message})`);
  }
}
