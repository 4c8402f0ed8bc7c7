import { execFile } from 'node:child_process';
import { BadFileError, type RgbImage } from '@affectbench/core';

/**
 * Decoding through ffmpeg (installed on every machine this runs on, CI included): one code path for JPEG, PNG, TIFF
 * (incl. palette) and video frames. Output is binary PPM so the size travels with the pixels.
 */
function ffmpeg(args: readonly string[], file: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('ffmpeg', ['-v', 'error', '-nostdin', ...args], { encoding: 'buffer', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') reject(new BadFileError(file, 'cannot decode: ffmpeg is not installed (apt-get install ffmpeg)'));
        else reject(new BadFileError(file, `cannot decode (${String(stderr).trim().split('\n').pop() || err.message})`));
        return;
      }
      resolve(stdout);
    });
  });
}

/** Parses concatenated binary PPM (P6, maxval 255) images. */
export function parsePpmStream(buf: Buffer, file: string): RgbImage[] {
  const out: RgbImage[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const fields: string[] = [];
    if (buf[pos] !== 0x50 || buf[pos + 1] !== 0x36) throw new BadFileError(file, 'decoder produced no P6 image');
    pos += 2;
    while (fields.length < 3) {
      while (pos < buf.length && /\s/.test(String.fromCharCode(buf[pos]))) pos++;
      if (buf[pos] === 0x23) {
        while (pos < buf.length && buf[pos] !== 0x0a) pos++;
        continue;
      }
      let tok = '';
      while (pos < buf.length && !/\s/.test(String.fromCharCode(buf[pos]))) tok += String.fromCharCode(buf[pos++]);
      fields.push(tok);
    }
    pos++; // the single whitespace byte before the pixels
    const [width, height, maxval] = fields.map(Number);
    if (maxval !== 255) throw new BadFileError(file, `unexpected PPM maxval ${maxval}`);
    const size = width * height * 3;
    out.push({ width, height, data: new Uint8Array(buf.buffer, buf.byteOffset + pos, size).slice() });
    pos += size;
  }
  return out;
}

/** Decodes one still image to 8-bit RGB. */
export async function decodeFile(path: string): Promise<RgbImage> {
  const imgs = parsePpmStream(await ffmpeg(['-i', path, '-frames:v', '1', '-f', 'image2pipe', '-vcodec', 'ppm', '-'], path), path);
  if (imgs.length !== 1) throw new BadFileError(path, 'holds no image');
  return imgs[0];
}

/**
 * Every decoded frame of a clip, as the reference extracts them: `ffmpeg -r 1 -i clip -r 1` re-times the input to
 * 1 fps, so each decoded frame is kept (hsemotion-protocols §3.1). `stride` keeps every stride-th frame.
 */
export async function decodeVideoFrames(path: string, stride = 1): Promise<RgbImage[]> {
  const filter = stride > 1 ? ['-vf', `select=not(mod(n\\,${stride}))`, '-vsync', '0'] : [];
  return parsePpmStream(await ffmpeg(['-r', '1', '-i', path, '-r', '1', ...filter, '-f', 'image2pipe', '-vcodec', 'ppm', '-'], path), path);
}
