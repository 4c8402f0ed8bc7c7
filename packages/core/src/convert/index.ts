// Public API of this folder; see its modules.
export type { ConversionReport, ConversionResult, ConvertOptions, TensorInfo } from './types.ts';
export { convertTfjsGraph, SUPPORTED_TFJS_OPS } from './tfjs.ts';
export { convertKerasH5, SUPPORTED_KERAS_LAYERS, type KerasConvertOptions } from './keras.ts';
export { convertModelFile, type ConvertFileOptions } from './file.ts';
export { samePads } from './layout.ts';
