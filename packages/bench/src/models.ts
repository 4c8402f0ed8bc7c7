import { readFileSync } from 'node:fs';
import { HSEMOTION_IDS, type ModelRecord, TWIN_METADATA, UserError, getModel, hasModel, readMetadata, resolveModel, sha256, synthesizeTwin } from '@affectbench/core';
import { imageInputs } from './inputs.ts';
import type { BenchModel } from './runner.ts';

/**
 * Registry ids or ONNX paths → models to time. A registry id uses the real file when the store has it and
 * otherwise its architecture twin (synthetic weights: valid for latency, labelled as such in every row).
 */
export function benchModels(specs: readonly string[] = HSEMOTION_IDS): BenchModel[] {
  return specs.map((spec) => benchModel(spec));
}

export function benchModel(spec: string): BenchModel {
  let resolved: ReturnType<typeof resolveModel> | null = null;
  try {
    resolved = resolveModel(spec);
  } catch (err) {
    // A registry id whose file is not in the cache falls back to its twin; a bad path stays an error.
    if (!(err instanceof UserError) || !hasModel(spec)) throw err;
  }
  if (resolved) {
    const record = resolved.record ?? recordFromMetadata(resolved.path);
    if (!record) {
      throw new UserError(`${resolved.path}: no registry record describes this model, so its input contract (size, layout, normalisation) is unknown`, {
        hint: 'name the file after a registered model (see `affectbench models list --all`) or register a record for it',
      });
    }
    return {
      label: record.id,
      model: resolved.path,
      provenance: { id: record.id, file: resolved.path, sha256: resolved.sha256, bytes: resolved.bytes, weights: resolved.weights },
      inputs: (batch) => imageInputs(record, batch),
    };
  }
  const record = getModel(spec);
  const twin = synthesizeTwin(record);
  return {
    label: `${record.id} (twin)`,
    model: twin.bytes,
    provenance: { id: record.id, file: null, sha256: sha256(twin.bytes), bytes: twin.bytes.length, weights: 'synthetic' },
    inputs: (batch) => imageInputs(record, batch),
  };
}

/** Twins written to disk carry their model id in the metadata. */
function recordFromMetadata(path: string): ModelRecord | null {
  const id = readMetadata(readFileSync(path), path)[TWIN_METADATA.model];
  return id && hasModel(id) ? getModel(id) : null;
}
