import { UserError } from '@affectbench/core';
import type { DatasetAdapter, OpenedDataset, ProtocolSpec } from './types.ts';

const adapters = new Map<string, DatasetAdapter>();

export function registerDataset(adapter: DatasetAdapter): void {
  if (adapters.has(adapter.kind)) throw new Error(`dataset kind ${adapter.kind} is already registered`);
  adapters.set(adapter.kind, adapter);
}

export function getDataset(kind: string): DatasetAdapter {
  const a = adapters.get(kind);
  if (!a) throw new UserError(`unknown dataset kind "${kind}"`, { hint: `known kinds: ${[...adapters.keys()].join(', ')}` });
  return a;
}

export function listDatasets(): DatasetAdapter[] {
  return [...adapters.values()];
}

/** Splits 'KIND:PATH' (the CLI's --dataset value). */
export function parseDatasetSpec(spec: string): { kind: string; path: string } {
  const i = spec.indexOf(':');
  if (i <= 0 || i === spec.length - 1) {
    throw new UserError(`--dataset must be KIND:PATH (got "${spec}")`, { hint: `kinds: ${[...adapters.keys()].join(', ')}` });
  }
  const kind = spec.slice(0, i);
  getDataset(kind);
  return { kind, path: spec.slice(i + 1) };
}

/** The protocol named (or the adapter's default for this model), with 'dataset'-relative classes resolved. */
export function resolveProtocol(adapter: DatasetAdapter, name: string | undefined, modelClasses: readonly string[], opened?: OpenedDataset): ProtocolSpec {
  const wanted = name ?? adapter.defaultProtocol(modelClasses);
  const p = adapter.protocols.find((x) => x.name === wanted);
  if (!p) {
    throw new UserError(`dataset kind ${adapter.kind} has no protocol "${wanted}"`, { hint: `protocols: ${adapter.protocols.map((x) => x.name).join(', ')}` });
  }
  if (p.classes.length === 0 && opened) return { ...p, classes: opened.classes };
  return p;
}
