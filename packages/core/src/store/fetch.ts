import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UserError } from '../errors.ts';
import { Progress } from '../progress.ts';
import type { ModelRecord } from '../registry/types.ts';
import { ChecksumStream, type FileChecksums, fileChecksums } from './checksums.ts';
import type { CacheOptions } from './paths.ts';
import { modelPath, obtainHint } from './resolve.ts';

export interface FetchOptions extends CacheOptions {
  /** Mirror holding the files under their cache names (`<base>/<fileName>`); else env AFFECTBENCH_MODEL_BASE_URL; else the record's URL. */
  baseUrl?: string;
  /** Show progress on stderr (default: unless AFFECTBENCH_QUIET=1). */
  progress?: boolean;
  /** Give up when the connection is silent this long (connect or mid-transfer). Default 30 s. */
  timeoutMs?: number;
  /** Download even when a file that passes the checks is already in place. */
  force?: boolean;
}

export interface FetchResult {
  id: string;
  path: string;
  url: string;
  status: 'downloaded' | 'present';
  checksums: FileChecksums;
  /** Which of the record's known facts the file was checked against (all passed, or fetchModel would have thrown). */
  checked: ('bytes' | 'sha256' | 'gitBlobSha1')[];
}

const MAX_REDIRECTS = 10;

/** Which URL a record is fetched from, honouring the mirror override. */
export function fetchUrl(record: ModelRecord, opts: FetchOptions = {}): string {
  const base = opts.baseUrl ?? (opts.env ?? process.env).AFFECTBENCH_MODEL_BASE_URL;
  return base ? `${base.replace(/\/+$/, '')}/${encodeURIComponent(record.source.fileName)}` : record.source.url;
}

/** Mismatches between a file's checksums and what the record knows; empty = the file is the one the record describes. */
function mismatches(record: ModelRecord, sums: FileChecksums): { checked: FetchResult['checked']; problems: string[] } {
  const s = record.source;
  const checked: FetchResult['checked'] = [];
  const problems: string[] = [];
  if (s.bytes !== undefined) {
    checked.push('bytes');
    if (s.bytes !== sums.bytes) problems.push(`${sums.bytes} bytes, expected ${s.bytes}`);
  }
  if (s.sha256) {
    checked.push('sha256');
    if (s.sha256 !== sums.sha256) problems.push(`sha256 ${sums.sha256}, expected ${s.sha256}`);
  }
  // The git blob id in a record describes the file the owners distribute; it applies to our ONNX only when that file is ONNX.
  if (s.gitBlobSha1 && s.format === 'onnx') {
    checked.push('gitBlobSha1');
    if (s.gitBlobSha1 !== sums.gitBlobSha1) problems.push(`git blob sha1 ${sums.gitBlobSha1}, expected ${s.gitBlobSha1}`);
  }
  return { checked, problems };
}

/** Why a request failed, in words, from Node's error codes. */
function describeNetworkError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found (${err.code}: offline, or DNS cannot resolve ${(err as { hostname?: string }).hostname ?? 'the host'})`;
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ETIMEDOUT':
      return err.message;
    case 'ECONNRESET':
      return 'connection reset by the server (ECONNRESET)';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `network unreachable (${err.code})`;
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}

/** GET with redirects followed; resolves with the final 2xx response. */
function get(url: string, timeoutMs: number, state: { timedOut: boolean }, redirectsLeft = MAX_REDIRECTS): Promise<{ res: http.IncomingMessage; url: string }> {
  return new Promise((resolve, reject) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      reject(new Error(`not a valid URL`));
      return;
    }
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : null;
    if (!client) {
      reject(new Error(`unsupported protocol ${parsed.protocol}`));
      return;
    }
    const req = client.get(parsed, { headers: { 'user-agent': 'affectbench' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (redirectsLeft === 0) reject(new Error(`more than ${MAX_REDIRECTS} redirects`));
        else get(new URL(res.headers.location, parsed).toString(), timeoutMs, state, redirectsLeft - 1).then(resolve, reject);
        return;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        reject(new Error(`HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      resolve({ res, url });
    });
    // A socket idle timeout: covers connecting, waiting for headers, and a body that stops arriving.
    req.setTimeout(timeoutMs, () => {
      state.timedOut = true;
      req.destroy(Object.assign(new Error(`no data for ${timeoutMs / 1000} s (timed out)`), { code: 'ETIMEDOUT' }));
    });
    req.on('error', reject);
  });
}

/**
 * Downloads a record's ONNX file into the cache: streamed to a temporary sibling while hashing, checked against the
 * record's size, sha256 and git blob id, then renamed into place. Any failure removes the temporary file, so the cache
 * never holds a half or wrong file. Network failures are one UserError naming the URL, the cause and where to put
 * the file by hand.
 */
export async function fetchModel(record: ModelRecord, opts: FetchOptions = {}): Promise<FetchResult> {
  const dest = modelPath(record, opts);
  if (record.source.format !== 'onnx') {
    throw new UserError(`${record.id} has no ONNX file to download (the owners ship .${record.source.format})`, { hint: obtainHint(record, dest) });
  }
  const url = fetchUrl(record, opts);
  if (existsSync(dest) && !opts.force) {
    const sums = await fileChecksums(dest);
    const { checked, problems } = mismatches(record, sums);
    if (problems.length === 0) return { id: record.id, path: dest, url, status: 'present', checksums: sums, checked };
    // A file that fails the checks (a twin, an older upload, a corrupt copy) is replaced by the download below.
  }

  mkdirSync(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.${randomBytes(4).toString('hex')}.part`;
  const fail = (cause: string, hint = `download it on a machine with internet from ${record.source.url} and place it by hand at ${dest}`) =>
    new UserError(`cannot download ${record.id} from ${url}: ${cause}`, { hint });
  try {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const state = { timedOut: false };
    let response: { res: http.IncomingMessage; url: string };
    try {
      response = await get(url, timeoutMs, state);
    } catch (err) {
      throw fail(describeNetworkError(err as NodeJS.ErrnoException));
    }
    const { res } = response;
    const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
    const sums = length !== undefined ? new ChecksumStream(length) : undefined;
    const progress = new Progress(`fetch ${record.id}`, length !== undefined ? Math.ceil(length / 1024) : undefined, {
      enabled: opts.progress,
      unit: 'KiB',
    });
    let received = 0;
    let pendingKiB = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        received += chunk.length;
        sums?.update(chunk);
        pendingKiB += chunk.length;
        if (pendingKiB >= 1024) {
          progress.tick(Math.floor(pendingKiB / 1024));
          pendingKiB %= 1024;
        }
        done(null, chunk);
      },
    });
    try {
      await pipeline(res, meter, createWriteStream(tmp));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const why = state.timedOut ? `no data for ${timeoutMs / 1000} s, timed out` : (e.code ?? e.message);
      throw fail(`download interrupted after ${received}${length !== undefined ? ` of ${length}` : ''} bytes (${why})`);
    }
    if (length !== undefined && received !== length) throw fail(`server sent ${received} bytes but announced ${length} (truncated download)`);
    if (pendingKiB > 0) progress.tick(1);
    progress.finish();
    const checksums = sums ? sums.digest() : await fileChecksums(tmp);
    const { checked, problems } = mismatches(record, checksums);
    if (problems.length > 0) {
      throw fail(`the downloaded file does not match the registry (${problems.join('; ')})`, `nothing was written to ${dest}; if the owners updated the file, check it and update the record's checksums`);
    }
    renameSync(tmp, dest);
    return { id: record.id, path: dest, url, status: 'downloaded', checksums, checked };
  } finally {
    rmSync(tmp, { force: true });
  }
}
