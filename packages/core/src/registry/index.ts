import { UserError } from '../errors.ts';
import { HSEMOTION_MODELS } from './hsemotion.ts';
import { THIRD_PARTY_MODELS } from './third-party.ts';
import type { ModelRecord } from './types.ts';

export * from './types.ts';
export { HSEMOTION_MODELS, CLASSES_7, CLASSES_8 } from './hsemotion.ts';
export { THIRD_PARTY_MODELS } from './third-party.ts';

const registry = new Map<string, ModelRecord>();

/** Open registry: converted and third-party models get records like the eight. */
export function registerModel(record: ModelRecord): void {
  if (registry.has(record.id)) throw new Error(`model ${record.id} is already registered`);
  registry.set(record.id, record);
}

for (const m of HSEMOTION_MODELS) registerModel(m);
for (const m of THIRD_PARTY_MODELS) registerModel(m);

export function listModels(filter: { suite?: ModelRecord['suite']; task?: ModelRecord['task'] } = {}): ModelRecord[] {
  return [...registry.values()].filter((m) => (!filter.suite || m.suite === filter.suite) && (!filter.task || m.task === filter.task));
}

export function hasModel(id: string): boolean {
  return registry.has(id);
}

export function getModel(id: string): ModelRecord {
  const m = registry.get(id);
  if (!m) {
    throw new UserError(`unknown model "${id}"`, { hint: `known models: ${[...registry.keys()].join(', ')}` });
  }
  return m;
}

/** Model ids of the eight HSEmotion models, in table order. */
export const HSEMOTION_IDS: readonly string[] = HSEMOTION_MODELS.map((m) => m.id);
