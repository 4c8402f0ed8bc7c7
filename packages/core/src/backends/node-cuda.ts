import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../errors.ts';
import { createDeviceSession, ortNodeProviders, probeWith } from './node-ort.ts';
import type { Backend, BackendInfo, SessionOptions } from './types.ts';

const INSTALL_HINT = 'on a machine with an NVIDIA GPU and CUDA 12, reinstall with `npm install onnxruntime-node --onnxruntime-node-install=cuda12`';

/** The NVIDIA kernel driver announces itself here; absent = no usable NVIDIA GPU, whatever the runtime ships. */
function nvidiaDriver(): string | null {
  const f = '/proc/driver/nvidia/version';
  if (!existsSync(f)) return null;
  try {
    return readFileSync(f, 'utf8').split('\n')[0].trim();
  } catch {
    return null;
  }
}

/** Reasons CUDA cannot run here, in the order a person would fix them; empty when nothing is known to be missing. */
async function obstacles(): Promise<{ reasons: string[]; details: Record<string, unknown> }> {
  const providers = await ortNodeProviders();
  const cuda = providers.find((p) => p.name === 'cuda');
  const driver = nvidiaDriver();
  const reasons: string[] = [];
  if (!cuda?.bundled) reasons.push(`this onnxruntime-node install has no CUDA execution provider binaries (libonnxruntime_providers_cuda.so); ${INSTALL_HINT}`);
  if (!driver) reasons.push('no NVIDIA driver found (/proc/driver/nvidia/version is absent)');
  return { reasons, details: { executionProvider: 'cuda', cudaBundled: cuda?.bundled ?? false, nvidiaDriver: driver } };
}

/**
 * onnxruntime-node on its CUDA execution provider. onnxruntime would place any node CUDA cannot run on the CPU without
 * a word, and a "CUDA" latency would silently measure a CPU/GPU mix: createDeviceSession either proves every node is on
 * CUDA or records the placement (see there).
 */
export const nodeCuda: Backend = {
  name: 'node-cuda',

  async probe(): Promise<BackendInfo> {
    const { reasons, details } = await obstacles();
    // Creating a session without the binaries makes onnxruntime print a native error on stderr; the reason is known already.
    if (reasons.length > 0) return { name: 'node-cuda', available: false, reason: reasons.join('; '), details };
    return probeWith('node-cuda', (bytes) => this.createSession(bytes), details);
  },

  async createSession(model, options: SessionOptions = {}) {
    const { reasons, details } = await obstacles();
    if (reasons.length > 0) throw new UserError(`node-cuda is not available: ${reasons.join('; ')}`);
    return createDeviceSession(
      'node-cuda',
      model,
      options,
      { config: { name: 'cuda', deviceId: 0 }, ortName: 'CUDAExecutionProvider' },
      { ...details, deviceId: 0 },
      (msg) => (/shared library/i.test(msg) ? `the CUDA provider libraries could not be loaded; ${INSTALL_HINT}` : undefined),
    );
  },
};
