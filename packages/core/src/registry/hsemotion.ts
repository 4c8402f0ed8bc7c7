import type { ModelRecord } from './types.ts';

/**
 * The eight HSEmotion models (Savchenko). Facts from ../shared/reference/hsemotion-protocols.md:
 * §1 I/O contract, §1.4 preprocessing, §2.4/§3.5/§4 paper cells, addendum 4 git blob ids, addendum 5 URLs.
 * sha256 and byte sizes are not published; the store records them on first verification.
 */

const REPO = 'https://github.com/HSE-asavchenko/face-emotion-recognition/blob/main/models/affectnet_emotions';
const LICENCE = 'Apache-2.0 (code and weights of HSE-asavchenko/face-emotion-recognition); trained on AffectNet, whose licence restricts use to research';

export const CLASSES_8 = ['Anger', 'Contempt', 'Disgust', 'Fear', 'Happiness', 'Neutral', 'Sadness', 'Surprise'] as const;
export const CLASSES_7 = ['Anger', 'Disgust', 'Fear', 'Happiness', 'Neutral', 'Sadness', 'Surprise'] as const;

const IMAGENET = { scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

// Paper accuracy comes from torchvision Resize on PIL images, so 'pil-bilinear' is the default for the EfficientNets.
const ENET_NORM = { resize: 'pil-bilinear', ...IMAGENET } as const;

const B0 = { name: 'timm tf_efficientnet_b0_ns (Conv2dSame stem, BN eps 1e-3)', family: 'efficientnet_b0', embeddingDim: 1280 } as const;
const B2 = { name: 'timm tf_efficientnet_b2_ns variant (Conv2dSame stem)', family: 'efficientnet_b2', embeddingDim: 1408 } as const;

// timm feature extractor params (classifier removed): B0 4,007,548; B2 7,700,994; plus Linear(D, C).
const b0Params = (c: number) => 4_007_548 + 1280 * c + c;
const b2Params = (c: number) => 7_700_994 + 1408 * c + c;

const nchw = (size: number) => ({ name: 'input', layout: 'NCHW', height: size, width: size, color: 'RGB', dynamicBatch: true }) as const;

const onnxSource = (id: string, gitBlobSha1: string) => ({
  format: 'onnx',
  url: `${REPO}/onnx/${id}.onnx?raw=true`,
  fileName: `${id}.onnx`,
  gitBlobSha1,
  licence: LICENCE,
}) as const;

const logits = (classes: readonly string[], extra?: ModelRecord['outputs']['extraHeads']) => ({
  name: 'output',
  size: classes.length + (extra?.length ?? 0),
  kind: 'logits',
  classes,
  ...(extra ? { extraHeads: extra } : {}),
}) as const;

const B0_MOBILE = { mean: 59, sd: 26 };
const B2_MOBILE = { mean: 191, sd: 18 };

export const HSEMOTION_MODELS: readonly ModelRecord[] = [
  {
    id: 'mobilenet_7',
    suite: 'hsemotion',
    task: 'expression',
    description: 'Keras MobileNet v1 (alpha 1) backbone + Dense 256 "feats" + Dense 7 softmax "emotion_preds"',
    architecture: { name: 'Keras MobileNet(alpha=1) + feats Dense(256) + emotion_preds Dense(7)', family: 'mobilenet_v1', params: 3_493_063, embeddingDim: 1024 },
    input: { name: 'input_1', layout: 'NHWC', height: 224, width: 224, color: 'RGB', dynamicBatch: true },
    // Training code subtracts the Caffe means 103.939/116.779/123.68 from R/G/B in that order, no scaling (protocols §1.4).
    normalisation: { resize: 'cv2-linear', scale: 1, mean: [103.939, 116.779, 123.68], std: [1, 1, 1] },
    outputs: { name: 'emotion_preds', size: 7, kind: 'probabilities', classes: CLASSES_7 },
    source: {
      format: 'h5',
      url: `${REPO}/mobilenet_7.h5?raw=true`,
      fileName: 'mobilenet_7.onnx',
      gitBlobSha1: '3a3d5bb84506960a3ace7586b42b010623bae099',
      licence: LICENCE,
      conversion: 'affectbench models convert mobilenet_7.h5 --model mobilenet_7 (or the TF.js graph "affectnet-mobilenet/model.json")',
    },
    paper: { affectnet7: 64.71, afew: 55.35, vgaf: 68.92, mtl: 1.099, mobileMs: { mean: 16, sd: 5 }, sizeMB: 14 },
    unconfirmed: ['ONNX input/output names are ours (the owners ship no ONNX)', 'VGAF 70.31 in an older README (faces subset); 68.92 is the complete-set figure'],
  },
  {
    id: 'enet_b0_8_best_afew',
    suite: 'hsemotion',
    task: 'expression',
    description: 'EfficientNet-B0, 8 AffectNet classes, checkpoint chosen for AFEW',
    architecture: { ...B0, params: b0Params(8) },
    input: nchw(224),
    normalisation: ENET_NORM,
    outputs: logits(CLASSES_8),
    source: onnxSource('enet_b0_8_best_afew', 'd87faf71e8756d68c701ffd88b4cde4be460f57d'),
    paper: { affectnet8: 60.95, affectnet7: 64.63, afew: 59.89, vgaf: 66.8, lsd: 59.32, mtl: 1.11, mobileMs: B0_MOBILE, sizeMB: 16 },
    unconfirmed: ['notebook runs print 60.90 / 64.71, README says 60.95 / 64.63'],
  },
  {
    id: 'enet_b0_8_best_vgaf',
    suite: 'hsemotion',
    task: 'expression',
    description: 'EfficientNet-B0, 8 AffectNet classes, checkpoint chosen for VGAF',
    architecture: { ...B0, params: b0Params(8) },
    input: nchw(224),
    normalisation: ENET_NORM,
    outputs: logits(CLASSES_8),
    source: onnxSource('enet_b0_8_best_vgaf', '49772db4e87ee6df57087fba131832a959e5c64d'),
    paper: { affectnet8: 61.32, affectnet7: 64.57, afew: 55.14, vgaf: 68.29, lsd: 59.72, mtl: 1.123, mobileMs: B0_MOBILE, sizeMB: 16 },
  },
  {
    id: 'enet_b0_8_va_mtl',
    suite: 'hsemotion',
    task: 'expression',
    description: 'EfficientNet-B0 multi-task: 8 expression logits, then valence and arousal (raw linear outputs)',
    architecture: { ...B0, params: b0Params(10) },
    input: nchw(224),
    normalisation: ENET_NORM,
    outputs: logits(CLASSES_8, [{ name: 'valence', index: 8 }, { name: 'arousal', index: 9 }]),
    source: onnxSource('enet_b0_8_va_mtl', '7ce9d6dd5b82b260bc19bfe7822a6ffa1abb6011'),
    paper: { affectnet8: 61.93, affectnet7: 64.94, afew: 56.73, vgaf: 66.58, lsd: 60.94, mtl: 1.276, mobileMs: { mean: 60, sd: 32 }, sizeMB: 16 },
  },
  {
    id: 'enet_b0_7',
    suite: 'hsemotion',
    task: 'expression',
    description: 'EfficientNet-B0, 7 classes (no Contempt); the owners ship only a PyTorch pickle',
    architecture: { ...B0, params: b0Params(7) },
    input: nchw(224),
    normalisation: ENET_NORM,
    outputs: logits(CLASSES_7),
    source: {
      format: 'pt',
      url: `${REPO}/enet_b0_7.pt?raw=true`,
      fileName: 'enet_b0_7.onnx',
      gitBlobSha1: '47b748b42622ae1489a389588e9526d44ab01009',
      licence: LICENCE,
      conversion: 'python3 scripts/convert_pt_to_onnx.py enet_b0_7.pt enet_b0_7.onnx (needs torch and timm 0.4.5–0.9.x; see docs/models.md)',
    },
    paper: { affectnet7: 65.74, afew: 56.99, vgaf: 65.18, mtl: 1.111, mobileMs: B0_MOBILE, sizeMB: 16 },
    unconfirmed: ['AffectNet-7 cell probably measured on pre-resized 224 crops', 'loading enet_b0_7.pt with timm 0.9.x'],
  },
  {
    id: 'enet_b2_7',
    suite: 'hsemotion',
    task: 'expression',
    description: 'EfficientNet-B2, 7 classes',
    architecture: { ...B2, params: b2Params(7) },
    input: nchw(260),
    normalisation: ENET_NORM,
    outputs: logits(CLASSES_7),
    source: onnxSource('enet_b2_7', 'cdd6a6070b72ed2e59e15e810ae0ecdbcb0f7626'),
    paper: { affectnet7: 66.34, afew: 59.63, vgaf: 69.84, mtl: 1.134, mobileMs: B2_MOBILE, sizeMB: 30 },
    unconfirmed: ['AffectNet-7 66.34 was measured on rotation-aligned crops (65.91 on plain crops)', 'exact timm model name'],
  },
  {
    id: 'enet_b2_8',
    suite: 'hsemotion',
    task: 'expression',
    description: 'EfficientNet-B2, 8 classes',
    architecture: { ...B2, params: b2Params(8) },
    input: nchw(260),
    normalisation: ENET_NORM,
    outputs: logits(CLASSES_8),
    source: onnxSource('enet_b2_8', 'a7cb612cbab1ce3d50dd52e57285fb2c7ea6d0d9'),
    paper: { affectnet8: 63.03, affectnet7: 66.29, afew: 57.78, vgaf: 70.23, lsd: 52.06, mtl: 1.147, mobileMs: B2_MOBILE, sizeMB: 30 },
  },
  {
    id: 'enet_b2_8_best',
    suite: 'hsemotion',
    task: 'expression',
    description: 'EfficientNet-B2, 8 classes, best checkpoint (added 2024-02)',
    architecture: { ...B2, params: b2Params(8) },
    input: nchw(260),
    normalisation: ENET_NORM,
    outputs: logits(CLASSES_8),
    source: onnxSource('enet_b2_8_best', '7e53eb31fefa28f6667195b27c7adade87da0a8f'),
    paper: { affectnet8: 63.125, affectnet7: 66.51, afew: 56.73, vgaf: 71.12, mobileMs: B2_MOBILE, sizeMB: 30 },
    unconfirmed: ['how its ONNX was exported (presumably the same script)'],
  },
];
