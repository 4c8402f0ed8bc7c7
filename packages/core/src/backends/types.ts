/** A dense float32 tensor, row-major. */
export interface TensorData {
  data: Float32Array;
  dims: readonly number[];
}

export type BackendName = 'node-cpu' | 'node-cuda' | 'node-webgpu' | 'node-wasm' | 'browser-wasm' | 'browser-webgpu';
export const BACKEND_NAMES: readonly BackendName[] = ['node-cpu', 'node-cuda', 'node-webgpu', 'node-wasm', 'browser-wasm', 'browser-webgpu'];

export interface SessionOptions {
  /** Intra-op threads (node-cpu) or WASM threads (node-wasm, browser-wasm). */
  threads?: number;
  /** WASM SIMD (node-wasm, browser-wasm); default true. */
  simd?: boolean;
  /** Extra graph outputs to expose (e.g. the penultimate embedding); names of existing tensors. */
  extraOutputs?: readonly string[];
  /**
   * node-cuda, node-webgpu: fail when onnxruntime would place any node on the CPU. Default false: such nodes (typically
   * int64 shape arithmetic, which onnxruntime puts on the CPU on purpose) are allowed, and the placement is recorded in
   * Session.details after the first run.
   */
  requireDevicePlacement?: boolean;
}

/** What a backend says about itself: whether it can run here, why not, and what it runs on. */
export interface BackendInfo {
  name: BackendName;
  available: boolean;
  /** Why it is unavailable, in words a person can act on. */
  reason?: string;
  /** Execution provider, runtime versions, adapter (vendor/architecture/description for WebGPU), threads... */
  details: Record<string, unknown>;
}

export interface Session {
  readonly backend: BackendName;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** What actually ran (execution provider, CPU-fallback policy, threads, adapter); recorded beside timings. */
  readonly details?: Record<string, unknown>;
  run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>>;
  release(): Promise<void>;
}

/** One interface for every runtime, in the spirit of onnxruntime-common's registerBackend. */
export interface Backend {
  readonly name: BackendName;
  /** Never throws: an unavailable backend answers available=false with a reason. */
  probe(): Promise<BackendInfo>;
  /** `model` is a path to an ONNX file or its bytes. Throws UserError when unavailable. */
  createSession(model: string | Uint8Array, options?: SessionOptions): Promise<Session>;
}
