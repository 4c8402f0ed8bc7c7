import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createDeviceSession, ortNodeProviders, probeWith } from './node-ort.ts';
import type { Backend, BackendInfo, SessionOptions } from './types.ts';

/** Chromium's SwiftShader Vulkan driver (Debian `chromium`): a CPU implementation of Vulkan that Dawn accepts. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const SYSTEM_ICD_DIRS = ['/etc/vulkan/icd.d', '/usr/share/vulkan/icd.d'];
/** Vulkan drivers that run on the CPU: numbers measured on them say nothing about a GPU. */
const SOFTWARE_DRIVER = /swiftshader|lvp|lavapipe|llvmpipe/i;

let icdSource: string | undefined;
let webgpuStarted = false;

/** A GPU the kernel exposes (DRM render node or NVIDIA device): then the system's own Vulkan drivers must be used. */
function hasGpuDeviceNode(): boolean {
  try {
    return existsSync('/dev/nvidia0') || readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * onnxruntime-node's WebGPU EP (Dawn) needs a Vulkan driver. On a machine without a GPU the only driver Dawn accepts is
 * SwiftShader (Mesa's lavapipe lacks shaderUniform*ArrayDynamicIndexing), and the Vulkan loader only finds it through
 * VK_ICD_FILENAMES. The loader reads that variable when Dawn creates its Vulkan instance, i.e. at the first WebGPU
 * session, not at process start, so setting it here works as long as nothing in this process has used WebGPU yet
 * (checked: a probe run with the variable set only from inside the process finds the SwiftShader adapter).
 * Never done when a GPU device node exists: forcing SwiftShader there would hide the real GPU.
 */
function chooseIcd(): void {
  if (icdSource) return;
  // Dawn complains on stderr about a missing XDG_RUNTIME_DIR (it only wants a place for caches); give it a private one.
  if (!process.env.XDG_RUNTIME_DIR) process.env.XDG_RUNTIME_DIR = mkdtempSync(join(tmpdir(), 'affectbench-xdg-'));
  if (process.env.VK_ICD_FILENAMES || process.env.VK_DRIVER_FILES) {
    icdSource = `${process.env.VK_DRIVER_FILES ? 'VK_DRIVER_FILES' : 'VK_ICD_FILENAMES'} from the environment`;
  } else if (!webgpuStarted && !hasGpuDeviceNode() && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    icdSource = 'VK_ICD_FILENAMES set by affectbench (no GPU device node; SwiftShader found)';
  } else {
    icdSource = 'Vulkan loader search of the system ICD directories';
  }
}

/** The Vulkan driver(s) Dawn can see, so a software adapter is never reported as a GPU. */
function adapterInfo(): Record<string, unknown> {
  // The loader honours VK_DRIVER_FILES (newer name) and VK_ICD_FILENAMES, else it searches the system directories.
  const listed = process.env.VK_DRIVER_FILES || process.env.VK_ICD_FILENAMES;
  const files = listed
    ? listed.split(':').filter(Boolean)
    : SYSTEM_ICD_DIRS.flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.json')).map((f) => join(d, f)) : []));
  const drivers = files.map((file) => {
    let library = 'unknown';
    try {
      library = JSON.parse(readFileSync(file, 'utf8')).ICD?.library_path ?? 'unknown';
    } catch {
      // an unreadable manifest is reported as such below
    }
    return { icd: file, library: basename(library), software: SOFTWARE_DRIVER.test(file) || SOFTWARE_DRIVER.test(library) };
  });
  const allSoftware = drivers.length > 0 && drivers.every((d) => d.software);
  const gpus = nvidiaGpus();
  const hardware = drivers.filter((d) => !d.software).map((d) => d.library);
  return {
    // onnxruntime-node does not expose Dawn's adapter info (vendor/architecture); the driver manifests and the
    // kernel driver's GPU list are what we can name.
    adapter: allSoftware
      ? `software Vulkan (${drivers.map((d) => d.library).join(', ')}): CPU emulation, not a GPU`
      : `Vulkan ${hardware.join(', ') || 'driver'}${gpus.length ? ` on ${gpus.join(', ')}` : ''}`,
    software: allSoftware,
    gpus,
    icdSource,
    vulkanDrivers: drivers,
  };
}

/** GPU models the NVIDIA kernel driver lists (/proc/driver/nvidia/gpus/<bus>/information), empty elsewhere. */
function nvidiaGpus(): string[] {
  const dir = '/proc/driver/nvidia/gpus';
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((bus) => {
    try {
      const model = /^Model:\s*(.+)$/m.exec(readFileSync(join(dir, bus, 'information'), 'utf8'))?.[1]?.trim();
      return model ? [model] : [];
    } catch {
      return [];
    }
  });
}

function reasonFor(message: string): string | undefined {
  if (!/adapter/i.test(message)) return undefined;
  if (webgpuStarted && icdSource?.startsWith('Vulkan loader')) {
    return `Dawn found no usable Vulkan driver. VK_ICD_FILENAMES is read only when WebGPU first starts in a process; set it before starting: VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`;
  }
  return `Dawn found no usable Vulkan driver (${icdSource}). Without a GPU: apt-get install chromium libvulkan1 and VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`;
}

/** onnxruntime-node's WebGPU execution provider (Dawn over Vulkan). */
export const nodeWebgpu: Backend = {
  name: 'node-webgpu',

  async probe(): Promise<BackendInfo> {
    const providers = await ortNodeProviders();
    if (!providers.some((p) => p.name === 'webgpu' && p.bundled)) {
      return { name: 'node-webgpu', available: false, reason: 'this onnxruntime-node build has no WebGPU execution provider', details: {} };
    }
    chooseIcd();
    return probeWith('node-webgpu', (bytes) => this.createSession(bytes), adapterInfo());
  },

  async createSession(model, options: SessionOptions = {}) {
    chooseIcd();
    const details = { executionProvider: 'webgpu', ...adapterInfo() };
    try {
      return await createDeviceSession('node-webgpu', model, options, { config: { name: 'webgpu' }, ortName: 'WebGpuExecutionProvider' }, details, reasonFor);
    } finally {
      webgpuStarted = true;
    }
  },
};
