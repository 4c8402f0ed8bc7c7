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
  return new OrtSession(backend, session, ort.Tensor as unknown as TensorCtor, { ...details, runtime: `onnxruntime-node ${packageVersion('onnxruntime-node')}` });
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
