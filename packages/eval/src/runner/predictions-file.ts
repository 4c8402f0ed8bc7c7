import { existsSync } from 'node:fs';
import { type PredictionRecord, readPredictionsFile } from '../predictions.ts';

/**
 * One line of `<run-id>.predictions.jsonl`, the shared `score` format (../predictions.ts) with the fields the runner
 * adds so that any protocol can be re-scored without running the model again:
 * `label` and `scores` are in the protocol's class space (metrics.protocolClasses of the result), so `affectbench score`
 * reads the file as is; `modelScores` keeps all the model's class probabilities in its own order
 * (metrics.modelClasses); `labelName` is the canonical label; `valence`/`arousal` are the model's heads,
 * `valenceTrue`/`arousalTrue` the annotation. Samples outside the protocol's classes are counted, not written.
 */
export interface PredictionRow extends PredictionRecord {
  labelName: string;
  scores: number[];
  modelScores: number[];
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
