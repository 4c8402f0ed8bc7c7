export { type EvalOptions, type EvalRun, type Shard, buildResult, evaluate, runOutputs, parseShard, readOutputRow, runId, selectSamples } from './evaluate.ts';
export { mergeResults } from './merge.ts';
export { type PredictionRow, readRows } from './predictions-file.ts';
export { argmaxOver, scoreRows, type ScoreOutput } from './score.ts';
export { PreparePool, PrepareError, defaultWorkers } from './pool.ts';
export { type PreparedSample, prepareSample } from './preprocess.ts';
export { decodeFile, decodeVideoFrames, parsePpmStream } from './decode.ts';
export { type EmbedOptions, type EmbeddingIndex, type EmbeddingRow, embedDataset, readEmbeddings, videoFeatures } from './embed.ts';
export { evaluateVideoSvm } from './video-svm.ts';
