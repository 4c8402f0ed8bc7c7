import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { BadFileError, UserError } from '../errors.ts';
import { GraphBuilder } from '../onnx/builder.ts';
import { getModel } from '../registry/index.ts';
import { NHWC_AXIS_IN_NCHW, type Value, asNchw, asNhwc, convOutSize, depthwiseToOihw, hwioToOihw, samePads } from './layout.ts';
import type { ConversionResult, TensorInfo } from './types.ts';

/**
 * Keras 2 full-model .h5 (model.save) → ONNX, for HSEmotion's mobilenet_7.h5: Keras MobileNet v1 + Dense heads.
 *
 * Verified against scripts/make_h5_fixture.py's file, which reproduces Keras 2's HDF5 layout and layer configs for
 * every layer class mobilenet_7 uses; the real mobilenet_7.h5 is not on this machine, so its exact layer list, its
 * keras_version and any layer we have not seen in it (a Reshape/Dropout head variant, say) are unverified. Any layer
 * class or option not handled below is refused with a UserError naming the layer, never approximated.
 */
export const SUPPORTED_KERAS_LAYERS: readonly string[] = [
  'InputLayer', 'ZeroPadding2D', 'Conv2D', 'DepthwiseConv2D', 'BatchNormalization', 'ReLU', 'Activation',
  'GlobalAveragePooling2D', 'Reshape', 'Dropout', 'Flatten', 'Dense',
];

interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes?: unknown[];
}

export interface KerasConvertOptions {
  /** Registry id: input/output renamed to the record's names and the shapes checked against it. */
  modelId?: string;
}

type H5Module = typeof import('h5wasm/node');
let h5: Promise<H5Module['default']> | undefined;
function loadH5(): Promise<H5Module['default']> {
  h5 ??= import('h5wasm/node').then(async (m) => {
    await m.default.ready;
    return m.default;
  });
  return h5;
}

export async function convertKerasH5(path: string, opts: KerasConvertOptions = {}): Promise<ConversionResult> {
  if (!existsSync(path)) throw new BadFileError(path, 'no such file');
  const head = readFileSync(path).subarray(0, 8);
  if (head.toString('latin1') !== '\x89HDF\r\n\x1a\n') throw new BadFileError(path, 'not an HDF5 file');
  const h5wasm = await loadH5();
  const file = new h5wasm.File(path, 'r');
  try {
    const configAttr = file.attrs.model_config?.value;
    if (typeof configAttr !== 'string') {
      throw new BadFileError(path, 'has no model_config attribute (a weights-only file?)', { hint: 'save the whole model with model.save("x.h5")' });
    }
    const config = JSON.parse(configAttr) as { class_name: string; config: { layers?: KerasLayer[]; output_layers?: unknown[][] } | KerasLayer[] };
    const readWeights = (layer: string): Map<string, { shape: number[]; data: Float32Array }> => {
      const group = file.get(`model_weights/${layer}`) as { attrs: Record<string, { value: unknown }> } | null;
      const names = (group?.attrs.weight_names?.value ?? []) as string[];
      const out = new Map<string, { shape: number[]; data: Float32Array }>();
      for (const n of names) {
        const ds = file.get(`model_weights/${layer}/${n}`) as { shape: number[] | null; value: unknown } | null;
        if (!ds || !(ds.value instanceof Float32Array)) throw new BadFileError(path, `weight ${n} of layer ${layer} is missing or not float32`);
        // Keras names weights "<layer>/<kind>:0"; only <kind> (kernel, bias, gamma, ...) matters here.
        out.set(n.split('/').pop()!.split(':')[0], { shape: ds.shape ?? [], data: ds.value });
      }
      return out;
    };
    const conv = new KerasConverter(path, readWeights, opts);
    return conv.run(config);
  } finally {
    file.close();
  }
}

class KerasConverter {
  private readonly g = new GraphBuilder('keras');
  private readonly values = new Map<string, Value>();
  private readonly counts: Record<string, number> = {};

  constructor(
    private readonly file: string,
    private readonly weights: (layer: string) => Map<string, { shape: number[]; data: Float32Array }>,
    private readonly opts: KerasConvertOptions,
  ) {}

  private fail(layer: KerasLayer, problem: string): never {
    throw new UserError(`cannot convert ${this.file}: layer "${layer.config.name}" (${layer.class_name}): ${problem}`);
  }

  run(model: { class_name: string; config: { layers?: KerasLayer[]; output_layers?: unknown[][] } | KerasLayer[] }): ConversionResult {
    const sequential = model.class_name === 'Sequential';
    const layers = Array.isArray(model.config) ? model.config : (model.config.layers ?? []);
    if (!['Functional', 'Model', 'Sequential'].includes(model.class_name) || layers.length === 0) {
      throw new BadFileError(this.file, `model_config is a ${model.class_name} without layers; only Functional/Model/Sequential models are supported`);
    }
    const record = this.opts.modelId ? getModel(this.opts.modelId) : undefined;
    let previous: string | undefined;
    let inputs: TensorInfo[] = [];
    for (const layer of layers) {
      const name = layer.config.name;
      this.counts[layer.class_name] = (this.counts[layer.class_name] ?? 0) + 1;
      const inbound = sequential ? previous : this.inbound(layer);
      if (layer.class_name === 'InputLayer' || (sequential && previous === undefined && layer.class_name !== 'InputLayer')) {
        const shape = ((layer.config.batch_input_shape ?? layer.config.batch_shape) as (number | null)[] | undefined)?.map((d) => d ?? -1);
        if (!shape || shape.slice(1).some((d) => d < 0)) this.fail(layer, 'input needs a static shape apart from the batch axis');
        const inName = record?.input.name ?? (layer.class_name === 'InputLayer' ? name : 'input_1');
        this.g.input(inName, shape.map((d) => (d < 0 ? 'batch' : d)));
        const inputValue = { shape, nhwc: inName };
        inputs = [{ name: inName, tfName: layer.class_name === 'InputLayer' ? name : 'input_1', shape }];
        if (layer.class_name === 'InputLayer') {
          this.values.set(name, inputValue);
          previous = name;
          continue;
        }
        this.values.set('input_1', inputValue);
        this.layer(layer, inputValue);
      } else {
        if (!inbound) this.fail(layer, 'no inbound layer');
        const x = this.values.get(inbound);
        if (!x) this.fail(layer, `inbound layer ${inbound} not converted before it`);
        this.layer(layer, x);
      }
      previous = name;
    }
    const lastName = sequential ? previous! : this.outputLayer(model.config as { output_layers?: unknown[][] });
    const last = this.values.get(lastName);
    if (!last) throw new BadFileError(this.file, `output layer ${lastName} is not among the layers`);
    const outName = record?.outputs.name ?? lastName;
    this.g.op('Identity', [asNhwc(this.g, last)], {}, outName);
    this.g.output(outName, last.shape.map((d) => (d < 0 ? 'batch' : d)));
    const outputs = [{ name: outName, tfName: lastName, shape: last.shape }];
    if (record) checkAgainstRecord(this.file, record, inputs[0], outputs[0]);
    const bytes = this.g.toBytes({ producer: 'affectbench convertKerasH5', metadata: { source_format: 'h5', source_file: this.file } });
    return {
      bytes,
      inputs,
      outputs,
      report: {
        sourceFormat: 'h5',
        ops: this.counts,
        parameters: this.g.parameterCount,
        quantisedWeights: 0,
        sourceSha256: createHash('sha256').update(readFileSync(this.file)).digest('hex'),
      },
    };
  }

  private inbound(layer: KerasLayer): string | undefined {
    const nodes = layer.inbound_nodes ?? [];
    if (nodes.length === 0) return undefined;
    if (nodes.length > 1) this.fail(layer, 'a layer called more than once (shared layers) is not supported');
    const node = nodes[0] as unknown;
    // Keras 2: [[["conv1", 0, 0, {}]]]; Keras 3: {"args": [{"config": {"keras_history": ["conv1", 0, 0]}}]}.
    if (Array.isArray(node)) {
      if (node.length !== 1) this.fail(layer, `${node.length} inputs (only single-input layers are supported)`);
      return (node[0] as unknown[])[0] as string;
    }
    const hist = (node as { args?: { config?: { keras_history?: unknown[] } }[] }).args?.[0]?.config?.keras_history;
    if (!hist) this.fail(layer, 'inbound node format not understood');
    return hist[0] as string;
  }

  private outputLayer(config: { output_layers?: unknown[][] }): string {
    const outs = config.output_layers ?? [];
    if (outs.length !== 1) throw new UserError(`cannot convert ${this.file}: ${outs.length} output layers (exactly one is supported)`);
    return outs[0][0] as string;
  }

  private set(layer: KerasLayer, v: Value): void {
    this.values.set(layer.config.name, v);
  }

  private weight(layer: KerasLayer, w: Map<string, { shape: number[]; data: Float32Array }>, kind: string): { shape: number[]; data: Float32Array } {
    const t = w.get(kind);
    if (!t) this.fail(layer, `weight "${kind}" missing in model_weights/${layer.config.name}`);
    return t;
  }

  private layer(layer: KerasLayer, x: Value): void {
    const c = layer.config;
    const name = c.name;
    switch (layer.class_name) {
      case 'Dropout':
        this.set(layer, x);
        return;
      case 'ZeroPadding2D': {
        const p = c.padding as number | number[] | number[][];
        const [[t, b], [l, r]] = typeof p === 'number' ? [[p, p], [p, p]] : Array.isArray(p[0]) ? (p as number[][]) : [[p[0] as number, p[0] as number], [p[1] as number, p[1] as number]];
        this.channelsLast(layer);
        const pads = this.g.int64(this.g.fresh(`${name}/pads`), [0, 0, t, l, 0, 0, b, r]);
        const y = this.g.op('Pad', [asNchw(this.g, x), pads], { mode: 'constant' });
        this.set(layer, { shape: [x.shape[0], x.shape[1] + t + b, x.shape[2] + l + r, x.shape[3]], nchw: y });
        return;
      }
      case 'Conv2D':
      case 'DepthwiseConv2D':
        this.conv(layer, x, layer.class_name === 'DepthwiseConv2D');
        return;
      case 'BatchNormalization': {
        const axis = Array.isArray(c.axis) ? (c.axis as number[]) : [c.axis as number];
        const rank = x.shape.length;
        if (axis.length !== 1 || (axis[0] !== -1 && axis[0] !== rank - 1)) this.fail(layer, `axis ${JSON.stringify(c.axis)} (only the channel axis)`);
        const w = this.weights(name);
        const mean = this.weight(layer, w, 'moving_mean');
        const n = mean.data.length;
        const gamma = c.scale === false ? new Float32Array(n).fill(1) : this.weight(layer, w, 'gamma').data;
        const beta = c.center === false ? new Float32Array(n) : this.weight(layer, w, 'beta').data;
        const ins = [
          this.g.weight(`${name}/gamma`, [n], gamma),
          this.g.weight(`${name}/beta`, [n], beta),
          this.g.weight(`${name}/moving_mean`, [n], mean.data),
          this.g.weight(`${name}/moving_variance`, [n], this.weight(layer, w, 'moving_variance').data),
        ];
        const nchw = rank === 4;
        const y = this.g.op('BatchNormalization', [nchw ? asNchw(this.g, x) : asNhwc(this.g, x), ...ins], { epsilon: { float: (c.epsilon as number) ?? 1e-3 } });
        this.set(layer, nchw ? { shape: x.shape, nchw: y } : { shape: x.shape, nhwc: y });
        return;
      }
      case 'ReLU': {
        const max = c.max_value as number | null | undefined;
        if ((c.negative_slope as number) || (c.threshold as number)) this.fail(layer, 'negative_slope/threshold other than 0');
        const src = x.nchw ?? asNhwc(this.g, x);
        const y = max === null || max === undefined ? this.g.op('Relu', [src]) : this.g.op('Clip', [src, this.scalar(0), this.scalar(max)]);
        this.set(layer, x.nchw ? { shape: x.shape, nchw: y } : { shape: x.shape, nhwc: y });
        return;
      }
      case 'Activation': {
        const act = c.activation as string;
        // Softmax is over the last (channel) axis: layout matters for it, not for the elementwise ones.
        const src = act === 'softmax' || !x.nchw ? asNhwc(this.g, x) : x.nchw;
        const y = this.activation(layer, act, src);
        this.set(layer, src === x.nchw ? { shape: x.shape, nchw: y } : { shape: x.shape, nhwc: y });
        return;
      }
      case 'GlobalAveragePooling2D': {
        this.channelsLast(layer);
        const keep = c.keepdims === true;
        const y = this.g.op('ReduceMean', [asNchw(this.g, x)], { axes: [NHWC_AXIS_IN_NCHW[1], NHWC_AXIS_IN_NCHW[2]], keepdims: keep ? 1 : 0 });
        this.set(layer, keep ? { shape: [x.shape[0], 1, 1, x.shape[3]], nchw: y } : { shape: [x.shape[0], x.shape[3]], nhwc: y });
        return;
      }
      case 'Reshape': {
        const target = c.target_shape as number[];
        // 0 copies the batch dimension, so a dynamic batch survives.
        const y = this.g.op('Reshape', [asNhwc(this.g, x), this.g.int64(this.g.fresh(`${name}/shape`), [0, ...target])]);
        const total = x.shape.slice(1).reduce((a, b) => a * b, 1);
        const known = target.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
        this.set(layer, { shape: [x.shape[0], ...target.map((d) => (d < 0 ? total / known : d))], nhwc: y });
        return;
      }
      case 'Flatten': {
        this.channelsLast(layer);
        // Keras flattens channels_last data in NHWC order.
        const y = this.g.op('Flatten', [asNhwc(this.g, x)], { axis: 1 });
        this.set(layer, { shape: [x.shape[0], x.shape.slice(1).reduce((a, b) => a * b, 1)], nhwc: y });
        return;
      }
      case 'Dense': {
        if (x.shape.length !== 2) this.fail(layer, `input of rank ${x.shape.length} (only [batch, features])`);
        const w = this.weights(name);
        const kernel = this.weight(layer, w, 'kernel');
        const ins = [asNhwc(this.g, x), this.g.weight(`${name}/kernel`, kernel.shape, kernel.data)];
        if (c.use_bias !== false) ins.push(this.g.weight(`${name}/bias`, [kernel.shape[1]], this.weight(layer, w, 'bias').data));
        const y = this.activation(layer, (c.activation as string) ?? 'linear', this.g.op('Gemm', ins));
        this.set(layer, { shape: [x.shape[0], kernel.shape[1]], nhwc: y });
        return;
      }
      default:
        this.fail(layer, `unsupported layer class (supported: ${SUPPORTED_KERAS_LAYERS.join(', ')})`);
    }
  }

  private channelsLast(layer: KerasLayer): void {
    const f = layer.config.data_format;
    if (f !== undefined && f !== 'channels_last') this.fail(layer, `data_format ${String(f)} (only channels_last)`);
  }

  private scalar(v: number): string {
    return this.g.constant(this.g.fresh('scalar'), [], Float32Array.of(v));
  }

  private activation(layer: KerasLayer, act: string, x: string): string {
    switch (act) {
      case 'linear':
        return x;
      case 'relu':
        return this.g.op('Relu', [x]);
      case 'relu6':
        return this.g.op('Clip', [x, this.scalar(0), this.scalar(6)]);
      case 'sigmoid':
        return this.g.op('Sigmoid', [x]);
      case 'tanh':
        return this.g.op('Tanh', [x]);
      case 'softmax':
        return this.g.op('Softmax', [x], { axis: -1 });
      default:
        this.fail(layer, `unsupported activation "${act}"`);
    }
  }

  private conv(layer: KerasLayer, x: Value, depthwise: boolean): void {
    const c = layer.config;
    this.channelsLast(layer);
    if (x.shape.length !== 4) this.fail(layer, `input of rank ${x.shape.length}`);
    if ((c.groups as number | undefined) !== undefined && c.groups !== 1) this.fail(layer, `groups ${String(c.groups)}`);
    const w = this.weights(c.name);
    const kernel = this.weight(layer, w, depthwise ? 'depthwise_kernel' : 'kernel');
    const [kh, kw, cin, cm] = kernel.shape;
    if (x.shape[3] !== cin) this.fail(layer, `input has ${x.shape[3]} channels, kernel expects ${cin}`);
    const [sh, sw] = c.strides as number[];
    const [dh, dw] = (c.dilation_rate as number[] | undefined) ?? [1, 1];
    let pads = [0, 0, 0, 0];
    if (c.padding === 'same') pads = [...samePads(x.shape[1], kh, sh, dh), ...samePads(x.shape[2], kw, sw, dw)];
    else if (c.padding !== 'valid') this.fail(layer, `padding ${String(c.padding)}`);
    const oihw = depthwise ? depthwiseToOihw(kernel.data, kernel.shape) : hwioToOihw(kernel.data, kernel.shape);
    const cout = depthwise ? cin * cm : cm;
    const ins = [asNchw(this.g, x), this.g.weight(`${c.name}/kernel`, oihw.dims, oihw.data)];
    if (c.use_bias === true) ins.push(this.g.weight(`${c.name}/bias`, [cout], this.weight(layer, w, 'bias').data));
    const y = this.g.op('Conv', ins, {
      kernel_shape: [kh, kw],
      strides: [sh, sw],
      dilations: [dh, dw],
      pads: [pads[0], pads[2], pads[1], pads[3]],
      group: depthwise ? cin : 1,
    });
    const act = this.activation(layer, (c.activation as string) ?? 'linear', y);
    const oh = convOutSize(x.shape[1], kh, sh, dh, pads[0], pads[1]);
    const ow = convOutSize(x.shape[2], kw, sw, dw, pads[2], pads[3]);
    this.set(layer, { shape: [x.shape[0], oh, ow, cout], nchw: act });
  }
}

/** With --model: the converted graph must have the record's input size and output width. */
function checkAgainstRecord(file: string, record: ReturnType<typeof getModel>, input: TensorInfo, output: TensorInfo): void {
  const { height, width, color } = record.input;
  const channels = color === 'GRAY' ? 1 : 3;
  const want = [height, width, channels];
  if (record.input.layout !== 'NHWC' || input.shape.slice(1).join() !== want.join()) {
    throw new UserError(`${file}: input shape [${input.shape.join(', ')}] does not match model ${record.id} (${record.input.layout} ${want.join('x')})`);
  }
  if (output.shape[output.shape.length - 1] !== record.outputs.size) {
    throw new UserError(`${file}: output width ${output.shape[output.shape.length - 1]} does not match model ${record.id} (${record.outputs.size})`);
  }
}

export { checkAgainstRecord };
