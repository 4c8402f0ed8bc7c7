// Browser-safe part of image/ (no node: imports): everything except decode.ts.
export * from './types.ts';
export * from './crop.ts';
export * from './resize.ts';
export * from './resize-tf.ts';
export * from './orientation.ts';
export * from './tensor.ts';
export * from './npy.ts';
export * from './jpeg-color.ts';
