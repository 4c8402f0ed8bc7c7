// Public API of this folder: a small ONNX graph builder, architecture twins, model inspection, embedding outputs.
export * from './builder.ts';
export * from './twins.ts';
export * from './info.ts';
export * from './embedding.ts';
export * from './write.ts';
export { Prng } from './prng.ts';
