import { type Backend, type BackendInfo, type BackendName, type Session, type SessionOptions, type TensorData, UserError, packageVersion, probeGraph, readBytes, withExtraOutputs } from '@affectbench/core';
import type { Page } from 'puppeteer-core';
import type { LoopOptions } from '../timing.ts';
import { decodeTensors, encodeTensors } from '../wire.ts';
import type { PageApi, PageBenchResult, PageInfo, PageSessionInfo } from './page/api.ts';
import { Chromium, DEFAULT_CHROMIUM } from './chromium.ts';
import { AssetServer } from './server.ts';

export type BrowserFlavour = 'wasm' | 'webgpu';

/** Calls a PageApi method inside the page. Arguments must be JSON-serialisable. */
function call<K extends keyof PageApi>(page: Page, method: K, ...args: Parameters<PageApi[K]>): Promise<Awaited<ReturnType<PageApi[K]>>> {
  return page.evaluate(
    (m, a) => (globalThis as unknown as { affectbench: Record<string, (...x: unknown[]) => unknown> }).affectbench[m](...a),
    method,
    args as unknown[],
  ) as Promise<Awaited<ReturnType<PageApi[K]>>>;
}

/** A page with onnxruntime-web loaded, on its own Chromium and server: closing it leaves nothing running. */
class BrowserPage {
  private constructor(
    readonly chromium: Chromium,
    readonly server: AssetServer,
    readonly page: Page,
    readonly info: PageInfo,
  ) {}

  static async open(flavour: BrowserFlavour, threads: number | undefined, chromiumPath: string): Promise<BrowserPage> {
    const server = await AssetServer.start();
    let chromium: Chromium | null = null;
    try {
      chromium = await Chromium.launch(chromiumPath);
      const page = await chromium.newPage(`${server.origin}/`);
      const info = await call(page, 'init', flavour, threads);
      return new BrowserPage(chromium, server, page, info);
    } catch (err) {
      await chromium?.close();
      await server.close();
      throw err;
    }
  }

  details(flavour: BrowserFlavour): Record<string, unknown> {
    return {
      executionProvider: flavour,
      runtime: `onnxruntime-web ${this.info.ortVersion ?? packageVersion('onnxruntime-web') ?? '?'}`,
      ortBuild: this.info.ortFile,
      browser: this.chromium.version,
      userAgent: this.info.userAgent,
      crossOriginIsolated: this.info.crossOriginIsolated,
      hardwareConcurrency: this.info.hardwareConcurrency,
      // onnxruntime-web 1.19+ ships SIMD builds only.
      simd: true,
      ...(flavour === 'webgpu' ? { adapter: this.info.adapter } : {}),
    };
  }

  async close(): Promise<void> {
    try {
      await this.chromium.close();
    } finally {
      await this.server.close();
    }
  }
}

/**
 * A session inside the page. Besides `run` (tensors go through the local server as binary),
 * it can time itself in the page (`bench`), so the bench runner never times a CDP round trip.
 */
export class BrowserSession implements Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private released = false;

  constructor(
    readonly backend: BackendName,
    private readonly host: BrowserPage,
    private readonly info: PageSessionInfo,
    readonly details: Record<string, unknown>,
  ) {
    this.inputNames = info.inputNames;
    this.outputNames = info.outputNames;
  }

  /** InferenceSession.create time measured in the page, ms (excludes launching Chromium and fetching the model). */
  get createMs(): number {
    return this.info.createMs;
  }

  async run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    this.assertOpen();
    const { server, page } = this.host;
    const feedsPath = server.put(encodeTensors(this.pick(feeds)));
    const inbox = server.inbox();
    try {
      await call(page, 'run', this.info.id, feedsPath, inbox.path, []);
    } catch (err) {
      server.drop(feedsPath);
      throw new UserError(`${this.backend}: run failed in the page: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    return decodeTensors(await inbox.received);
  }

  /** First (cold) run, then the tinybench loop, all inside the page. */
  async bench(feeds: Record<string, TensorData>, loop: LoopOptions): Promise<PageBenchResult> {
    this.assertOpen();
    const feedsPath = this.host.server.put(encodeTensors(this.pick(feeds)));
    try {
      return await call(this.host.page, 'bench', this.info.id, feedsPath, loop);
    } catch (err) {
      this.host.server.drop(feedsPath);
      throw new UserError(`${this.backend}: benchmark failed in the page: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  }

  /** Peak RSS of the whole Chromium process tree, MB. */
  peakRssMB(): Promise<number | null> {
    return this.host.chromium.peakRssMB();
  }

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      await call(this.host.page, 'release', this.info.id).catch(() => undefined);
    } finally {
      await this.host.close();
    }
  }

  private pick(feeds: Record<string, TensorData>): Record<string, TensorData> {
    const out: Record<string, TensorData> = {};
    for (const name of this.inputNames) {
      const t = feeds[name];
      if (!t) throw new UserError(`${this.backend}: missing input "${name}" (the model takes ${this.inputNames.join(', ')}; got ${Object.keys(feeds).join(', ') || 'none'})`);
      const size = t.dims.reduce((a, b) => a * b, 1);
      if (size !== t.data.length) throw new UserError(`${this.backend}: input "${name}" has dims [${t.dims.join(',')}] (${size} values) but ${t.data.length} values`);
      out[name] = t;
    }
    return out;
  }

  private assertOpen(): void {
    if (this.released) throw new Error(`${this.backend}: session used after release()`);
  }
}


/** onnxruntime-web in headless Chromium: `wasm` (threaded SIMD WASM) or `webgpu`. */
export class BrowserBackend implements Backend {
  readonly name: BackendName;
  private probed: Promise<BackendInfo> | null = null;

  constructor(
    private readonly flavour: BrowserFlavour,
    private readonly chromiumPath = DEFAULT_CHROMIUM,
  ) {
    this.name = `browser-${flavour}`;
  }

  probe(): Promise<BackendInfo> {
    this.probed ??= this.doProbe();
    return this.probed;
  }

  async createSession(model: string | Uint8Array, options: SessionOptions = {}): Promise<Session & BrowserSession> {
    if (options.simd === false) throw new UserError(`${this.name}: onnxruntime-web ${packageVersion('onnxruntime-web') ?? ''} ships SIMD builds only; --no-simd is not available`);
    const missing = Chromium.missing(this.chromiumPath);
    if (missing) throw new UserError(`${this.name} is unavailable: ${missing}`);
    const label = typeof model === 'string' ? model : 'model bytes';
    const extras = options.extraOutputs ?? [];
    const bytes = withExtraOutputs(typeof model === 'string' ? readBytes(model) : model, extras, label);
    const host = await BrowserPage.open(this.flavour, this.flavour === 'wasm' ? options.threads : undefined, this.chromiumPath).catch((err) => {
      throw new UserError(`${this.name}: cannot start Chromium: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    });
    try {
      const unusable = this.unusable(host.info);
      if (unusable) throw new UserError(`${this.name} is unavailable: ${unusable}`);
      const modelPath = host.server.put(bytes);
      const info = await call(host.page, 'create', modelPath, extras).catch((err) => {
        throw new UserError(`${this.name}: cannot create a session for ${label}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
      });
      const details = { ...host.details(this.flavour), ...(this.flavour === 'wasm' ? { threads: info.numThreads ?? 'onnxruntime-web default' } : {}) };
      if (info.missingOutputs.length > 0) throw new UserError(`${this.name}: the session does not expose ${info.missingOutputs.join(', ')}`);
      return new BrowserSession(this.name, host, info, details);
    } catch (err) {
      await host.close();
      throw err;
    }
  }

  /** Why a loaded page cannot run this flavour, or null. */
  private unusable(info: PageInfo): string | null {
    if (this.flavour === 'webgpu') return info.adapterError;
    // Without isolation onnxruntime-web silently falls back to one thread; a thread sweep would then lie.
    if (!info.crossOriginIsolated) return 'the page is not cross-origin isolated, so WASM threads cannot start';
    return null;
  }

  private async doProbe(): Promise<BackendInfo> {
    const missing = Chromium.missing(this.chromiumPath);
    if (missing) return { name: this.name, available: false, reason: missing, details: { chromium: this.chromiumPath } };
    const { bytes, feeds } = probeGraph();
    const t0 = performance.now();
    let session: BrowserSession | null = null;
    try {
      session = await this.createSession(bytes, { threads: this.flavour === 'wasm' ? 1 : undefined });
      await session.run(feeds);
      return { name: this.name, available: true, details: { ...session.details, probeMs: Math.round(performance.now() - t0) } };
    } catch (err) {
      const e = err as UserError;
      return { name: this.name, available: false, reason: [e.message, e.hint].filter(Boolean).join('; '), details: { chromium: this.chromiumPath } };
    } finally {
      await session?.release();
    }
  }
}

export const browserWasm = new BrowserBackend('wasm');
export const browserWebgpu = new BrowserBackend('webgpu');
