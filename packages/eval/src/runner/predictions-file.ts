import { existsSync } from 'node:fs';
import { type PredictionRecord, readPredictionsFile } from '../predictions.ts';

/**
 * One line of `<run-id>.predictions.jsonl`, the shared `score` format (../predictions.ts) with the fields the runner
 * adds so that any protocol can be re-scored without running the model again:
 * `scores` are the model's class probabilities in the model's class order (listed in the result file as
 * metrics.modelClasses); `label` indexes the dataset's label space and `labelName` is its canonical name;
 * `valence`/`arousal` are the model's heads, `valenceTrue`/`arousalTrue` the annotation.
 */
export interface PredictionRow extends PredictionRecord {
  labelName: string;
  scores: number[];
  /** Videos: frames decoded, frames with a face, and whether the scores come from face frames. */
  frames?: number;
  faceFrames?: number;
  hasFaces?: boolean;
}

/** All rows of a predictions file (none when it does not exist yet). */
export async function readRows(path: string): Promise<PredictionRow[]> {
  if (!existsSync(path)) return [];
  return (await readPredictionsFile(path)) as PredictionRow[];
}
