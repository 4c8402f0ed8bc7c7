import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/**
 * Serves the page, onnxruntime-web's dist files, model bytes and tensor blobs on 127.0.0.1.
 * Every response is cross-origin isolated (COOP same-origin + COEP require-corp), which the
 * browser requires before it lets onnxruntime-web start WASM threads (SharedArrayBuffer).
 */
const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.js': 'text/javascript',
  '.wasm': 'application/wasm',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json',
};

const PAGE_HTML = '<!doctype html><meta charset="utf-8"><title>affectbench</title><script type="module" src="/page.js"></script>';

export function ortDistDir(): string {
  const require = createRequire(import.meta.url);
  // The package's "main" lives in dist/, next to the WASM files.
  return dirname(require.resolve('onnxruntime-web'));
}

let pageBundle: Promise<string> | null = null;

/** The page script: page/main.ts with tinybench and the shared timing/wire code, bundled once per process. */
export function bundlePage(): Promise<string> {
  pageBundle ??= build({
    entryPoints: [join(dirname(fileURLToPath(import.meta.url)), 'page', 'main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    write: false,
    logLevel: 'silent',
  }).then((r) => r.outputFiles[0].text);
  return pageBundle;
}

export class AssetServer {
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly waiting = new Map<string, (bytes: Uint8Array) => void>();
  private constructor(
    private readonly server: Server,
    readonly origin: string,
    private readonly page: string,
    private readonly ortDir: string,
  ) {}

  static async start(): Promise<AssetServer> {
    const page = await bundlePage();
    const ortDir = ortDistDir();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const s = new AssetServer(server, `http://127.0.0.1:${port}`, page, ortDir);
    server.on('request', (req, res) => {
      s.handle(req, res).catch((err) => s.send(res, 500, String(err), 'text/plain'));
    });
    return s;
  }

  /** Makes bytes fetchable once at the returned path (models stay until `drop`). */
  put(bytes: Uint8Array, opts: { keep?: boolean } = {}): string {
    const token = randomBytes(8).toString('hex');
    this.blobs.set(`${opts.keep ? 'k' : 'o'}${token}`, bytes);
    return `/blob/${opts.keep ? 'k' : 'o'}${token}`;
  }

  drop(path: string): void {
    this.blobs.delete(path.slice('/blob/'.length));
  }

  /** A path the page may POST to once; the promise resolves with the posted bytes. */
  inbox(): { path: string; received: Promise<Uint8Array> } {
    const token = randomBytes(8).toString('hex');
    const received = new Promise<Uint8Array>((resolve) => this.waiting.set(token, resolve));
    return { path: `/inbox/${token}`, received };
  }

  async close(): Promise<void> {
    this.blobs.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.origin);
    const path = url.pathname;
    if (req.method === 'POST' && path.startsWith('/inbox/')) {
      const resolve = this.waiting.get(path.slice('/inbox/'.length));
      if (!resolve) return this.send(res, 404, 'unknown inbox', 'text/plain');
      this.waiting.delete(path.slice('/inbox/'.length));
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      resolve(new Uint8Array(Buffer.concat(chunks)));
      return this.send(res, 204, '', 'text/plain');
    }
    if (req.method !== 'GET') return this.send(res, 405, 'method not allowed', 'text/plain');
    if (path === '/' || path === '/index.html') return this.send(res, 200, PAGE_HTML, TYPES['.html']);
    if (path === '/page.js') return this.send(res, 200, this.page, TYPES['.js']);
    if (path.startsWith('/blob/')) {
      const key = path.slice('/blob/'.length);
      const bytes = this.blobs.get(key);
      if (!bytes) return this.send(res, 404, 'unknown blob', 'text/plain');
      if (key.startsWith('o')) this.blobs.delete(key);
      return this.send(res, 200, bytes, 'application/octet-stream');
    }
    const m = /^\/ort\/([\w.-]+)$/.exec(path);
    if (m) {
      const ext = m[1].slice(m[1].lastIndexOf('.'));
      try {
        return this.send(res, 200, await readFile(join(this.ortDir, m[1])), TYPES[ext] ?? 'application/octet-stream');
      } catch {
        return this.send(res, 404, 'not found', 'text/plain');
      }
    }
    return this.send(res, 404, 'not found', 'text/plain');
  }

  private send(res: ServerResponse, status: number, body: string | Uint8Array, type: string): void {
    if (res.headersSent) return void res.end();
    res.writeHead(status, { ...ISOLATION, 'Content-Type': type });
    res.end(body);
  }
}
