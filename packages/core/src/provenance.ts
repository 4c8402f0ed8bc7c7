import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';

/** Where a number came from: enough to tell two runs apart and to repeat one. */
export interface HostInfo {
  hostname: string;
  os: string;
  arch: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
}

export function hostInfo(): HostInfo {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    os: `${os.type()} ${os.release()}`,
    arch: os.arch(),
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
  };
}

const require = createRequire(import.meta.url);

/** Installed version of a package, or null when it is not installed. */
export function packageVersion(name: string): string | null {
  try {
    // Resolve the entry, then walk up to its package.json: some packages do not export ./package.json.
    let dir = require.resolve(name);
    for (let i = 0; i < 6; i++) {
      dir = dir.slice(0, dir.lastIndexOf('/'));
      try {
        const pkg = JSON.parse(readFileSync(`${dir}/package.json`, 'utf8'));
        if (pkg.name === name) return pkg.version;
      } catch {
        // keep walking
      }
    }
  } catch {
    // not installed
  }
  return null;
}

export function runtimeVersions(): Record<string, string | null> {
  return {
    affectbench: '0.1.0',
    node: process.version,
    'onnxruntime-node': packageVersion('onnxruntime-node'),
    'onnxruntime-web': packageVersion('onnxruntime-web'),
  };
}

/** The repo's commit, or null outside a git checkout. `dirty` says whether tracked files changed. */
export function gitCommit(cwd = process.cwd()): { commit: string; dirty: boolean } | null {
  // A copy of the tree without .git (a remote GPU box, a container) can say which commit it is.
  const given = process.env.AFFECTBENCH_GIT_COMMIT;
  if (given) return { commit: given, dirty: process.env.AFFECTBENCH_GIT_DIRTY === '1' };
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    return null;
  }
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Stable JSON (sorted keys) so that hashes of manifests and configs do not depend on key order. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
