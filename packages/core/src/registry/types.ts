import type { ResizeMode } from '../image/types.ts';

/** Figures printed in the HSEmotion README table, as percentages (MTL is the P_MTL score, not a percentage). */
export interface PaperFigures {
  affectnet8?: number;
  affectnet7?: number;
  afew?: number;
  vgaf?: number;
  lsd?: number;
  mtl?: number;
  /** Samsung Fold 3 / Snapdragon 888 CPU, ms per image, mean ± sd. */
  mobileMs?: { mean: number; sd: number };
  sizeMB?: number;
}

export interface ModelInput {
  /** Graph input name. */
  name: string;
  layout: 'NCHW' | 'NHWC';
  height: number;
  width: number;
  /** Channel order fed to the network. GRAY = one channel. */
  color: 'RGB' | 'BGR' | 'GRAY';
  /** Only the batch axis is dynamic in the official exports: feed exactly height×width. */
  dynamicBatch: boolean;
}

/**
 * tensor = (pixel·scale − mean[c]) / std[c], pixel in 0..255, channel c in the order given by `input.color`.
 * `gray` gives the weights used to make one channel from RGB (only for color GRAY).
 */
export interface Normalisation {
  resize: ResizeMode;
  scale: number;
  mean: readonly number[];
  std: readonly number[];
  gray?: readonly [number, number, number];
}

export interface ExtraHead {
  name: 'valence' | 'arousal';
  /** Index in the output vector. */
  index: number;
}

export interface ModelOutputs {
  name: string;
  /** Width of the output vector. */
  size: number;
  kind: 'logits' | 'probabilities';
  /** Class names in the model's own output order (indices 0..classes.length-1 of the output). */
  classes: readonly string[];
  extraHeads?: readonly ExtraHead[];
}

export interface ModelSource {
  /** Format the owners distribute. Only 'onnx' loads directly; others go through `affectbench models convert`. */
  format: 'onnx' | 'pt' | 'h5' | 'tfjs';
  /** Official download URL of that file. */
  url: string;
  /** File name the store expects in its cache directory (always the ONNX file we run). */
  fileName: string;
  /** Expected ONNX byte size and sha256, once verified on a real file; absent = not published. */
  bytes?: number;
  sha256?: string;
  /** git blob SHA-1 of the file in the owners' repository (`git hash-object`), a checksum we do know. */
  gitBlobSha1?: string;
  licence: string;
  /** How to obtain an ONNX file when the owners ship none. */
  conversion?: string;
}

export interface ModelArchitecture {
  /** e.g. timm `tf_efficientnet_b0_ns`, Keras `MobileNet(alpha=1)`. */
  name: string;
  family: 'efficientnet_b0' | 'efficientnet_b2' | 'mobilenet_v1' | 'mini_xception' | 'blazeface' | 'other';
  /** Trainable parameter count of the real model (what a twin must match within 3%). */
  params: number;
  /** Width of the penultimate embedding (input of the final classifier). */
  embeddingDim?: number;
}

/** One declarative record per model, in the spirit of timm's pretrained cfgs: code reads these, never model names. */
export interface ModelRecord {
  id: string;
  task: 'expression' | 'face-detection';
  description: string;
  architecture: ModelArchitecture;
  input: ModelInput;
  normalisation: Normalisation;
  outputs: ModelOutputs;
  source: ModelSource;
  paper?: PaperFigures;
  /** Facts in this record not confirmed in a source. */
  unconfirmed?: readonly string[];
  /** Which published table this model belongs to ('hsemotion' = the eight). */
  suite?: 'hsemotion';
}
