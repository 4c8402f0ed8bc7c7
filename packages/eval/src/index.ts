export * from './metrics/index.ts';
export * from './datasets/index.ts';
export * from './runner/index.ts';
export * from './protocols/index.ts';
export * from './predictions.ts';
