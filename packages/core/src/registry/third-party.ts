import type { ModelRecord } from './types.ts';

/**
 * Real models with real weights that ship inside npm packages (so they are on every machine that installs core),
 * converted to ONNX by `affectbench models convert`. Facts from @vladmandic/human 3.3.6's own code:
 * src/gear/emotion.ts (preprocessing, class order), src/face/blazeface.ts + facemeshutil.ts (anchors, decoding),
 * src/config.ts (thresholds), and the model.json files themselves (tensor names and shapes).
 */
const HUMAN = '@vladmandic/human';


export const THIRD_PARTY_MODELS: readonly ModelRecord[] = [
  {
    id: 'human-emotion',
    task: 'expression',
    description: "oarriaga face_classification mini-Xception trained on FER2013 (7 classes), as shipped in @vladmandic/human's models/emotion.json",
    // 205,127 = float values in emotion.bin, i.e. after TF folded BatchNorm into the convolutions.
    architecture: { name: 'oarriaga mini-Xception (FER2013), TF.js graph model', family: 'mini_xception', params: 205_127 },
    input: { name: 'input_1', layout: 'NHWC', height: 64, width: 64, color: 'GRAY', dynamicBatch: true },
    // human: gray = Σ rgb·w on pixels/255, then (gray − 0.5)·2  ⇔  (pixel/255 − 0.5) / 0.5.
    normalisation: { resize: 'tf-bilinear', scale: 1 / 255, mean: [0.5], std: [0.5], gray: [0.2989, 0.587, 0.114] },
    outputs: { name: 'Identity', size: 7, kind: 'probabilities', classes: ['angry', 'disgust', 'fear', 'happy', 'sad', 'surprise', 'neutral'] },
    source: {
      format: 'tfjs',
      url: `npm:${HUMAN}/models/emotion.json`,
      fileName: 'human-emotion.onnx',
      licence: 'MIT',
      conversion: `affectbench models convert node_modules/${HUMAN}/models/emotion.json --model human-emotion --out human-emotion.onnx`,
    },
    unconfirmed: ['params counts the BN-folded TF.js weights, not the Keras trainable count'],
  },
  {
    id: 'blazeface',
    task: 'face-detection',
    description: "MediaPipe BlazeFace short-range face detector (896 anchors, 6 landmarks), as shipped in @vladmandic/human's models/blazeface.json",
    architecture: { name: 'BlazeFace (MediaPipe), TF.js graph model', family: 'blazeface', params: 134_704 },
    input: { name: 'input', layout: 'NHWC', height: 256, width: 256, color: 'RGB', dynamicBatch: false },
    // human: resized / 127.5 − 1.
    normalisation: { resize: 'tf-bilinear', scale: 1, mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
    // Four outputs: Identity [1,512,1] and Identity_1 [1,384,1] score logits, Identity_2 [1,512,16] and
    // Identity_3 [1,384,16] box/landmark regressors; the record names the first score output.
    outputs: { name: 'Identity', size: 1, kind: 'logits', classes: ['face'] },
    source: {
      format: 'tfjs',
      url: `npm:${HUMAN}/models/blazeface.json`,
      fileName: 'blazeface.onnx',
      licence: 'MIT',
      conversion: `affectbench models convert node_modules/${HUMAN}/models/blazeface.json --model blazeface --out blazeface.onnx`,
    },
  },
];
