import type { LoopOptions, LoopResult } from '../../timing.ts';

/** What the page exposes on `globalThis.affectbench`; Node calls it through page.evaluate. */
export interface PageApi {
  init(flavour: 'wasm' | 'webgpu', threads: number | undefined): Promise<PageInfo>;
  create(modelUrl: string, extraOutputs: readonly string[]): Promise<PageSessionInfo>;
  /** Fetches feeds from `feedsUrl`, runs, POSTs the outputs (all, or those named) to `resultUrl`. */
  run(id: number, feedsUrl: string, resultUrl: string, outputNames: readonly string[]): Promise<void>;
  /** Cold run, then the tinybench loop, all timed in the page. */
  bench(id: number, feedsUrl: string, loop: LoopOptions): Promise<PageBenchResult>;
  release(id: number): Promise<void>;
}

export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface PageInfo {
  crossOriginIsolated: boolean;
  userAgent: string;
  hardwareConcurrency: number;
  ortFile: string;
  ortVersion: string | null;
  adapter: AdapterInfo | null;
  adapterError: string | null;
}

export interface PageSessionInfo {
  id: number;
  createMs: number;
  inputNames: string[];
  outputNames: string[];
  missingOutputs: string[];
  numThreads: number | null;
}

export interface PageBenchResult extends LoopResult {
  firstRunMs: number;
}
