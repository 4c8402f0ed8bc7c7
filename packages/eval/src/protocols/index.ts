// Public API of this folder; see its modules.
export * from './linear-svc.ts';
export * from './svc-rbf.ts';
export * from './pooling.ts';
export * from './video.ts';
export * from './mtl.ts';
