import { join } from 'node:path';
import { writeFileAtomic } from '../files.ts';
import { Progress } from '../progress.ts';
import { sha256 } from '../provenance.ts';
import { getModel } from '../registry/index.ts';
import { UserError } from '../errors.ts';
import { synthesizeTwin, twinSupported } from './twins.ts';

export interface WrittenTwin {
  id: string;
  path: string;
  sha256: string;
  parameterCount: number;
}

/**
 * Writes one twin per model id into `outDir`, under the record's `source.fileName` (the name the store looks for);
 * the twins say `weights=synthetic` in their metadata, so they are never mistaken for the official files.
 * Unknown ids fail before anything is written.
 */
export function writeTwins(ids: readonly string[], outDir: string, opts: { seed?: number; progress?: boolean } = {}): WrittenTwin[] {
  const records = ids.map((id) => getModel(id));
  const unsupported = records.filter((r) => !twinSupported(r));
  if (unsupported.length > 0) {
    throw new UserError(`no architecture twin for ${unsupported.map((r) => `${r.id} (${r.architecture.family})`).join(', ')}`, {
      hint: 'twins exist for the EfficientNet-B0/B2 and Keras MobileNet v1 families',
    });
  }
  const progress = new Progress('synthesizing twins', records.length, { unit: 'models', ...(opts.progress === undefined ? {} : { enabled: opts.progress }) });
  const written = records.map((record) => {
    const twin = synthesizeTwin(record, { seed: opts.seed });
    const path = join(outDir, record.source.fileName);
    writeFileAtomic(path, twin.bytes);
    progress.tick(1, record.id);
    return { id: record.id, path, sha256: sha256(twin.bytes), parameterCount: twin.parameterCount };
  });
  progress.finish();
  return written;
}
