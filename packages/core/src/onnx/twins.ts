import { UserError } from '../errors.ts';
import type { ModelArchitecture, ModelRecord } from '../registry/types.ts';
import { type Dim, GraphBuilder } from './builder.ts';
import { Prng } from './prng.ts';

/**
 * Architecture twins: ONNX graphs with the real models' topology, shapes and parameter counts, filled with
 * seeded synthetic weights. They time like the real models and are labelled `weights=synthetic` in their
 * metadata, because their outputs mean nothing: valid for latency, never for accuracy.
 */

export interface TwinOptions {
  /** PRNG seed for the weights; the same (record, seed) always gives the same bytes. */
  seed?: number;
}

export interface Twin {
  bytes: Uint8Array;
  /** Float weights and biases in the graph (BatchNorm folded into the convolutions, as constant folding leaves them). */
  parameterCount: number;
  /** Name of the penultimate tensor (the classifier's input, or the record's embedding layer). */
  embeddingOutput: string;
}

export const DEFAULT_TWIN_SEED = 20240218;

/** Metadata keys every twin carries; `weightsKind` and provenance read them. */
export const TWIN_METADATA = {
  weights: 'weights',
  model: 'affectbench.model',
  architecture: 'affectbench.architecture',
  embedding: 'affectbench.embedding',
  seed: 'affectbench.seed',
} as const;

/** timm EfficientNet (tf_ variants): width/depth multipliers scale the B0 stage table. */
interface EfficientNetSpec {
  kind: 'timm-efficientnet';
  widthMultiplier: number;
  depthMultiplier: number;
  opset: number;
}

/** Keras applications MobileNet v1 as converted to ONNX (NHWC input, Transpose, then NCHW convolutions). */
interface KerasMobileNetSpec {
  kind: 'keras-mobilenet-v1';
  alpha: number;
  /** Dense layers after `global_pooling`, the last one being the classifier. */
  head: readonly { name: string; units: number | 'classes'; activation: 'relu' | 'softmax' }[];
  opset: number;
}

type ArchitectureSpec = EfficientNetSpec | KerasMobileNetSpec;

/** Twin recipes by architecture family; records choose one through `architecture.family`, never through their id. */
const ARCHITECTURES: Partial<Record<ModelArchitecture['family'], ArchitectureSpec>> = {
  // torch.onnx.export(opset_version=11) is what src/convert_pt_to_onnx.py uses.
  efficientnet_b0: { kind: 'timm-efficientnet', widthMultiplier: 1.0, depthMultiplier: 1.0, opset: 11 },
  efficientnet_b2: { kind: 'timm-efficientnet', widthMultiplier: 1.1, depthMultiplier: 1.2, opset: 11 },
  mobilenet_v1: {
    kind: 'keras-mobilenet-v1',
    alpha: 1,
    // UNCONFIRMED: the activation of `feats` is not visible in the notebooks' printed summary; relu is the usual choice
    // and does not change the parameter count or the latency measurably.
    head: [
      { name: 'feats', units: 256, activation: 'relu' },
      { name: 'emotion_preds', units: 'classes', activation: 'softmax' },
    ],
    opset: 13,
  },
};

export function twinSupported(record: ModelRecord): boolean {
  return ARCHITECTURES[record.architecture.family] !== undefined;
}

export function synthesizeTwin(record: ModelRecord, opts: TwinOptions = {}): Twin {
  const spec = ARCHITECTURES[record.architecture.family];
  if (!spec) {
    throw new UserError(`no architecture twin for model "${record.id}" (family ${record.architecture.family})`, {
      hint: `twins exist for: ${Object.keys(ARCHITECTURES).join(', ')}`,
    });
  }
  const seed = opts.seed ?? DEFAULT_TWIN_SEED;
  const net = new Net(new GraphBuilder(record.id), new Prng(seed));
  const x = net.graphInput(record);
  const { logits, embedding } = spec.kind === 'timm-efficientnet' ? efficientNet(net, x, spec, record.outputs) : kerasMobileNet(net, x, spec, record.outputs);
  net.g.output(logits, [net.batch, record.outputs.size]);
  const bytes = net.g.toBytes({
    opset: spec.opset,
    producer: 'affectbench-twin',
    docString:
      `Architecture twin of ${record.id} (${record.architecture.name}) with synthetic weights (seed ${seed}). ` +
      'Valid for latency measurements only: its outputs carry no information about emotions and must never be used for accuracy.',
    metadata: {
      [TWIN_METADATA.weights]: 'synthetic',
      [TWIN_METADATA.model]: record.id,
      [TWIN_METADATA.architecture]: record.architecture.name,
      [TWIN_METADATA.embedding]: embedding,
      [TWIN_METADATA.seed]: String(seed),
    },
  });
  return { bytes, parameterCount: net.g.parameterCount, embeddingOutput: embedding };
}

// Random weights sit between vanishing and exploding activations; these gains (found by sweeping, checked by the
// tests on every twin) keep logits finite, of order 1–100, and dependent on the input. Plain He init for SiLU
// (1.68) would ignore that the squeeze-excite gate starts near sigmoid(0) = 0.5 and that BatchNorm is absent.
const SILU_GAIN = 1.55;
const SE_GATE_GAIN = 1.7;

/** A feature map flowing through the graph: its tensor name and NCHW size (batch excluded). */
interface Act {
  name: string;
  c: number;
  h: number;
  w: number;
}

/**
 * How a convolution pads. 'tf-same': timm's Conv2dSame, TF "SAME" padding that is static and symmetric when it can be
 * (stride 1) and otherwise an explicit, possibly asymmetric Pad node for the exported size. 'keras': padding='same'
 * at stride 1, ZeroPadding2D(((0,1),(0,1))) then 'valid' at stride 2, as keras.applications.MobileNet does.
 */
type PadMode = 'tf-same' | 'keras';

interface ConvSpec {
  out: number;
  k: number;
  stride?: number;
  depthwise?: boolean;
  pad: PadMode;
  /** Weight scale relative to 1/sqrt(fan_in): ~sqrt(2) before a rectifier keeps the activation variance steady. */
  gain: number;
}

class Net {
  readonly batch: Dim = 'batch_size';

  constructor(
    readonly g: GraphBuilder,
    private readonly rng: Prng,
  ) {}

  graphInput(record: ModelRecord): Act {
    const { name, layout, height, width, color, dynamicBatch } = record.input;
    const channels = color === 'GRAY' ? 1 : 3;
    const batch = dynamicBatch ? this.batch : 1;
    if (layout === 'NCHW') {
      this.g.input(name, [batch, channels, height, width]);
      return { name, c: channels, h: height, w: width };
    }
    this.g.input(name, [batch, height, width, channels]);
    // Converters from TF put one Transpose at the input and run the convolutions in NCHW.
    const t = this.g.op('Transpose', [name], { perm: [0, 3, 1, 2] }, `${name}_nchw`);
    return { name: t, c: channels, h: height, w: width };
  }

  /** Weights with std gain/sqrt(fan_in) (uniform), biases small: activations stay finite and depend on the input. */
  param(name: string, dims: readonly number[], fanIn: number, gain: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    return this.g.weight(name, dims, this.rng.uniform(n, gain * Math.sqrt(3 / fanIn)));
  }

  bias(name: string, n: number): string {
    return this.g.weight(name, [n], this.rng.uniform(n, 0.05));
  }

  /** Conv with a folded-BatchNorm bias, preceded by a Pad node where the padding cannot live in the Conv itself. */
  conv(x: Act, scope: string, s: ConvSpec): Act {
    const stride = s.stride ?? 1;
    const group = s.depthwise ? x.c : 1;
    const out = s.depthwise ? x.c : s.out;
    let input = x.name;
    let convPads = [0, 0, 0, 0];
    // [top, left, bottom, right] in effect, whether in the Conv or in a Pad node before it.
    let padding: number[];
    if (stride === 1 && s.k % 2 === 1) {
      const p = (s.k - 1) / 2;
      convPads = [p, p, p, p];
      padding = convPads;
    } else {
      const [top, bottom] = s.pad === 'tf-same' ? samePad(x.h, s.k, stride) : [0, 1];
      const [left, right] = s.pad === 'tf-same' ? samePad(x.w, s.k, stride) : [0, 1];
      padding = [top, left, bottom, right];
      input = this.pad(x.name, scope, padding);
    }
    const param = dotted(scope);
    const weight = this.param(`${param}.weight`, [out, x.c / group, s.k, s.k], (x.c / group) * s.k * s.k, s.gain);
    const bias = this.bias(`${param}.bias`, out);
    const attrs = { dilations: [1, 1], group, kernel_shape: [s.k, s.k], pads: convPads, strides: [stride, stride] };
    const name = this.g.node('Conv', [input, weight, bias], [`${scope}/Conv_output_0`], attrs, `${scope}/Conv`)[0];
    const size = (n: number, before: number, after: number) => Math.floor((n + before + after - s.k) / stride) + 1;
    return { name, c: out, h: size(x.h, padding[0], padding[2]), w: size(x.w, padding[1], padding[3]) };
  }

  /** Constant Pad on H and W, pads as [top, left, bottom, right]; pads and value are inputs (opset ≥ 11). */
  pad(x: string, scope: string, [top, left, bottom, right]: number[]): string {
    const pads = this.g.int64(`${scope}/pads`, [0, 0, top, left, 0, 0, bottom, right]);
    const value = this.g.constant(`${scope}/pad_value`, [], new Float32Array([0]));
    return this.g.node('Pad', [x, pads, value], [`${scope}/Pad_output_0`], { mode: 'constant' }, `${scope}/Pad`)[0];
  }

  /** SiLU as torch.onnx exports it (opset < 14): Sigmoid then Mul. */
  silu(x: Act, scope: string): Act {
    const sig = this.g.node('Sigmoid', [x.name], [`${scope}/Sigmoid_output_0`], {}, `${scope}/Sigmoid`)[0];
    const name = this.g.node('Mul', [x.name, sig], [`${scope}/Mul_output_0`], {}, `${scope}/Mul`)[0];
    return { ...x, name };
  }

  /** ReLU6 as converters emit it: Clip(0, 6) with min/max as inputs (opset ≥ 11). */
  relu6(x: Act, scope: string): Act {
    const lo = this.g.constant(`${scope}/min`, [], new Float32Array([0]));
    const hi = this.g.constant(`${scope}/max`, [], new Float32Array([6]));
    const name = this.g.node('Clip', [x.name, lo, hi], [`${scope}/Clip_output_0`], {}, `${scope}/Clip`)[0];
    return { ...x, name };
  }

  add(a: Act, b: Act, scope: string): Act {
    return { ...a, name: this.g.node('Add', [a.name, b.name], [`${scope}/Add_output_0`], {}, `${scope}/Add`)[0] };
  }

  /** timm SqueezeExcite: mean over H,W, 1x1 reduce + SiLU, 1x1 expand, sigmoid gate. */
  squeezeExcite(x: Act, scope: string, reduced: number): Act {
    const mean = this.g.node('ReduceMean', [x.name], [`${scope}/ReduceMean_output_0`], { axes: [2, 3], keepdims: 1 }, `${scope}/ReduceMean`)[0];
    const r = this.conv({ ...x, name: mean, h: 1, w: 1 }, `${scope}/conv_reduce`, { out: reduced, k: 1, pad: 'tf-same', gain: SILU_GAIN });
    const act = this.silu(r, `${scope}/act1`);
    const e = this.conv(act, `${scope}/conv_expand`, { out: x.c, k: 1, pad: 'tf-same', gain: 1 });
    const gate = this.g.node('Sigmoid', [e.name], [`${scope}/gate/Sigmoid_output_0`], {}, `${scope}/gate/Sigmoid`)[0];
    return { ...x, name: this.g.node('Mul', [x.name, gate], [`${scope}/Mul_output_0`], {}, `${scope}/Mul`)[0] };
  }

  /** A dense layer as TF converters emit it: MatMul with a [in, out] weight, then Add of the bias. */
  dense(x: string, inDim: number, units: number, name: string, gain: number): string {
    const w = this.param(`${name}/kernel`, [inDim, units], inDim, gain);
    const b = this.bias(`${name}/bias`, units);
    const mm = this.g.node('MatMul', [x, w], [`${name}/MatMul:0`], {}, `${name}/MatMul`)[0];
    return this.g.node('Add', [mm, b], [`${name}/BiasAdd:0`], {}, `${name}/BiasAdd`)[0];
  }
}

/** TF "SAME" padding [before, after] for one axis: output ceil(in/stride), the odd pixel goes after. */
function samePad(size: number, k: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + k - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** '/blocks/blocks.1/blocks.1.0/conv_dw' → 'blocks.1.0.conv_dw' (the PyTorch parameter prefix). */
function dotted(scope: string): string {
  const parts = scope.split('/').filter(Boolean);
  return parts.filter((p, i) => !parts[i + 1]?.startsWith(`${p}.`)).join('.');
}

/** timm round_channels / make_divisible: nearest multiple of 8, never more than 10% below the scaled width. */
export function roundChannels(channels: number, multiplier: number, divisor = 8): number {
  if (multiplier === 1) return channels;
  const v = channels * multiplier;
  let rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}

/** The B0 stage table of timm `_gen_efficientnet` (arch_def), SE ratio 0.25 of the block input width. */
const EFFICIENTNET_B0_STAGES = [
  { block: 'ds', repeats: 1, kernel: 3, stride: 1, expand: 1, out: 16 },
  { block: 'ir', repeats: 2, kernel: 3, stride: 2, expand: 6, out: 24 },
  { block: 'ir', repeats: 2, kernel: 5, stride: 2, expand: 6, out: 40 },
  { block: 'ir', repeats: 3, kernel: 3, stride: 2, expand: 6, out: 80 },
  { block: 'ir', repeats: 3, kernel: 5, stride: 1, expand: 6, out: 112 },
  { block: 'ir', repeats: 4, kernel: 5, stride: 2, expand: 6, out: 192 },
  { block: 'ir', repeats: 1, kernel: 3, stride: 1, expand: 6, out: 320 },
] as const;
const EFFICIENTNET_STEM = 32;
const EFFICIENTNET_HEAD = 1280;
const SE_RATIO = 0.25;

function efficientNet(net: Net, input: Act, spec: EfficientNetSpec, outputs: ModelRecord['outputs']): { logits: string; embedding: string } {
  const ch = (c: number) => roundChannels(c, spec.widthMultiplier);
  let x = net.conv(input, '/conv_stem', { out: ch(EFFICIENTNET_STEM), k: 3, stride: 2, pad: 'tf-same', gain: SILU_GAIN });
  x = net.silu(x, '/bn1/act');
  EFFICIENTNET_B0_STAGES.forEach((stage, si) => {
    // timm depth_trunc='ceil' on each stage's repeat count.
    const repeats = Math.ceil(stage.repeats * spec.depthMultiplier);
    for (let bi = 0; bi < repeats; bi++) {
      const scope = `/blocks/blocks.${si}/blocks.${si}.${bi}`;
      const stride = bi === 0 ? stage.stride : 1;
      const out = ch(stage.out);
      const inC = x.c;
      const residual = stride === 1 && inC === out;
      // Residual branches start smaller so that the sum over ~20 blocks keeps a steady scale.
      const lastGain = residual ? SE_GATE_GAIN / 2 : SE_GATE_GAIN;
      const seReduced = Math.max(1, Math.round(inC * SE_RATIO));
      let y = x;
      if (stage.block === 'ir') {
        y = net.conv(y, `${scope}/conv_pw`, { out: inC * stage.expand, k: 1, pad: 'tf-same', gain: SILU_GAIN });
        y = net.silu(y, `${scope}/bn1/act`);
      }
      y = net.conv(y, `${scope}/conv_dw`, { out: y.c, k: stage.kernel, stride, depthwise: true, pad: 'tf-same', gain: SILU_GAIN });
      y = net.silu(y, `${scope}/${stage.block === 'ir' ? 'bn2' : 'bn1'}/act`);
      y = net.squeezeExcite(y, `${scope}/se`, seReduced);
      y = net.conv(y, `${scope}/${stage.block === 'ir' ? 'conv_pwl' : 'conv_pw'}`, { out, k: 1, pad: 'tf-same', gain: lastGain });
      x = residual ? net.add(y, x, scope) : y;
    }
  });
  x = net.conv(x, '/conv_head', { out: ch(EFFICIENTNET_HEAD), k: 1, pad: 'tf-same', gain: SILU_GAIN });
  x = net.silu(x, '/bn2/act');
  const pooled = net.g.node('GlobalAveragePool', [x.name], ['/global_pool/pool/GlobalAveragePool_output_0'], {}, '/global_pool/pool/GlobalAveragePool')[0];
  const embedding = net.g.node('Flatten', [pooled], ['/global_pool/flatten/Flatten_output_0'], { axis: 1 }, '/global_pool/flatten/Flatten')[0];
  const w = net.param('classifier.weight', [outputs.size, x.c], x.c, 1);
  const b = net.bias('classifier.bias', outputs.size);
  net.g.node('Gemm', [embedding, w, b], [outputs.name], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }, '/classifier/Gemm');
  return { logits: outputs.name, embedding };
}

/** keras.applications.MobileNet: (pointwise filters, stride) of the 13 depthwise-separable blocks. */
const MOBILENET_V1_BLOCKS = [
  [64, 1], [128, 2], [128, 1], [256, 2], [256, 1], [512, 2],
  [512, 1], [512, 1], [512, 1], [512, 1], [512, 1], [1024, 2], [1024, 1],
] as const;

function kerasMobileNet(net: Net, input: Act, spec: KerasMobileNetSpec, outputs: ModelRecord['outputs']): { logits: string; embedding: string } {
  const filters = (f: number) => Math.floor(f * spec.alpha);
  let x = net.conv(input, 'conv1', { out: filters(32), k: 3, stride: 2, pad: 'keras', gain: Math.SQRT2 });
  x = net.relu6(x, 'conv1_relu');
  MOBILENET_V1_BLOCKS.forEach(([pointwise, stride], i) => {
    const id = i + 1;
    x = net.conv(x, `conv_dw_${id}`, { out: x.c, k: 3, stride, depthwise: true, pad: 'keras', gain: Math.SQRT2 });
    x = net.relu6(x, `conv_dw_${id}_relu`);
    x = net.conv(x, `conv_pw_${id}`, { out: filters(pointwise), k: 1, pad: 'keras', gain: Math.SQRT2 });
    x = net.relu6(x, `conv_pw_${id}_relu`);
  });
  // GlobalAveragePooling2D named 'global_pooling': the 1024-D embedding HSEmotion aggregates for AFEW/VGAF.
  const embedding = net.g.node('ReduceMean', [x.name], ['global_pooling'], { axes: [2, 3], keepdims: 0 }, 'global_pooling/Mean')[0];
  let h = embedding;
  let width = x.c;
  for (const layer of spec.head) {
    const units = layer.units === 'classes' ? outputs.size : layer.units;
    const last = layer === spec.head[spec.head.length - 1];
    const pre = net.dense(h, width, units, layer.name, layer.activation === 'relu' ? Math.SQRT2 : 1);
    const op = layer.activation === 'relu' ? 'Relu' : 'Softmax';
    const attrs: Record<string, number> = op === 'Softmax' ? { axis: -1 } : {};
    h = net.g.node(op, [pre], [last ? outputs.name : layer.name], attrs, `${layer.name}/${op}`)[0];
    width = units;
  }
  return { logits: h, embedding };
}
