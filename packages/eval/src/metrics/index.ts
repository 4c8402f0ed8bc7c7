// Public API of this folder; see its modules.
export * from './classification.ts';
export * from './ccc.ts';
export * from './stats.ts';
export * from './abaw.ts';
export * from './random.ts';
