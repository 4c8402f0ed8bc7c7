export { cacheDir, type CacheOptions } from './paths.ts';
export { ChecksumStream, fileChecksums, gitBlobSha1, type FileChecksums } from './checksums.ts';
export { resolveModel, modelPath, obtainHint, type ResolvedModel } from './resolve.ts';
export { fetchModel, fetchUrl, type FetchOptions, type FetchResult } from './fetch.ts';
export { verifyModels, verifyFile, type FileVerification, type VerifyReport, type Dims } from './verify.ts';
export { bundledSource, isBundled, materializeBundled, packageDir } from './bundled.ts';
