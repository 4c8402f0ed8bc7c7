/**
 * Runs inside the browser page (bundled by esbuild at server start). Holds the onnxruntime-web
 * sessions and times them with the same tinybench loop as Node, so CDP round trips are never timed.
 * Tensors travel as binary blobs through the local server (see ../../wire.ts).
 */
import { decodeTensors, encodeTensors } from '../../wire.ts';
import { type LoopOptions, timeLoop } from '../../timing.ts';
import type { TensorData } from '@affectbench/core';
import type { PageApi, PageInfo, PageSessionInfo, PageBenchResult } from './api.ts';

// Minimal slices of onnxruntime-web and WebGPU; the page loads ort by URL, so no compile-time import.
interface OrtTensor {
  data: unknown;
  dims: readonly number[];
}
interface OrtSession {
  inputNames: readonly string[];
  outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface Ort {
  env: { versions?: Record<string, string>; wasm: { numThreads?: number; wasmPaths?: string }; webgpu?: { adapter?: unknown } };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  InferenceSession: { create(bytes: Uint8Array, opts: Record<string, unknown>): Promise<OrtSession> };
}
interface GpuAdapterInfo {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
}
interface Gpu {
  requestAdapter(): Promise<{ info?: GpuAdapterInfo; features?: Set<string> } | null>;
}

let ort: Ort | null = null;
let provider: 'wasm' | 'webgpu' = 'wasm';
const sessions = new Map<number, OrtSession>();
let nextId = 1;

async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function toOrt(feeds: Record<string, TensorData>): Record<string, OrtTensor> {
  const o = ort as Ort;
  return Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new o.Tensor('float32', t.data, t.dims)]));
}

function fromOrt(outputs: Record<string, OrtTensor>): Record<string, TensorData> {
  return Object.fromEntries(
    Object.entries(outputs).map(([k, t]) => {
      if (!(t.data instanceof Float32Array)) throw new Error(`output ${k} is not float32`);
      return [k, { data: t.data, dims: [...t.dims] }];
    }),
  );
}

function session(id: number): OrtSession {
  const s = sessions.get(id);
  if (!s) throw new Error(`no session ${id} in the page`);
  return s;
}

const api: PageApi = {
  async init(flavour, threads): Promise<PageInfo> {
    provider = flavour;
    let adapter: PageInfo['adapter'] = null;
    let adapterError: string | null = null;
    let gpuAdapter: unknown = null;
    if (flavour === 'webgpu') {
      const gpu = (navigator as unknown as { gpu?: Gpu }).gpu;
      if (!gpu) adapterError = 'navigator.gpu is missing (WebGPU disabled in this Chromium)';
      else {
        const a = await gpu.requestAdapter();
        if (!a) adapterError = 'navigator.gpu.requestAdapter() returned null (no WebGPU adapter)';
        else {
          gpuAdapter = a;
          const info = a.info ?? {};
          adapter = { vendor: info.vendor ?? '', architecture: info.architecture ?? '', device: info.device ?? '', description: info.description ?? '' };
        }
      }
    }
    const file = flavour === 'webgpu' ? 'ort.webgpu.min.mjs' : 'ort.min.mjs';
    // A variable URL keeps esbuild from trying to bundle onnxruntime-web into the page.
    const url = `/ort/${file}`;
    ort = (await import(/* @vite-ignore */ url)) as Ort;
    ort.env.wasm.wasmPaths = '/ort/';
    // Fixed for the page's lifetime: onnxruntime-web reads it once when the WASM module starts.
    if (threads !== undefined) ort.env.wasm.numThreads = threads;
    if (gpuAdapter && ort.env.webgpu) ort.env.webgpu.adapter = gpuAdapter;
    return {
      crossOriginIsolated: globalThis.crossOriginIsolated === true,
      userAgent: navigator.userAgent,
      hardwareConcurrency: navigator.hardwareConcurrency,
      ortFile: file,
      ortVersion: ort.env.versions?.web ?? null,
      adapter,
      adapterError,
    };
  },

  async create(modelUrl, extraOutputs): Promise<PageSessionInfo> {
    if (!ort) throw new Error('init() first');
    const bytes = await fetchBytes(modelUrl);
    const t0 = performance.now();
    const s = await ort.InferenceSession.create(bytes, { executionProviders: [provider], graphOptimizationLevel: 'all' });
    const createMs = performance.now() - t0;
    const id = nextId++;
    sessions.set(id, s);
    const missing = extraOutputs.filter((n) => !s.outputNames.includes(n));
    return { id, createMs, inputNames: [...s.inputNames], outputNames: [...s.outputNames], missingOutputs: missing, numThreads: ort.env.wasm.numThreads ?? null };
  },

  async run(id, feedsUrl, resultUrl, outputNames) {
    const s = session(id);
    const feeds = toOrt(decodeTensors(await fetchBytes(feedsUrl)));
    const out = fromOrt(await s.run(feeds));
    const picked = outputNames.length ? Object.fromEntries(outputNames.map((n) => [n, out[n]])) : out;
    const res = await fetch(resultUrl, { method: 'POST', body: encodeTensors(picked) as BufferSource });
    if (!res.ok) throw new Error(`POST ${resultUrl}: HTTP ${res.status}`);
  },

  async bench(id, feedsUrl, loop: LoopOptions): Promise<PageBenchResult> {
    const s = session(id);
    const feeds = toOrt(decodeTensors(await fetchBytes(feedsUrl)));
    const t0 = performance.now();
    await s.run(feeds);
    const firstRunMs = performance.now() - t0;
    const result = await timeLoop(() => s.run(feeds), loop);
    return { firstRunMs, ...result };
  },

  async release(id) {
    const s = sessions.get(id);
    sessions.delete(id);
    await s?.release();
  },
};

(globalThis as unknown as { affectbench: PageApi }).affectbench = api;
document.title = 'affectbench ready';
