import { readBytes } from '../files.ts';
import { existsSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { BadFileError, UserError } from '../errors.ts';
import { GraphBuilder, decodeModel, encodeModel } from '../onnx/builder.ts';
import type { BackendName, Session, SessionOptions, TensorData } from './types.ts';

/** The constructor of `Tensor` from whichever onnxruntime package runs the session (node and web each bundle their own). */
export type TensorCtor = new (type: 'float32', data: Float32Array, dims: readonly number[]) => Tensor;

/** Model bytes, read from a path when given one; a missing file is a BadFileError naming it. */
export function modelBytes(model: string | Uint8Array): Uint8Array {
  return typeof model === 'string' ? readBytes(model) : model;
}

/**
 * Makes intermediate tensors fetchable: onnxruntime only returns graph outputs, so each requested name that a node
 * produces is appended to the graph's outputs. Names already among the outputs are left alone; a name no node produces
 * is a UserError (a typo would otherwise silently drop the embedding the caller asked for).
 */
export function withExtraOutputs(bytes: Uint8Array, names: readonly string[], label: string): Uint8Array {
  if (names.length === 0) return bytes;
  const model = decodeModel(bytes);
  const graph = model.graph;
  if (!graph) throw new BadFileError(label, 'not an ONNX model (no graph)');
  const outputs = new Set((graph.output ?? []).map((o) => o.name));
  const produced = new Set((graph.node ?? []).flatMap((n) => n.output ?? []));
  const missing = names.filter((n) => !outputs.has(n) && !produced.has(n));
  if (missing.length > 0) {
    const lastNodes = (graph.node ?? []).slice(-4).flatMap((n) => n.output ?? []);
    throw new UserError(`${label}: no tensor named ${missing.map((m) => `"${m}"`).join(', ')} to expose as an extra output`, {
      hint: `tensors produced by the last nodes: ${lastNodes.join(', ')}`,
    });
  }
  const added = names.filter((n) => !outputs.has(n));
  if (added.length === 0) return bytes;
  // Element type float: TensorData is float32, and embeddings are float tensors in every model we run.
  graph.output = [...(graph.output ?? []), ...added.map((name) => ({ name, type: { tensorType: { elemType: 1 } } }))];
  return encodeModel(model);
}

type Meta = { name: string; isTensor: boolean; shape?: readonly (number | string)[] };

function toTensorData(name: string, t: Tensor): TensorData {
  const d = t.data;
  if (d instanceof Float32Array) return { data: d, dims: [...t.dims] };
  if (typeof d === 'string' || (Array.isArray(d) && typeof d[0] === 'string')) throw new UserError(`output "${name}" is a string tensor; only numeric outputs are supported`);
  return { data: Float32Array.from(d as ArrayLike<number>, Number), dims: [...t.dims] };
}

/** One Session over an onnxruntime InferenceSession (onnxruntime-node or onnxruntime-web; both share onnxruntime-common). */
export class OrtSession implements Session {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  private readonly inputShapes: Map<string, readonly (number | string)[]>;

  constructor(
    readonly backend: BackendName,
    private readonly session: InferenceSession,
    private readonly Tensor: TensorCtor,
    /** What ran: execution provider, fallback policy, threads, adapter... recorded in results. */
    readonly details: Record<string, unknown>,
    /** Called once, after the first successful run (e.g. to end profiling and record node placement). */
    private onFirstRun?: (session: InferenceSession, details: Record<string, unknown>) => void,
  ) {
    this.inputNames = [...session.inputNames];
    this.outputNames = [...session.outputNames];
    const meta = ((session as unknown as { inputMetadata?: Meta[] }).inputMetadata ?? []).filter((m) => m.isTensor && m.shape);
    this.inputShapes = new Map(meta.map((m) => [m.name, m.shape as readonly (number | string)[]]));
  }

  async run(feeds: Record<string, TensorData>): Promise<Record<string, TensorData>> {
    const ortFeeds: Record<string, Tensor> = {};
    for (const name of this.inputNames) {
      const t = feeds[name];
      if (!t) throw new UserError(`${this.backend}: missing input "${name}" (the model takes ${this.inputNames.join(', ')}; got ${Object.keys(feeds).join(', ') || 'none'})`);
      this.checkShape(name, t);
      ortFeeds[name] = new this.Tensor('float32', t.data, t.dims);
    }
    const results = await this.session.run(ortFeeds);
    if (this.onFirstRun) {
      const hook = this.onFirstRun;
      this.onFirstRun = undefined;
      hook(this.session, this.details);
    }
    const out: Record<string, TensorData> = {};
    for (const [name, t] of Object.entries(results)) out[name] = toTensorData(name, t);
    return out;
  }

  async release(): Promise<void> {
    await this.session.release();
  }

  /** The runtime's own shape errors are terse and backend-specific; this one names the input and both shapes. */
  private checkShape(name: string, t: TensorData): void {
    const size = t.dims.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) throw new UserError(`${this.backend}: input "${name}" has dims [${t.dims.join(',')}] (${size} values) but ${t.data.length} values`);
    const want = this.inputShapes.get(name);
    if (!want) return;
    const ok = want.length === t.dims.length && want.every((d, i) => typeof d !== 'number' || d < 0 || d === t.dims[i]);
    if (!ok) throw new UserError(`${this.backend}: input "${name}" must have shape [${want.join(',')}], got [${t.dims.join(',')}]`);
  }
}

/**
 * What to hand the runtime: the path itself when nothing needs changing (onnxruntime maps the file, no copy through JS),
 * otherwise the bytes with the requested extra outputs exposed.
 */
export function prepareModel(model: string | Uint8Array, options: SessionOptions): string | Uint8Array {
  const extras = options.extraOutputs ?? [];
  if (typeof model === 'string' && extras.length === 0) {
    if (!existsSync(model)) throw new BadFileError(model, 'no such file');
    return model;
  }
  return withExtraOutputs(modelBytes(model), extras, typeof model === 'string' ? model : 'model');
}

/** A 1×1×4×4 → 1×2×4×4 convolution: the smallest graph that makes a runtime compile and dispatch a real kernel. */
export function probeGraph(): { bytes: Uint8Array; feeds: Record<string, TensorData> } {
  const g = new GraphBuilder('probe');
  const x = g.input('x', [1, 1, 4, 4]);
  const w = g.weight('w', [2, 1, 3, 3], Float32Array.from({ length: 18 }, (_, i) => (i % 5) - 2));
  g.output(g.op('Conv', [x, w], { pads: [1, 1, 1, 1] }, 'y'), [1, 2, 4, 4]);
  return { bytes: g.toBytes(), feeds: { x: { data: Float32Array.from({ length: 16 }, (_, i) => i / 16), dims: [1, 1, 4, 4] } } };
}
