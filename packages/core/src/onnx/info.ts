import { BadFileError } from '../errors.ts';
import type OnnxTypes from 'onnx-proto';
import type { WeightsKind } from '../results.ts';
import { decodeModel, modelMetadata } from './builder.ts';
import { readFields, WireError } from './wire.ts';

// One WeightsKind for the whole package (results.ts); re-exported for callers of this module.
export type { WeightsKind };

type ModelProto = ReturnType<typeof decodeModel>;

export interface ModelTensorInfo {
  name: string;
  /** 'float32', 'int64', …; 'type<N>' for a type this table does not name. */
  type: string;
  /** Fixed sizes as numbers, symbolic ones (dynamic batch) as their names, null where the model says nothing. */
  dims: (number | string | null)[];
}

export interface ModelInfo {
  inputs: ModelTensorInfo[];
  outputs: ModelTensorInfo[];
  metadata: Record<string, string>;
  /** Version of the default ('' / ai.onnx) operator set. */
  opset: number | null;
  irVersion: number;
  producer: string;
  docString: string;
  /** Elements of float initializers used as weights or biases (see `countParameters`). */
  parameterCount: number;
  weights: WeightsKind;
}

const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};
const FLOAT_TYPES = new Set([1, 10, 11, 16]);

const MODEL_METADATA_FIELD = 14;
const ENTRY_KEY = 1;
const ENTRY_VALUE = 2;

/**
 * metadata_props read straight from the wire, skipping the graph: cheap enough to call on every file the store
 * verifies. `file` only names the source in errors.
 */
export function readMetadata(bytes: Uint8Array, file = 'ONNX model'): Record<string, string> {
  const text = new TextDecoder();
  const out: Record<string, string> = {};
  try {
    for (const f of readFields(bytes)) {
      if (f.field !== MODEL_METADATA_FIELD || f.wireType !== 2) continue;
      let key = '';
      let value = '';
      for (const e of readFields(bytes, f.start, f.end)) {
        if (e.field === ENTRY_KEY && e.wireType === 2) key = text.decode(bytes.subarray(e.start, e.end));
        if (e.field === ENTRY_VALUE && e.wireType === 2) value = text.decode(bytes.subarray(e.start, e.end));
      }
      out[key] = value;
    }
  } catch (err) {
    if (err instanceof WireError) throw new BadFileError(file, `not an ONNX model (${err.message})`);
    throw err;
  }
  return out;
}

/**
 * 'synthetic' for our architecture twins (metadata weights=synthetic), 'real' for anything else, read from the bytes
 * without decoding the graph.
 */
export function weightsKind(bytes: Uint8Array, file?: string): WeightsKind {
  return readMetadata(bytes, file).weights === 'synthetic' ? 'synthetic' : 'real';
}

/** Decodes a ModelProto, turning protobuf errors into a BadFileError that names the file. */
export function decodeModelFile(bytes: Uint8Array, file = 'ONNX model'): ModelProto {
  let model: ModelProto;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    throw new BadFileError(file, `not an ONNX model (${(err as Error).message})`);
  }
  if (!model.graph) throw new BadFileError(file, 'ONNX model has no graph');
  return model;
}

export function readModelInfo(bytes: Uint8Array, file?: string): ModelInfo {
  const model = decodeModelFile(bytes, file);
  const graph = model.graph as OnnxTypes.onnx.IGraphProto;
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  const metadata = modelMetadata(model);
  const opset = (model.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx')?.version;
  return {
    // Old exports list initializers among the inputs too; those are not inputs a caller feeds.
    inputs: (graph.input ?? []).filter((v) => !initializerNames.has(v.name ?? '')).map(tensorInfo),
    outputs: (graph.output ?? []).map(tensorInfo),
    metadata,
    opset: opset === undefined || opset === null ? null : Number(opset),
    irVersion: Number(model.irVersion ?? 0),
    producer: [model.producerName, model.producerVersion].filter(Boolean).join(' '),
    docString: model.docString ?? '',
    parameterCount: countParameters(graph),
    weights: metadata.weights === 'synthetic' ? 'synthetic' : 'real',
  };
}

export function tensorInfo(v: OnnxTypes.onnx.IValueInfoProto): ModelTensorInfo {
  const t = v.type?.tensorType;
  const elem = t?.elemType ?? 0;
  return {
    name: v.name ?? '',
    type: ELEMENT_TYPES[elem] ?? `type${elem}`,
    dims: (t?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined && d.dimValue !== null && Number(d.dimValue) > 0 ? Number(d.dimValue) : d.dimParam ? d.dimParam : null)),
  };
}

/** Inputs (by position) through which an operator takes learned parameters. */
const PARAMETER_INPUTS: Record<string, readonly number[]> = {
  Conv: [1, 2],
  ConvTranspose: [1, 2],
  Gemm: [0, 1, 2],
  MatMul: [0, 1],
  PRelu: [1],
  // Scale and bias are learned; running mean and variance are statistics (timm and Keras count them differently,
  // this follows PyTorch's `parameters()`).
  BatchNormalization: [1, 2],
  InstanceNormalization: [1, 2],
  LayerNormalization: [1, 2],
};

/** Producers after which an Add/Mul with a constant is a bias or an unfolded BatchNorm scale/shift. */
const LINEAR_PRODUCERS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Mul']);

/**
 * Elements of float initializers that are weights or biases: inputs of Conv/Gemm/MatMul/normalisations, and
 * non-scalar constants added to or multiplied with their outputs. Shape constants, Clip bounds and pad values are
 * not parameters. Each initializer counts once however many nodes use it.
 */
export function countParameters(graph: OnnxTypes.onnx.IGraphProto): number {
  const floats = new Map<string, number>();
  for (const t of graph.initializer ?? []) {
    if (FLOAT_TYPES.has(t.dataType ?? 0)) floats.set(t.name ?? '', (t.dims ?? []).reduce<number>((a, b) => a * Number(b), 1));
  }
  const producer = new Map<string, string>();
  for (const n of graph.node ?? []) for (const o of n.output ?? []) producer.set(o, n.opType ?? '');
  const used = new Set<string>();
  for (const n of graph.node ?? []) {
    const inputs = n.input ?? [];
    const op = n.opType ?? '';
    const positions = PARAMETER_INPUTS[op];
    if (positions) {
      for (const i of positions) if (inputs[i] && floats.has(inputs[i])) used.add(inputs[i]);
    } else if ((op === 'Add' || op === 'Mul') && inputs.length === 2) {
      const [a, b] = inputs;
      const constant = floats.has(a) ? a : floats.has(b) ? b : null;
      const other = constant === a ? b : a;
      if (constant && (floats.get(constant) ?? 0) > 1 && LINEAR_PRODUCERS.has(producer.get(other) ?? '')) used.add(constant);
    }
  }
  let total = 0;
  for (const name of used) total += floats.get(name) ?? 0;
  return total;
}
