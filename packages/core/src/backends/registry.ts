import { UserError } from '../errors.ts';
import { BACKEND_NAMES, type Backend, type BackendInfo, type BackendName } from './types.ts';

const backends = new Map<BackendName, Backend>();

/**
 * Adds a backend under its name. Packages that provide one (core's node-*, bench's browser-*) call this at import;
 * registering a name twice is a bug, except with `replace` (tests and alternative builds of the same runtime).
 */
export function registerBackend(backend: Backend, opts: { replace?: boolean } = {}): void {
  if (backends.has(backend.name) && !opts.replace) throw new Error(`backend ${backend.name} is already registered`);
  backends.set(backend.name, backend);
}

export function hasBackend(name: string): boolean {
  return backends.has(name as BackendName);
}

export function getBackend(name: string): Backend {
  const b = backends.get(name as BackendName);
  if (b) return b;
  if ((BACKEND_NAMES as readonly string[]).includes(name)) {
    throw new UserError(`backend "${name}" is not loaded in this process`, {
      hint: name.startsWith('browser-') ? 'the browser backends are provided by @affectbench/bench (import it first)' : undefined,
    });
  }
  throw new UserError(`unknown backend "${name}"`, { hint: `backends: ${BACKEND_NAMES.join(', ')}` });
}

/** Registered backends, in the canonical order of BACKEND_NAMES. */
export function listBackends(): Backend[] {
  return BACKEND_NAMES.flatMap((n) => backends.get(n) ?? []);
}

/**
 * Probes every registered backend one after the other (never in parallel: probes create sessions, and two native
 * runtimes initialising at once would skew each other's timing and memory). Never throws.
 */
export async function probeAll(): Promise<BackendInfo[]> {
  const out: BackendInfo[] = [];
  for (const b of listBackends()) {
    try {
      out.push(await b.probe());
    } catch (err) {
      // probe() promises not to throw; if one does, that is its bug, but the others still get probed.
      out.push({ name: b.name, available: false, reason: `probe failed: ${(err as Error).message}`, details: {} });
    }
  }
  return out;
}
