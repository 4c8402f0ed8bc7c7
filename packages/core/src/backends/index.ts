import { nodeCpu } from './node-cpu.ts';
import { nodeCuda } from './node-cuda.ts';
import { nodeWasm } from './node-wasm.ts';
import { nodeWebgpu } from './node-webgpu.ts';
import { registerBackend } from './registry.ts';

export * from './types.ts';
export { registerBackend, hasBackend, getBackend, listBackends, probeAll } from './registry.ts';
export { OrtSession, withExtraOutputs, probeGraph } from './ort-session.ts';
export { nodeCpu, nodeCuda, nodeWasm, nodeWebgpu };
export { SWIFTSHADER_ICD } from './node-webgpu.ts';

// The runtimes themselves load on first use (dynamic import), so registering costs nothing at import time.
for (const b of [nodeCpu, nodeCuda, nodeWebgpu, nodeWasm]) registerBackend(b);
