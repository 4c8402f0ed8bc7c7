// Public API of this folder; see its modules.
export { FaceDetector, detectFaces, humanPackageDir } from './detector.ts';
export type { DetectedFace, DetectOptions, FaceDetectorOptions } from './detector.ts';
export { faceCropBox } from './crop.ts';
export type { FaceCropOptions } from './crop.ts';
export { blazefaceAnchors, decodeBlazeface, nonMaxSuppression } from './blazeface.ts';
