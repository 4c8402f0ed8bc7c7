import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { BadFileError, UserError } from '../errors.ts';
import { readJsonFile } from '../files.ts';
import { type Dim, GraphBuilder } from '../onnx/builder.ts';
import { NHWC_AXIS_IN_NCHW, TO_NCHW, type Value, asNchw, asNhwc, convOutSize, depthwiseToOihw, hwioToOihw, samePads, transposeData } from './layout.ts';
import { type ConstTensor, type WeightGroup, readTfjsWeights } from './tfjs-weights.ts';
import type { ConversionResult, ConvertOptions, TensorInfo } from './types.ts';

interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: { dim?: { size: string | number }[]; unknownRank?: boolean };
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
}

interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

interface TfjsModelJson {
  format?: string;
  modelTopology?: { node?: TfNode[] } & Record<string, unknown>;
  weightsManifest?: WeightGroup[];
  signature?: TfSignature;
  userDefinedMetadata?: { signature?: TfSignature };
}

interface TfSignature {
  inputs?: Record<string, { name: string; tensorShape?: { dim?: { size: string | number }[] } }>;
  outputs?: Record<string, { name: string; tensorShape?: { dim?: { size: string | number }[] } }>;
}

/** Ops the converter implements, for error messages and the CLI's help. */
export const SUPPORTED_TFJS_OPS: readonly string[] = [
  'Placeholder', 'Const', 'Identity', 'Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative',
  'Pad', 'PadV2', 'MaxPool', 'AvgPool', 'Mean', 'MatMul', '_FusedMatMul', 'BiasAdd', 'Add', 'AddV2', 'Mul', 'Sub',
  'RealDiv', 'Maximum', 'Minimum', 'Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh', 'Reshape', 'ConcatV2',
  'Softmax', 'Squeeze', 'Transpose', 'StridedSlice', 'ResizeBilinear',
];

const FUSABLE_ACTIVATIONS = ['Relu', 'Relu6', 'Elu', 'LeakyRelu', 'Sigmoid', 'Tanh'];

/** TF tensor names are `node:index`; index 0 is the node's name alone (as TF.js' executor writes them too). */
function tensorName(ref: string): string {
  return ref.endsWith(':0') ? ref.slice(0, -2) : ref;
}

function attrString(a: TfAttr | undefined): string | undefined {
  return a?.s === undefined ? undefined : Buffer.from(a.s, 'base64').toString('utf8');
}
function attrInts(a: TfAttr | undefined): number[] {
  return (a?.list?.i ?? []).map(Number);
}
function attrStrings(a: TfAttr | undefined): string[] {
  return (a?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}
function attrInt(a: TfAttr | undefined, dflt: number): number {
  return a?.i === undefined ? dflt : Number(a.i);
}
function shapeDims(dims: { size: string | number }[] | undefined): number[] {
  return (dims ?? []).map((d) => Number(d.size));
}

/**
 * Converts a TF.js graph model (model.json + weight shards) to ONNX (opset 13), keeping the graph's NHWC interface.
 * Every op is translated or the conversion fails with a UserError naming op and node: a partial or guessed graph is
 * never written.
 */
export function convertTfjsGraph(modelJsonPath: string, opts: ConvertOptions = {}): ConversionResult {
  const json = readJsonFile<TfjsModelJson>(modelJsonPath);
  const nodes = json.modelTopology?.node;
  if (!Array.isArray(nodes)) throw new BadFileError(modelJsonPath, 'not a TF.js graph model (no modelTopology.node list)', { hint: 'Keras layers models (format "layers-model") are not supported; convert the .h5 instead' });
  const { weights, quantised } = readTfjsWeights(modelJsonPath, json.weightsManifest ?? []);
  const conv = new TfjsConverter(modelJsonPath, nodes, weights, json.signature ?? json.userDefinedMetadata?.signature, opts);
  const result = conv.run();
  result.report.quantisedWeights = quantised.length;
  result.report.sourceSha256 = createHash('sha256').update(readFileSync(modelJsonPath)).digest('hex');
  return result;
}

class TfjsConverter {
  private readonly g: GraphBuilder;
  private readonly byName = new Map<string, TfNode>();
  private readonly values = new Map<string, Value>();
  private readonly consts = new Map<string, ConstTensor>();
  private readonly opCounts: Record<string, number> = {};

  constructor(
    private readonly file: string,
    nodes: TfNode[],
    private readonly weights: Map<string, ConstTensor>,
    private readonly signature: TfSignature | undefined,
    private readonly opts: ConvertOptions,
  ) {
    this.g = new GraphBuilder(opts.graphName ?? 'tfjs');
    for (const n of nodes) this.byName.set(n.name, n);
  }

  run(): ConversionResult {
    const outputRefs = this.outputRefs();
    const order = this.topoOrder(outputRefs.map(tensorName));
    const inputs: TensorInfo[] = [];
    for (const node of order) {
      this.opCounts[node.op] = (this.opCounts[node.op] ?? 0) + 1;
      if (node.op === 'Placeholder') inputs.push(this.placeholder(node));
      else this.convertNode(node);
    }
    const outputs: TensorInfo[] = [];
    for (const ref of outputRefs) {
      const tfName = tensorName(ref);
      const v = this.value(tfName, tfName);
      const name = this.rename(tfName);
      const src = asNhwc(this.g, v);
      this.g.op('Identity', [src], {}, name);
      const dims = this.boundaryDims(v.shape);
      this.g.output(name, dims);
      outputs.push({ name, tfName, shape: v.shape });
    }
    const bytes = this.g.toBytes({ producer: 'affectbench convertTfjsGraph', metadata: { source_format: 'tfjs', source_file: this.file } });
    return {
      bytes,
      inputs,
      outputs,
      report: { sourceFormat: 'tfjs', ops: this.opCounts, parameters: this.g.parameterCount, quantisedWeights: 0, sourceSha256: '' },
    };
  }

  private rename(tfName: string): string {
    return this.opts.rename?.[tfName] ?? tfName;
  }

  private boundaryDims(shape: readonly number[]): Dim[] {
    return shape.map((d) => (d < 0 ? 'batch' : d));
  }

  /** Graph outputs: the signature's, else every non-constant node nothing consumes. */
  private outputRefs(): string[] {
    const sig = this.signature?.outputs;
    if (sig && Object.keys(sig).length > 0) return Object.values(sig).map((o) => tensorName(o.name)).sort(naturalCompare);
    const consumed = new Set<string>();
    for (const n of this.byName.values()) for (const i of n.input ?? []) consumed.add(tensorName(i.replace(/^\^/, '')));
    return [...this.byName.values()].filter((n) => n.op !== 'Const' && !consumed.has(n.name)).map((n) => n.name);
  }

  /** Nodes the outputs depend on, each after its inputs; nodes nothing needs are dropped. */
  private topoOrder(roots: string[]): TfNode[] {
    const order: TfNode[] = [];
    const state = new Map<string, 1 | 2>();
    const visit = (name: string): void => {
      const st = state.get(name);
      if (st === 2) return;
      if (st === 1) throw new BadFileError(this.file, `graph has a cycle through node ${name}`);
      const node = this.byName.get(name);
      if (!node) throw new BadFileError(this.file, `node ${name} is referenced but not defined`);
      state.set(name, 1);
      const stack: string[] = (node.input ?? []).filter((i) => !i.startsWith('^')).map((i) => i.split(':')[0]);
      for (const i of stack) visit(i);
      state.set(name, 2);
      order.push(node);
    };
    for (const r of roots) visit(r);
    return order;
  }

  private placeholder(node: TfNode): TensorInfo {
    const sigShape = Object.values(this.signature?.inputs ?? {}).find((s) => tensorName(s.name) === node.name)?.tensorShape?.dim;
    const shape = shapeDims(node.attr?.shape?.shape?.dim ?? sigShape);
    if (shape.length === 0) throw new UserError(`${this.file}: input ${node.name} has no static shape`);
    if (shape.slice(1).some((d) => d < 0)) throw new UserError(`${this.file}: input ${node.name} has dynamic spatial dims [${shape.join(',')}]; only the batch axis may be dynamic`);
    const name = this.rename(node.name);
    this.g.input(name, this.boundaryDims(shape));
    this.values.set(node.name, { shape, nhwc: name });
    return { name, tfName: node.name, shape };
  }

  private fail(node: TfNode, problem: string): never {
    throw new UserError(`cannot convert ${this.file}: op ${node.op} (node "${node.name}"): ${problem}`);
  }

  private inputNames(node: TfNode): string[] {
    return (node.input ?? []).filter((i) => !i.startsWith('^')).map(tensorName);
  }

  private value(name: string, consumer: string): Value {
    const v = this.values.get(name);
    if (v) return v;
    const c = this.consts.get(name);
    if (c) {
      if (!(c.data instanceof Float32Array)) throw new UserError(`cannot convert ${this.file}: integer constant ${name} used as data by ${consumer}`);
      const v2: Value = { shape: c.shape, nhwc: this.g.weight(name, c.shape, c.data) };
      this.values.set(name, v2);
      return v2;
    }
    throw new UserError(`cannot convert ${this.file}: tensor ${name} (input of ${consumer}) is not produced by a converted node`);
  }

  private constOf(name: string): ConstTensor | undefined {
    return this.consts.get(name);
  }

  private needConst(node: TfNode, index: number, what: string): ConstTensor {
    const name = this.inputNames(node)[index];
    const c = name === undefined ? undefined : this.constOf(name);
    if (!c) this.fail(node, `${what} must be a constant`);
    return c;
  }

  private set(node: TfNode, v: Value): void {
    this.values.set(node.name, v);
  }

  private convertNode(node: TfNode): void {
    const a = node.attr ?? {};
    const ins = this.inputNames(node);
    switch (node.op) {
      case 'Const': {
        const w = this.weights.get(node.name);
        if (!w) this.fail(node, 'value not found in the weights manifest');
        this.consts.set(node.name, w);
        return;
      }
      case 'Identity': {
        const c = this.constOf(ins[0]);
        if (c) this.consts.set(node.name, c);
        else this.values.set(node.name, this.value(ins[0], node.name));
        return;
      }
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative':
        this.conv(node, node.op.includes('Depthwise'));
        return;
      case 'MaxPool':
      case 'AvgPool':
        this.pool(node);
        return;
      case 'Pad':
      case 'PadV2':
        this.pad(node);
        return;
      case 'Mean':
        this.mean(node);
        return;
      case 'MatMul':
      case '_FusedMatMul':
        this.matmul(node);
        return;
      case 'BiasAdd':
      case 'Add':
      case 'AddV2':
      case 'Mul':
      case 'Sub':
      case 'RealDiv':
      case 'Maximum':
      case 'Minimum':
        this.binary(node);
        return;
      case 'Relu':
      case 'Relu6':
      case 'Elu':
      case 'LeakyRelu':
      case 'Sigmoid':
      case 'Tanh': {
        const v = this.value(ins[0], node.name);
        const out: Value = { shape: v.shape };
        // Elementwise: keep whichever layout the input already has.
        if (v.nchw) out.nchw = this.activation(node, node.op, v.nchw, a);
        else out.nhwc = this.activation(node, node.op, asNhwc(this.g, v), a);
        this.set(node, out);
        return;
      }
      case 'Reshape': {
        const v = this.value(ins[0], node.name);
        const shapeConst = this.needConst(node, 1, 'the target shape');
        const target = [...shapeConst.data];
        const out = this.g.op('Reshape', [asNhwc(this.g, v), this.g.int64(this.g.fresh(`${node.name}/shape`), target)]);
        this.set(node, { shape: inferReshape(v.shape, target), nhwc: out });
        return;
      }
      case 'ConcatV2':
        this.concat(node);
        return;
      case 'Softmax': {
        const v = this.value(ins[0], node.name);
        this.set(node, { shape: v.shape, nhwc: this.g.op('Softmax', [asNhwc(this.g, v)], { axis: -1 }) });
        return;
      }
      case 'Squeeze': {
        const v = this.value(ins[0], node.name);
        const rank = v.shape.length;
        let axes = attrInts(a.squeeze_dims).map((x) => (x < 0 ? x + rank : x));
        if (axes.length === 0) axes = v.shape.flatMap((d, i) => (d === 1 ? [i] : []));
        const out = this.g.op('Squeeze', [asNhwc(this.g, v), this.g.int64(this.g.fresh(`${node.name}/axes`), axes)]);
        this.set(node, { shape: v.shape.filter((_, i) => !axes.includes(i)), nhwc: out });
        return;
      }
      case 'Transpose': {
        const v = this.value(ins[0], node.name);
        const perm = [...this.needConst(node, 1, 'the permutation').data];
        this.set(node, { shape: perm.map((p) => v.shape[p]), nhwc: this.g.op('Transpose', [asNhwc(this.g, v)], { perm }) });
        return;
      }
      case 'StridedSlice':
        this.stridedSlice(node);
        return;
      case 'ResizeBilinear':
        this.resizeBilinear(node);
        return;
      default:
        this.fail(node, `unsupported op (supported: ${SUPPORTED_TFJS_OPS.join(', ')})`);
    }
  }

  private activation(node: TfNode, op: string, x: string, a: Record<string, TfAttr>): string {
    switch (op) {
      case 'Relu':
        return this.g.op('Relu', [x]);
      case 'Relu6':
        return this.g.op('Clip', [x, this.scalar(0), this.scalar(6)]);
      case 'Elu':
        return this.g.op('Elu', [x], { alpha: { float: 1 } });
      case 'LeakyRelu':
        // TF's op attr is `alpha`; fused ops carry it as `leakyrelu_alpha`. TF's default is 0.2.
        return this.g.op('LeakyRelu', [x], { alpha: { float: a.alpha?.f ?? a.leakyrelu_alpha?.f ?? 0.2 } });
      case 'Sigmoid':
        return this.g.op('Sigmoid', [x]);
      case 'Tanh':
        return this.g.op('Tanh', [x]);
      default:
        this.fail(node, `unsupported fused activation ${op}`);
    }
  }

  private scalar(v: number): string {
    return this.g.constant(this.g.fresh('scalar'), [], Float32Array.of(v));
  }

  private fusedOps(node: TfNode, extraArgs: number): { bias?: string; activation?: string } {
    const ops = attrStrings(node.attr?.fused_ops);
    if (ops.length === 0) return {};
    const args = this.inputNames(node).slice(2, 2 + extraArgs);
    let bias: string | undefined;
    let activation: string | undefined;
    for (const op of ops) {
      if (op === 'BiasAdd') {
        bias = args[0];
      } else if (FUSABLE_ACTIVATIONS.includes(op)) {
        activation = op;
      } else {
        this.fail(node, `unsupported fused op ${op} (fused_ops = ${ops.join(',')})`);
      }
    }
    if (bias === undefined && activation === undefined) this.fail(node, `fused_ops ${ops.join(',')} not understood`);
    return { bias, activation };
  }

  private conv(node: TfNode, depthwise: boolean): void {
    const a = node.attr ?? {};
    const fmt = attrString(a.data_format) ?? 'NHWC';
    if (fmt !== 'NHWC') this.fail(node, `data_format ${fmt} (only NHWC)`);
    const x = this.value(this.inputNames(node)[0], node.name);
    const filter = this.needConst(node, 1, 'the filter');
    if (!(filter.data instanceof Float32Array) || filter.shape.length !== 4) this.fail(node, 'filter must be a rank-4 float tensor');
    const [kh, kw, cin, cm] = filter.shape;
    const strides = attrInts(a.strides);
    const dil = attrInts(a.dilations);
    const [sh, sw] = [strides[1] ?? 1, strides[2] ?? 1];
    const [dh, dw] = [dil[1] ?? 1, dil[2] ?? 1];
    const pads = this.pads(node, x.shape, [kh, kw], [sh, sw], [dh, dw]);
    const w = depthwise ? depthwiseToOihw(filter.data, filter.shape) : hwioToOihw(filter.data, filter.shape);
    const cout = depthwise ? cin * cm : cm;
    if (x.shape[3] !== cin) this.fail(node, `input has ${x.shape[3]} channels, filter expects ${cin}`);
    const inputs = [asNchw(this.g, x), this.g.weight(`${node.name}/W`, w.dims, w.data)];
    const { bias, activation } = this.fusedOps(node, attrInt(a.num_args, 0));
    let extraBias: string | undefined;
    if (bias !== undefined) {
      const b = this.constOf(bias);
      if (b && b.data instanceof Float32Array && b.data.length === cout) inputs.push(this.g.weight(`${node.name}/B`, [cout], b.data));
      else extraBias = bias;
    }
    let y = this.g.op('Conv', inputs, {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      dilations: [dh, dw],
      pads: [pads[0], pads[2], pads[1], pads[3]],
      group: depthwise ? cin : 1,
    });
    if (extraBias !== undefined) y = this.g.op('Add', [y, this.broadcastable(this.value(extraBias, node.name), 4, true)]);
    if (activation) y = this.activation(node, activation, y, a);
    const oh = convOutSize(x.shape[1], kh, sh, dh, pads[0], pads[1]);
    const ow = convOutSize(x.shape[2], kw, sw, dw, pads[2], pads[3]);
    this.set(node, { shape: [x.shape[0], oh, ow, cout], nchw: y });
  }

  /** [top, bottom, left, right] from the node's padding attribute and the static input shape. */
  private pads(node: TfNode, inShape: number[], k: [number, number], s: [number, number], d: [number, number]): [number, number, number, number] {
    const a = node.attr ?? {};
    const padding = attrString(a.padding) ?? 'VALID';
    if (padding === 'VALID') return [0, 0, 0, 0];
    if (padding === 'SAME') {
      if (inShape[1] < 0 || inShape[2] < 0) this.fail(node, 'SAME padding needs static spatial dims');
      const [t, b] = samePads(inShape[1], k[0], s[0], d[0]);
      const [l, r] = samePads(inShape[2], k[1], s[1], d[1]);
      return [t, b, l, r];
    }
    if (padding === 'EXPLICIT') {
      const e = attrInts(a.explicit_paddings);
      if (e.length !== 8) this.fail(node, 'EXPLICIT padding without 8 explicit_paddings');
      return [e[2], e[3], e[4], e[5]];
    }
    this.fail(node, `padding ${padding}`);
  }

  private pool(node: TfNode): void {
    const a = node.attr ?? {};
    const fmt = attrString(a.data_format) ?? 'NHWC';
    if (fmt !== 'NHWC') this.fail(node, `data_format ${fmt} (only NHWC)`);
    const x = this.value(this.inputNames(node)[0], node.name);
    const k = attrInts(a.ksize);
    const s = attrInts(a.strides);
    if (k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) this.fail(node, 'pooling across batch or channels');
    const pads = this.pads(node, x.shape, [k[1], k[2]], [s[1], s[2]], [1, 1]);
    // MaxPool pads with -inf and AveragePool (count_include_pad=0) averages only real pixels: both exactly as TF.
    const y = this.g.op(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [asNchw(this.g, x)], {
      kernel_shape: [k[1], k[2]],
      strides: [s[1], s[2]],
      pads: [pads[0], pads[2], pads[1], pads[3]],
    });
    const oh = convOutSize(x.shape[1], k[1], s[1], 1, pads[0], pads[1]);
    const ow = convOutSize(x.shape[2], k[2], s[2], 1, pads[2], pads[3]);
    this.set(node, { shape: [x.shape[0], oh, ow, x.shape[3]], nchw: y });
  }

  private pad(node: TfNode): void {
    const x = this.value(this.inputNames(node)[0], node.name);
    const p = this.needConst(node, 1, 'the paddings');
    const rank = x.shape.length;
    const pairs = Array.from({ length: rank }, (_, i) => [p.data[2 * i], p.data[2 * i + 1]]);
    let fill = 0;
    if (node.op === 'PadV2') {
      const c = this.needConst(node, 2, 'the constant value');
      fill = c.data[0];
    }
    const useNchw = rank === 4 && x.nchw !== undefined;
    const order = useNchw ? TO_NCHW : pairs.map((_, i) => i);
    const pads = [...order.map((i) => pairs[i][0]), ...order.map((i) => pairs[i][1])];
    const y = this.g.op('Pad', [useNchw ? x.nchw! : asNhwc(this.g, x), this.g.int64(this.g.fresh(`${node.name}/pads`), pads), this.scalar(fill)], { mode: 'constant' });
    const shape = x.shape.map((d, i) => (d < 0 ? d : d + pairs[i][0] + pairs[i][1]));
    this.set(node, useNchw ? { shape, nchw: y } : { shape, nhwc: y });
  }

  private mean(node: TfNode): void {
    const x = this.value(this.inputNames(node)[0], node.name);
    const rank = x.shape.length;
    const axes = [...this.needConst(node, 1, 'the reduction axes').data].map((v) => (v < 0 ? v + rank : v)).sort();
    const keep = node.attr?.keep_dims?.b === true;
    const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    // Reducing H and W of an NCHW tensor leaves [N, C] in the same order as NHWC would: no Transpose needed.
    const spatialOnly = rank === 4 && axes.every((v) => v === 1 || v === 2);
    if (x.nchw && spatialOnly) {
      const y = this.g.op('ReduceMean', [x.nchw], { axes: axes.map((v) => NHWC_AXIS_IN_NCHW[v]), keepdims: keep ? 1 : 0 });
      this.set(node, keep ? { shape, nchw: y } : { shape, nhwc: y });
      return;
    }
    this.set(node, { shape, nhwc: this.g.op('ReduceMean', [asNhwc(this.g, x)], { axes, keepdims: keep ? 1 : 0 }) });
  }

  private matmul(node: TfNode): void {
    const a = node.attr ?? {};
    const ins = this.inputNames(node);
    const x = this.value(ins[0], node.name);
    if (x.shape.length !== 2) this.fail(node, `rank-${x.shape.length} operand (only 2-D matrices)`);
    const ta = a.transpose_a?.b === true;
    const tb = a.transpose_b?.b === true;
    const bConst = this.constOf(ins[1]);
    const bName = bConst
      ? (() => {
          if (!(bConst.data instanceof Float32Array)) this.fail(node, 'integer weight matrix');
          return this.g.weight(`${node.name}/B`, bConst.shape, bConst.data);
        })()
      : asNhwc(this.g, this.value(ins[1], node.name));
    const bShape = bConst ? bConst.shape : this.value(ins[1], node.name).shape;
    const n = tb ? bShape[0] : bShape[1];
    const { bias, activation } = node.op === '_FusedMatMul' ? this.fusedOps(node, attrInt(a.num_args, 0)) : {};
    const gemmIns = [asNhwc(this.g, x), bName];
    if (bias !== undefined) gemmIns.push(asNhwc(this.g, this.value(bias, node.name)));
    let y = this.g.op('Gemm', gemmIns, { transA: ta ? 1 : 0, transB: tb ? 1 : 0 });
    if (activation) y = this.activation(node, activation, y, a);
    this.set(node, { shape: [ta ? x.shape[1] : x.shape[0], n], nhwc: y });
  }

  /**
   * An operand for an op on an NCHW rank-4 tensor. Constants of lower rank broadcast against NHWC's trailing axes,
   * so they are padded to rank 4 and permuted; a non-constant of lower rank is reshaped the same way at run time.
   */
  private broadcastable(v: Value, rank: number, nchw: boolean): string {
    if (!nchw) return asNhwc(this.g, v);
    if (v.shape.length === 4) return asNchw(this.g, v);
    const padded = [...new Array<number>(rank - v.shape.length).fill(1), ...v.shape];
    const r = this.g.op('Reshape', [asNhwc(this.g, v), this.g.int64(this.g.fresh('bshape'), padded)]);
    return this.g.op('Transpose', [r], { perm: TO_NCHW });
  }

  private constOperand(c: ConstTensor, name: string, nchw: boolean, rank: number): string {
    if (!(c.data instanceof Float32Array)) throw new UserError(`cannot convert ${this.file}: integer constant ${name} in arithmetic`);
    if (!nchw || c.shape.length === 0) return this.g.constant(this.g.fresh(name), c.shape, c.data);
    const padded = [...new Array<number>(rank - c.shape.length).fill(1), ...c.shape];
    const data = transposeData(c.data, padded, TO_NCHW);
    return this.g.constant(this.g.fresh(name), TO_NCHW.map((i) => padded[i]), data);
  }

  private binary(node: TfNode): void {
    const ins = this.inputNames(node);
    const onnxOp = { BiasAdd: 'Add', Add: 'Add', AddV2: 'Add', Mul: 'Mul', Sub: 'Sub', RealDiv: 'Div', Maximum: 'Max', Minimum: 'Min' }[node.op] as string;
    if (node.op === 'BiasAdd' && (attrString(node.attr?.data_format) ?? 'NHWC') !== 'NHWC') this.fail(node, 'data_format NCHW');
    const operands = ins.slice(0, 2).map((n) => ({ name: n, c: this.constOf(n), v: this.constOf(n) ? undefined : this.value(n, node.name) }));
    const shapes = operands.map((o) => (o.c ? o.c.shape : o.v!.shape));
    const rank = Math.max(...shapes.map((s) => s.length));
    // Work in NCHW when a rank-4 operand already is NCHW (the common case right after a Conv).
    const nchw = rank === 4 && operands.some((o) => o.v?.nchw !== undefined && o.v.shape.length === 4);
    const names = operands.map((o) => (o.c ? this.constOperand(o.c, o.name, nchw, rank) : this.broadcastable(o.v!, rank, nchw)));
    const y = this.g.op(onnxOp, names);
    const shape = broadcastShape(shapes[0], shapes[1]);
    this.set(node, nchw ? { shape, nchw: y } : { shape, nhwc: y });
  }

  private concat(node: TfNode): void {
    const ins = this.inputNames(node);
    const n = attrInt(node.attr?.N, ins.length - 1);
    const axisC = this.needConst(node, n, 'the axis');
    const parts = ins.slice(0, n).map((name) => this.value(name, node.name));
    const rank = parts[0].shape.length;
    const axis = axisC.data[0] < 0 ? axisC.data[0] + rank : axisC.data[0];
    const nchw = rank === 4 && parts.every((p) => p.nchw !== undefined);
    const names = parts.map((p) => (nchw ? p.nchw! : asNhwc(this.g, p)));
    const y = this.g.op('Concat', names, { axis: nchw ? NHWC_AXIS_IN_NCHW[axis] : axis });
    const shape = [...parts[0].shape];
    shape[axis] = parts.reduce((s, p) => (s < 0 || p.shape[axis] < 0 ? -1 : s + p.shape[axis]), 0);
    this.set(node, nchw ? { shape, nchw: y } : { shape, nhwc: y });
  }

  private stridedSlice(node: TfNode): void {
    const a = node.attr ?? {};
    const x = this.value(this.inputNames(node)[0], node.name);
    const begin = [...this.needConst(node, 1, 'begin').data];
    const end = [...this.needConst(node, 2, 'end').data];
    const strides = [...this.needConst(node, 3, 'strides').data];
    if (attrInt(a.ellipsis_mask, 0) !== 0 || attrInt(a.new_axis_mask, 0) !== 0) this.fail(node, 'ellipsis_mask/new_axis_mask');
    const bm = attrInt(a.begin_mask, 0);
    const em = attrInt(a.end_mask, 0);
    const sm = attrInt(a.shrink_axis_mask, 0);
    const starts: number[] = [];
    const ends: number[] = [];
    const axes: number[] = [];
    const steps: number[] = [];
    const shape: number[] = [];
    const big = 2 ** 31 - 1;
    for (let i = 0; i < x.shape.length; i++) {
      if (i >= begin.length) {
        shape.push(x.shape[i]);
        continue;
      }
      const step = strides[i];
      const shrink = (sm >> i) & 1;
      let s = (bm >> i) & 1 ? (step > 0 ? 0 : -1) : begin[i];
      let e = (em >> i) & 1 ? (step > 0 ? big : -big) : end[i];
      if (shrink) {
        s = begin[i];
        e = s === -1 ? big : s + 1;
      }
      starts.push(s);
      ends.push(e);
      axes.push(i);
      steps.push(step);
      if (!shrink) {
        const dim = x.shape[i];
        if (dim < 0) shape.push(-1);
        else {
          const norm = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + dim : v, lo), hi);
          const ss = step > 0 ? norm(s, 0, dim) : norm(s, -1, dim - 1);
          const ee = step > 0 ? norm(e, 0, dim) : norm(e, -1, dim - 1);
          shape.push(Math.max(0, Math.ceil((ee - ss) / step)));
        }
      }
    }
    const i64 = (vals: number[], tag: string) => this.g.int64(this.g.fresh(`${node.name}/${tag}`), vals);
    let y = this.g.op('Slice', [asNhwc(this.g, x), i64(starts, 'starts'), i64(ends, 'ends'), i64(axes, 'axes'), i64(steps, 'steps')]);
    const shrinkAxes = axes.filter((i) => (sm >> i) & 1);
    if (shrinkAxes.length > 0) y = this.g.op('Squeeze', [y, i64(shrinkAxes, 'squeeze')]);
    this.set(node, { shape, nhwc: y });
  }

  private resizeBilinear(node: TfNode): void {
    const a = node.attr ?? {};
    const x = this.value(this.inputNames(node)[0], node.name);
    const size = [...this.needConst(node, 1, 'the size').data];
    const mode = a.align_corners?.b ? 'align_corners' : a.half_pixel_centers?.b ? 'half_pixel' : 'asymmetric';
    const xs = asNchw(this.g, x);
    // Full NCHW sizes with the batch and channel dims taken at run time, so a dynamic batch works.
    const nc = this.g.op('Slice', [this.g.op('Shape', [xs]), this.g.int64(this.g.fresh('s0'), [0]), this.g.int64(this.g.fresh('s2'), [2])]);
    const sizes = this.g.op('Concat', [nc, this.g.int64(this.g.fresh(`${node.name}/hw`), size)], { axis: 0 });
    const roi = this.g.constant(this.g.fresh('roi'), [0], new Float32Array(0));
    const scales = this.g.constant(this.g.fresh('scales'), [0], new Float32Array(0));
    const y = this.g.op('Resize', [xs, roi, scales, sizes], { mode: 'linear', coordinate_transformation_mode: mode });
    this.set(node, { shape: [x.shape[0], size[0], size[1], x.shape[3]], nchw: y });
  }
}

function inferReshape(inShape: readonly number[], target: readonly number[]): number[] {
  const total = inShape.every((d) => d >= 0) ? inShape.reduce((p, d) => p * d, 1) : -1;
  const known = target.filter((d) => d >= 0).reduce((p, d) => p * d, 1);
  return target.map((d) => (d >= 0 ? d : total >= 0 && known > 0 ? total / known : -1));
}

function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    out.push(x === 1 ? y : y === 1 ? x : x < 0 || y < 0 ? -1 : x);
  }
  return out;
}

/** Identity, Identity_1, …, Identity_10 in numeric order (TF's signature order), not the JSON object's order. */
function naturalCompare(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}
