import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

/** Both checksums a model file is judged by, in one pass over the bytes. */
export interface FileChecksums {
  bytes: number;
  sha256: string;
  /** `git hash-object`: sha1("blob <size>\0" + bytes), the id the owners' repository records for each file. */
  gitBlobSha1: string;
}

/** Incremental hashing of a stream whose total size is known before the first byte (git's blob header needs it). */
export class ChecksumStream {
  private readonly sha256 = createHash('sha256');
  private readonly sha1 = createHash('sha1');
  bytes = 0;

  constructor(readonly size: number) {
    this.sha1.update(`blob ${size}\0`);
  }

  update(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    this.sha256.update(chunk);
    this.sha1.update(chunk);
  }

  digest(): FileChecksums {
    return { bytes: this.bytes, sha256: this.sha256.digest('hex'), gitBlobSha1: this.sha1.digest('hex') };
  }
}

export async function fileChecksums(path: string): Promise<FileChecksums> {
  const sums = new ChecksumStream(statSync(path).size);
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) sums.update(chunk as Buffer);
  return sums.digest();
}

export function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}
