export * from './errors.ts';
export * from './registry/index.ts';
export * from './image/index.ts';
export * from './backends/index.ts';
export * from './onnx/index.ts';
export * from './provenance.ts';
export * from './files.ts';
export * from './progress.ts';
