import type OnnxTypes from 'onnx-proto';
import { BadFileError } from '../errors.ts';
import { encodeModel, modelMetadata, onnxProto } from './builder.ts';
import { decodeModelFile } from './info.ts';
import { TWIN_METADATA } from './twins.ts';
import { concatBytes, lengthDelimitedHeader, readFields, type WireField, WireError } from './wire.ts';

type Graph = OnnxTypes.onnx.IGraphProto;
type Node = OnnxTypes.onnx.INodeProto;

export interface EmbeddingOptions {
  /** Take this tensor instead of searching for the classifier. */
  tensor?: string;
  /**
   * Expected embedding width (the record's architecture.embeddingDim). When the final classifier's input is
   * narrower, the search keeps walking back through earlier dense layers (mobilenet_7: emotion_preds ← feats(256)
   * ← global_pooling(1024)) until it finds an input of this width.
   */
  dim?: number;
  /** Graph output whose classifier to use; default the first output. */
  output?: string;
  /** Names the model in errors. */
  file?: string;
}

export interface WithEmbedding {
  bytes: Uint8Array;
  embeddingName: string;
  /** Width of the embedding when the graph tells it (the classifier's weight shape), else null. */
  embeddingDim: number | null;
}

/** Ops that may follow the classifier without changing which tensor feeds it. */
const AFTER_CLASSIFIER = new Set(['Softmax', 'LogSoftmax', 'Sigmoid', 'Identity']);
/** Elementwise activations between two dense layers, walked through when looking for an earlier embedding. */
const ACTIVATIONS = new Set(['Relu', 'Clip', 'Sigmoid', 'Tanh', 'LeakyRelu', 'Elu', 'Selu', 'HardSigmoid', 'Identity', 'Dropout']);

const GRAPH_FIELD = 7;
const GRAPH_OUTPUT_FIELD = 12;

/**
 * Returns a copy of an ONNX classifier with its penultimate tensor (the data input of the final Gemm, or of
 * MatMul+Add, behind any trailing Softmax) added as an extra graph output. Which tensor: `opts.tensor`, else the
 * twin metadata `affectbench.embedding`, else the classifier search. The input bytes are not modified; the weights
 * are not re-encoded (the new output is appended to the graph on the wire).
 */
export function withEmbeddingOutput(bytes: Uint8Array, opts: EmbeddingOptions = {}): WithEmbedding {
  const file = opts.file ?? 'ONNX model';
  const model = decodeModelFile(bytes, file);
  const graph = model.graph as Graph;
  const index = new GraphIndex(graph);
  const named = opts.tensor ?? modelMetadata(model)[TWIN_METADATA.embedding];
  let name: string;
  let dim: number | null;
  if (named) {
    if (!index.producer.has(named)) throw new BadFileError(file, `no node produces tensor "${named}" (asked for as the embedding)`);
    name = named;
    dim = index.denseInputWidth(named);
  } else {
    ({ name, dim } = findEmbedding(index, file, opts));
  }
  if ((graph.output ?? []).some((o) => o.name === name)) return { bytes, embeddingName: name, embeddingDim: dim };

  const batch = graph.output?.[0]?.type?.tensorType?.shape?.dim?.[0];
  const batchDim = batch?.dimParam ? { dimParam: batch.dimParam } : batch?.dimValue ? { dimValue: batch.dimValue } : { dimParam: 'batch' };
  const valueInfo: OnnxTypes.onnx.IValueInfoProto = {
    name,
    type: { tensorType: { elemType: 1, ...(dim !== null ? { shape: { dim: [batchDim, { dimValue: dim }] } } : {}) } },
  };
  return { bytes: appendGraphOutput(bytes, valueInfo, file), embeddingName: name, embeddingDim: dim };
}

function findEmbedding(index: GraphIndex, file: string, opts: EmbeddingOptions): { name: string; dim: number | null } {
  const outputs = index.graph.output ?? [];
  const outName = opts.output ?? outputs[0]?.name;
  if (!outName || !outputs.some((o) => o.name === outName)) throw new BadFileError(file, `graph has no output "${opts.output ?? ''}"`);
  let tensor = outName;
  let node = index.producer.get(tensor);
  while (node && AFTER_CLASSIFIER.has(node.opType ?? '')) {
    tensor = node.input?.[0] ?? '';
    node = index.producer.get(tensor);
  }
  let dense = index.dense(tensor);
  if (!dense) {
    throw new BadFileError(file, `cannot find the classifier: output "${outName}" comes from ${node?.opType ?? 'no node'}, expected Gemm or MatMul(+Add), optionally followed by Softmax`);
  }
  const found = [dense.inDim];
  while (opts.dim !== undefined && dense.inDim !== opts.dim) {
    let t = dense.data;
    let n = index.producer.get(t);
    while (n && ACTIVATIONS.has(n.opType ?? '')) {
      t = n.input?.[0] ?? '';
      n = index.producer.get(t);
    }
    const earlier = index.dense(t);
    if (!earlier) {
      throw new BadFileError(file, `no dense layer takes a ${opts.dim}-wide input (classifier chain input widths: ${found.join(', ')})`);
    }
    dense = earlier;
    found.push(dense.inDim);
  }
  return { name: dense.data, dim: dense.inDim };
}

interface Dense {
  /** The data input of the layer. */
  data: string;
  /** Its width, from the weight's shape. */
  inDim: number;
}

class GraphIndex {
  readonly producer = new Map<string, Node>();
  private readonly consumers = new Map<string, Node[]>();
  private readonly constDims = new Map<string, number[]>();

  constructor(readonly graph: Graph) {
    for (const t of graph.initializer ?? []) this.constDims.set(t.name ?? '', (t.dims ?? []).map(Number));
    for (const n of graph.node ?? []) {
      for (const o of n.output ?? []) this.producer.set(o, n);
      for (const i of n.input ?? []) this.consumers.set(i, [...(this.consumers.get(i) ?? []), n]);
      const value = n.attribute?.find((a) => a.name === 'value')?.t;
      if (n.opType === 'Constant' && value) this.constDims.set(n.output?.[0] ?? '', (value.dims ?? []).map(Number));
    }
  }

  /** The dense layer (Gemm, or MatMul with an optional bias Add) whose output is `tensor`. */
  dense(tensor: string): Dense | null {
    let node = this.producer.get(tensor);
    if (node?.opType === 'Add') {
      const [a, b] = node.input ?? [];
      const other = this.constDims.has(a) ? b : this.constDims.has(b) ? a : null;
      node = other ? this.producer.get(other) : undefined;
      if (node?.opType !== 'MatMul') return null;
    }
    return node ? this.denseNode(node) : null;
  }

  /** A Gemm or MatMul with a constant 2-D weight, as a dense layer. */
  private denseNode(node: Node): Dense | null {
    const w = this.constDims.get(node.input?.[1] ?? '');
    if (w?.length !== 2) return null;
    if (node.opType === 'Gemm') {
      const transB = Number(node.attribute?.find((a) => a.name === 'transB')?.i ?? 0) === 1;
      return { data: node.input?.[0] ?? '', inDim: transB ? w[1] : w[0] };
    }
    if (node.opType === 'MatMul') return { data: node.input?.[0] ?? '', inDim: w[0] };
    return null;
  }

  /** Width of a tensor known from a dense layer that consumes it, or from a 2-D value_info; null otherwise. */
  denseInputWidth(tensor: string): number | null {
    for (const n of this.consumers.get(tensor) ?? []) {
      const d = this.denseNode(n);
      if (d?.data === tensor) return d.inDim;
    }
    const dims = (this.graph.valueInfo ?? []).find((v) => v.name === tensor)?.type?.tensorType?.shape?.dim;
    const last = dims?.[1]?.dimValue;
    return dims?.length === 2 && last ? Number(last) : null;
  }
}

/** Appends a ValueInfoProto to graph.output on the wire, leaving every other byte of the model as it was. */
function appendGraphOutput(bytes: Uint8Array, valueInfo: OnnxTypes.onnx.IValueInfoProto, file: string): Uint8Array {
  let graphField: WireField | undefined;
  try {
    graphField = readFields(bytes).find((f) => f.field === GRAPH_FIELD && f.wireType === 2);
  } catch (err) {
    if (err instanceof WireError) throw new BadFileError(file, `not an ONNX model (${err.message})`);
    throw err;
  }
  if (!graphField) {
    // Unreachable for models that decoded with a graph; re-encoding is the safe fallback.
    const model = decodeModelFile(bytes, file);
    model.graph?.output?.push(onnxProto.ValueInfoProto.create(valueInfo));
    return encodeModel(model);
  }
  const vi = onnxProto.ValueInfoProto.encode(valueInfo).finish();
  const entry = concatBytes([lengthDelimitedHeader(GRAPH_OUTPUT_FIELD, vi.length), vi]);
  const graphLength = graphField.end - graphField.start + entry.length;
  return concatBytes([
    bytes.subarray(0, graphField.tagStart),
    lengthDelimitedHeader(GRAPH_FIELD, graphLength),
    bytes.subarray(graphField.start, graphField.end),
    entry,
    bytes.subarray(graphField.end),
  ]);
}
