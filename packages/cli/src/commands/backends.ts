import { BACKEND_NAMES, type BackendInfo, hasBackend, probeAll } from '@affectbench/core';
import { type Command, emit, table } from '../command.ts';

export const backendsCommand: Command = {
  path: ['backends'],
  summary: 'probe the six backends: which can run here, why not, and on what (execution provider, threads, adapter)',
  usage: '[--json]',
  options: {},
  async run(_args, io) {
    // The browser backends register themselves when @affectbench/bench is imported; without it they are reported as such.
    await import('@affectbench/bench').catch(() => undefined);
    const probed = await probeAll();
    const infos: BackendInfo[] = BACKEND_NAMES.map(
      (name) => probed.find((p) => p.name === name) ?? { name, available: false, reason: hasBackend(name) ? 'probe returned nothing' : 'provided by @affectbench/bench (not registered in this process)', details: {} },
    );
    emit(io, infos, () =>
      table(
        infos.map((i) => [i.name, i.available ? 'yes' : 'no', i.available ? summary(i.details) : (i.reason ?? '')]),
        ['backend', 'available', 'details / reason'],
      ),
    );
    return 0;
  },
};

function summary(d: Record<string, unknown>): string {
  const parts = [d.executionProvider && `EP ${d.executionProvider}`, d.threads !== undefined && `threads ${d.threads}`, d.intraOpNumThreads !== undefined && `threads ${d.intraOpNumThreads}`, d.adapter && adapter(d.adapter), d.runtime && String(d.runtime)];
  return parts.filter(Boolean).join(', ');
}

/** Adapters come as text (node-webgpu) or as GPUAdapterInfo-like objects (browser-webgpu). */
function adapter(a: unknown): string {
  if (typeof a !== 'object' || a === null) return String(a);
  const o = a as Record<string, unknown>;
  const text = ['vendor', 'architecture', 'description'].map((k) => o[k]).filter((v) => typeof v === 'string' && v).join(' ');
  return `adapter ${text || JSON.stringify(a)}`;
}
