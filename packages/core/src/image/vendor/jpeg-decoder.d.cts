// Types of the vendored jpeg-js decoder (its default export is the decode function).
declare function decode(
  bytes: Uint8Array,
  opts: { useTArray?: boolean; formatAsRGBA?: boolean; tolerantDecoding?: boolean; maxMemoryUsageInMB?: number; colorTransform?: boolean },
): { width: number; height: number; data: Uint8Array };
export = decode;
