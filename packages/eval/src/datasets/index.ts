import { abawMtl } from './abaw-mtl.ts';
import { affectnet } from './affectnet.ts';
import { abawLsd, csvManifest, imagefolder } from './folders.ts';
import { registerDataset } from './registry.ts';
import { afew, vgaf } from './video.ts';

export * from './types.ts';
export * from './registry.ts';
export * from './labels.ts';
export * from './manifest.ts';
export { AFFECTNET_CODES, AFFECTNET_PROTOCOLS, affectnet } from './affectnet.ts';
export { AFEW_CLASSES, VGAF_CLASSES, afew, framesOf, readVgafLabels, vgaf } from './video.ts';
export { abawLsd, csvManifest, imagefolder } from './folders.ts';
export { npyScalarBytes, readNpyScalar } from './npy.ts';
export { type AbawMtlFrame, type AbawMtlRow, type AbawMtlSplit, abawMtl, readAbawMtlAnnotations, readAbawMtlSplit } from './abaw-mtl.ts';

for (const a of [affectnet, afew, vgaf, abawLsd, abawMtl, imagefolder, csvManifest]) registerDataset(a);
