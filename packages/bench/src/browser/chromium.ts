import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

export const DEFAULT_CHROMIUM = process.env.AFFECTBENCH_CHROMIUM ?? '/usr/bin/chromium';

/**
 * SwiftShader gives a WebGPU adapter without a GPU (so the webgpu build runs anywhere, slowly);
 * the rest keeps a headless run quiet and free of network traffic.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
] as const;

/** One headless Chromium with a throw-away profile; `close()` ends the process and removes the profile. */
export class Chromium {
  private constructor(
    readonly browser: Browser,
    readonly pid: number | null,
    readonly version: string,
    private readonly profile: string,
  ) {}

  /** Why Chromium cannot start at `path`, or null when the file is there. */
  static missing(path = DEFAULT_CHROMIUM): string | null {
    return existsSync(path) ? null : `no Chromium at ${path} (install it, e.g. apt-get install chromium, or set AFFECTBENCH_CHROMIUM)`;
  }

  static async launch(path = DEFAULT_CHROMIUM): Promise<Chromium> {
    const missing = Chromium.missing(path);
    if (missing) throw new Error(missing);
    const profile = await mkdtemp(join(tmpdir(), 'affectbench-chromium-'));
    try {
      const browser = await puppeteer.launch({
        executablePath: path,
        headless: true,
        args: [...CHROMIUM_ARGS],
        userDataDir: profile,
        // A whole in-page benchmark is one CDP call; SwiftShader WebGPU runs of a full model take minutes.
        protocolTimeout: 3_600_000,
      });
      return new Chromium(browser, browser.process()?.pid ?? null, await browser.version(), profile);
    } catch (err) {
      await rm(profile, { recursive: true, force: true });
      throw err;
    }
  }

  async newPage(url: string): Promise<Page> {
    const page = await this.browser.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction('globalThis.affectbench !== undefined', { timeout: 30_000 });
    return page;
  }

  /** Peak resident memory (VmHWM) summed over the browser and its child processes, MB; null where /proc is unreadable. */
  async peakRssMB(): Promise<number | null> {
    if (this.pid === null) return null;
    return peakRssOfTree(this.pid);
  }

  async close(): Promise<void> {
    try {
      await this.browser.close();
    } finally {
      await rm(this.profile, { recursive: true, force: true });
    }
  }
}

async function peakRssOfTree(root: number): Promise<number | null> {
  const { readdir, readFile } = await import('node:fs/promises');
  let entries: string[];
  try {
    entries = (await readdir('/proc')).filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const parent = new Map<number, number>();
  const hwm = new Map<number, number>();
  for (const e of entries) {
    try {
      const status = await readFile(`/proc/${e}/status`, 'utf8');
      const ppid = /^PPid:\s+(\d+)/m.exec(status);
      const peak = /^VmHWM:\s+(\d+) kB/m.exec(status);
      if (ppid) parent.set(Number(e), Number(ppid[1]));
      if (peak) hwm.set(Number(e), Number(peak[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 16; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  let kb = 0;
  for (const [pid, v] of hwm) if (inTree(pid)) kb += v;
  return kb > 0 ? kb / 1024 : null;
}
