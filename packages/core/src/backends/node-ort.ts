import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-common';
import { UserError } from '../errors.ts';
import { packageVersion } from '../provenance.ts';
import { OrtSession, type TensorCtor, prepareModel, probeGraph } from './ort-session.ts';
import type { BackendInfo, BackendName, Session, SessionOptions } from './types.ts';

type OrtNode = typeof import('onnxruntime-node');

let ortNode: Promise<OrtNode> | undefined;

/** onnxruntime-node, loaded on first use so that importing core never pulls in the native binding. */
export function loadOrtNode(): Promise<OrtNode> {
  ortNode ??= import('onnxruntime-node').catch((err) => {
    ortNode = undefined;
    throw new UserError(`onnxruntime-node cannot be loaded: ${(err as Error).message}`, { hint: 'npm install (from the repository root)' });
  });
  return ortNode;
}

/** Which execution providers this onnxruntime-node build ships (`bundled: false` = present in the API, binaries absent). */
export async function ortNodeProviders(): Promise<{ name: string; bundled: boolean }[]> {
  const ort = await loadOrtNode();
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** Creates an onnxruntime-node session; runtime failures become UserErrors with `why` as the hint. */
export async function createNodeSession(
  backend: BackendName,
  model: string | Uint8Array,
  options: SessionOptions,
  sessionOptions: InferenceSession.SessionOptions,
  details: Record<string, unknown>,
  why?: (message: string) => string | undefined,
  onFirstRun?: (session: InferenceSession, details: Record<string, unknown>) => void,
): Promise<OrtSession> {
  const ort = await loadOrtNode();
  const prepared = prepareModel(model, options);
  let session: InferenceSession;
  try {
    session = typeof prepared === 'string' ? await ort.InferenceSession.create(prepared, sessionOptions) : await ort.InferenceSession.create(prepared, sessionOptions);
  } catch (err) {
    const message = (err as Error).message;
    const label = typeof model === 'string' ? model : 'model bytes';
    throw new UserError(`${backend}: cannot create a session for ${label}: ${firstLine(message)}`, { hint: why?.(message), cause: err });
  }
  return new OrtSession(backend, session, ort.Tensor as unknown as TensorCtor, { ...details, runtime: `onnxruntime-node ${packageVersion('onnxruntime-node')}` }, onFirstRun);
}

const FALLBACK_REFUSED = /fallback to CPU EP has been explicitly disabled/i;

/**
 * A session on a device EP (CUDA, WebGPU) that never falls back to the CPU unnoticed. First tried with CPU fallback
 * disabled: if that works, every node runs on the device. If onnxruntime needs the CPU for some nodes (it puts int64
 * shape arithmetic there on purpose, e.g. the dynamic padding of timm's Conv2dSame), the session is created again with
 * fallback allowed and profiling on; after the first run profiling ends and `details.placement` says how many nodes of
 * which op ran on which EP. Profiling costs microseconds per node of that one run; later runs are not profiled.
 * With `requireDevicePlacement` the strict failure is final.
 */
export async function createDeviceSession(
  backend: BackendName,
  model: string | Uint8Array,
  options: SessionOptions,
  provider: { config: InferenceSession.ExecutionProviderConfig; ortName: string },
  details: Record<string, unknown>,
  why?: (message: string) => string | undefined,
): Promise<OrtSession> {
  const base: InferenceSession.SessionOptions = { executionProviders: [provider.config], graphOptimizationLevel: 'all' };
  try {
    // logSeverityLevel 4: the refusal below is expected and handled; onnxruntime would also print it in red on stderr.
    return await createNodeSession(backend, model, options, { ...base, logSeverityLevel: 4, extra: { session: { disable_cpu_ep_fallback: '1' } } }, {
      ...details,
      placement: `all nodes on ${provider.ortName} (CPU fallback disabled)`,
    }, why);
  } catch (err) {
    const message = ((err as Error).cause as Error | undefined)?.message ?? (err as Error).message;
    if (!FALLBACK_REFUSED.test(message)) throw err;
    if (options.requireDevicePlacement) {
      throw new UserError(`${backend}: some nodes of this model would run on the CPU, and requireDevicePlacement forbids that`, { cause: err });
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'affectbench-placement-'));

  return createNodeSession(
    backend,
    model,
    options,
    { ...base, logSeverityLevel: 3, enableProfiling: true, profileFilePrefix: join(dir, 'profile') },
    { ...details, placement: 'CPU fallback allowed; placement recorded after the first run' },
    why,
    (session, sessionDetails) => {
      try {
        session.endProfiling();
        const file = readdirSync(dir).find((f) => f.endsWith('.json'));
        sessionDetails.placement = file ? summarisePlacement(JSON.parse(readFileSync(join(dir, file), 'utf8'))) : 'unknown (onnxruntime wrote no profile)';
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
}

type ProfileEvent = { cat?: string; name?: string; args?: { provider?: string; op_name?: string } };

/** Nodes per execution provider, and which ops ran on the CPU, from an onnxruntime profile (one event per node kernel). */
export function summarisePlacement(events: ProfileEvent[]): { nodesByProvider: Record<string, number>; cpuOps: Record<string, number> } {
  const nodesByProvider: Record<string, number> = {};
  const cpuOps: Record<string, number> = {};
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.provider) continue;
    nodesByProvider[e.args.provider] = (nodesByProvider[e.args.provider] ?? 0) + 1;
    if (e.args.provider === 'CPUExecutionProvider') cpuOps[e.args.op_name ?? '?'] = (cpuOps[e.args.op_name ?? '?'] ?? 0) + 1;
  }
  return { nodesByProvider, cpuOps };
}

/** Runs the probe graph once; the answer says whether this backend can really execute a kernel here. */
export async function probeWith(
  backend: BackendName,
  create: (bytes: Uint8Array) => Promise<Session>,
  details: Record<string, unknown>,
): Promise<BackendInfo> {
  const { bytes, feeds } = probeGraph();
  const t0 = performance.now();
  try {
    const s = await create(bytes);
    try {
      await s.run(feeds);
    } finally {
      await s.release();
    }
    return { name: backend, available: true, details: { ...details, ...s.details, probeMs: Math.round(performance.now() - t0) } };
  } catch (err) {
    const e = err as UserError;
    return { name: backend, available: false, reason: [e.message, e.hint].filter(Boolean).join('; '), details };
  }
}

/** Native errors carry a source path and a multi-line trace; the first line is the part a person can use. */
export function firstLine(message: string): string {
  return message.split('\n')[0].trim();
}
