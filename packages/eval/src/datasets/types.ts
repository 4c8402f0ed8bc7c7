import type { Box, PaperColumn } from '@affectbench/core';

/** One frame of a video sample. `face` false = the frame was stored whole because no face was found (AFEW `noface` files). */
export interface FrameRef {
  path: string;
  face: boolean;
  /** Frames holding several faces (VGAF's `<video>/<frame>/<i>.png`): faces of one frame share this key. */
  frame?: string;
}

/**
 * One labelled unit of a dataset. Images carry `imagePath` (+ optional `box` to crop); videos carry either
 * pre-extracted `frames` or the `video` file itself (frames are decoded with ffmpeg when it is scored).
 */
export interface Sample {
  /** Stable id, unique within the split (used for resume, sharding and merging). */
  id: string;
  imagePath?: string;
  frames?: readonly FrameRef[];
  video?: string;
  box?: Box;
  /** Index into the adapter's `classes` (the dataset's own label space). */
  label: number;
  valence?: number;
  arousal?: number;
}

/** What could not be used, by reason, with a few examples each so a person can look. */
export interface SkipReport {
  counts: Record<string, number>;
  examples: Record<string, string[]>;
}

/**
 * An evaluation protocol: which classes are scored (canonical names, in confusion-matrix order) and what happens to
 * samples whose label is not among them. Model outputs are matched to `classes` by name, so one protocol serves 7- and
 * 8-class models alike (e.g. LSD picks [0,2,3,4,6,7] of an 8-class model and [0,1,2,3,5,6] of a 7-class one).
 */
export interface ProtocolSpec {
  name: string;
  description: string;
  /** Empty = the opened dataset's own classes (imagefolder, csv). */
  classes: readonly string[];
  /**
   * 'exclude': samples labelled outside `classes` are skipped and counted (the README's AffectNet-7).
   * 'keep-as-wrong': they stay in the loop and can never be right; accuracy divides by (n − their count)
   * (the third-party March-2021 notebook).
   */
  others: 'exclude' | 'keep-as-wrong';
  /** The headline number. */
  headline: 'accuracy' | 'macroF1';
  /**
   * 'image': one prediction per sample; 'video-mean-scores': per-frame softmax scores averaged over a video's face
   * frames; 'video-svm': embeddings pooled per video and a LinearSVC fitted on the train split (protocols/video.ts);
   * 'mtl-heads': ABAW-4 multi-task heads trained on per-frame features of the train split (protocols/mtl.ts).
   */
  unit: 'image' | 'video-mean-scores' | 'video-svm' | 'mtl-heads';
  /** The HSEmotion table column this protocol reproduces (only when it is the same measurement). */
  paperColumn?: PaperColumn;
}

export interface OpenOptions {
  split?: string;
}

export interface OpenedDataset {
  kind: string;
  root: string;
  split: string;
  /** Which on-disk layout was recognised, e.g. 'csv', 'march2021', 'folder-per-class'. */
  layout: string;
  /** Crop variant the samples carry, e.g. 'annotation-box' or 'pre-cropped'. */
  crop: string;
  /** The dataset's label space, canonical names. */
  classes: readonly string[];
  /** Sorted by id, so sharding and resuming are deterministic. */
  samples: Sample[];
  skipped: SkipReport;
  /** Files whose sha256 identifies the annotation version (checked by `datasets verify`). */
  annotationFiles: string[];
}

/** A registered, self-describing dataset adapter (lm-evaluation-harness style). */
export interface DatasetAdapter {
  kind: string;
  description: string;
  /** The dataset's label space (canonical names); empty when it comes from the data (imagefolder, csv). */
  classes: readonly string[];
  splits: readonly string[];
  defaultSplit: string;
  protocols: readonly ProtocolSpec[];
  /** Protocol used when none is given; may depend on the model's classes (AffectNet: 7 for 7-class models). */
  defaultProtocol(modelClasses: readonly string[]): string;
  /** Id of the datasets/<id>.json manifest describing the official copy, or null. */
  manifestFor(layout: string): string | null;
  open(path: string, opts?: OpenOptions): Promise<OpenedDataset>;
}
