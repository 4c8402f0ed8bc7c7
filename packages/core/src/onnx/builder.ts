import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export type Dim = number | string;
export type AttrValue = number | number[] | string | Float32Array | { float: number } | { floats: number[] } | { tensor: { dims: number[]; data: Float32Array | Int32Array | BigInt64Array } };

export const ONNX_TYPES = { FLOAT: 1, INT32: 6, INT64: 7 } as const;

/**
 * A tiny ONNX graph builder: nodes, initializers, typed inputs/outputs, metadata.
 * Numbers in attributes are INT unless wrapped as { float } / { floats }; number[] is INTS.
 */
export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private counter = 0;
  /** Number of float parameters added through `weight()`, for parameter-count checks. */
  parameterCount = 0;

  constructor(readonly name = 'graph') {}

  /** A fresh tensor name with the given prefix. */
  fresh(prefix: string): string {
    this.counter += 1;
    return `${prefix}_${this.counter}`;
  }

  input(name: string, dims: readonly Dim[], elemType: number = ONNX_TYPES.FLOAT): string {
    this.inputs.push(valueInfo(name, dims, elemType));
    return name;
  }

  output(name: string, dims: readonly Dim[], elemType: number = ONNX_TYPES.FLOAT): string {
    this.outputs.push(valueInfo(name, dims, elemType));
    return name;
  }

  /** A float32 initializer counted as a trainable parameter. */
  weight(name: string, dims: readonly number[], data: Float32Array): string {
    this.parameterCount += data.length;
    return this.constant(name, dims, data);
  }

  /** An initializer that is not a parameter (shapes, axes, folded constants). */
  constant(name: string, dims: readonly number[], data: Float32Array | Int32Array | BigInt64Array): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`initializer ${name}: dims ${dims.join('x')} hold ${size} values, data has ${data.length}`);
    this.initializers.push(tensorProto(name, dims, data));
    return name;
  }

  int64(name: string, values: readonly number[]): string {
    return this.constant(name, [values.length], BigInt64Array.from(values.map((v) => BigInt(v))));
  }

  node(opType: string, inputs: readonly string[], outputs: readonly string[] | number = 1, attrs: Record<string, AttrValue> = {}, name?: string): string[] {
    const outs = typeof outputs === 'number' ? Array.from({ length: outputs }, () => this.fresh(opType.toLowerCase())) : [...outputs];
    this.nodes.push({
      opType,
      name: name ?? this.fresh(`${opType}_node`),
      input: [...inputs],
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** Shorthand for a one-output node. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}, output?: string): string {
    return this.node(opType, inputs, output ? [output] : 1, attrs)[0];
  }

  toBytes(opts: { opset?: number; producer?: string; metadata?: Record<string, string>; docString?: string } = {}): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      producerName: opts.producer ?? 'affectbench',
      producerVersion: '0.1.0',
      docString: opts.docString ?? '',
      opsetImport: [{ domain: '', version: opts.opset ?? 13 }],
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dims: readonly Dim[], elemType: number): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorProto(name: string, dims: readonly number[], data: Float32Array | Int32Array | BigInt64Array): onnxProto.onnx.ITensorProto {
  const dataType = data instanceof Float32Array ? ONNX_TYPES.FLOAT : data instanceof Int32Array ? ONNX_TYPES.INT32 : ONNX_TYPES.INT64;
  // raw_data keeps large weights compact and fast to encode (little-endian, as ONNX requires; x86/arm hosts are LE).
  return { name, dims: [...dims], dataType, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if (v instanceof Float32Array) return { name, type: T.FLOATS, floats: [...v] };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: tensorProto(name, v.tensor.dims, v.tensor.data) };
}

/** Decoded ModelProto, for reading metadata, initializers and graph structure. */
export function decodeModel(bytes: Uint8Array): onnxProto.onnx.ModelProto {
  return onnx.ModelProto.decode(bytes);
}

export function encodeModel(model: onnxProto.onnx.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(model).finish();
}

export function modelMetadata(model: onnxProto.onnx.IModelProto): Record<string, string> {
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}

export { onnx as onnxProto };
