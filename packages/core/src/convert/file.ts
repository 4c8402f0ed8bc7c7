import { extname } from 'node:path';
import { UserError } from '../errors.ts';
import { getModel } from '../registry/index.ts';
import { checkAgainstRecord, convertKerasH5 } from './keras.ts';
import { convertTfjsGraph } from './tfjs.ts';
import type { ConversionResult } from './types.ts';
import type { ModelRecord } from '../registry/types.ts';

export interface ConvertFileOptions {
  /** Registry id: the graph's input and output get the record's names, and their shapes are checked against it. */
  modelId?: string;
}

/** Converts a TF.js graph (model.json) or a Keras full-model .h5 to ONNX, chosen by the file extension. */
export async function convertModelFile(path: string, opts: ConvertFileOptions = {}): Promise<ConversionResult> {
  const ext = extname(path).toLowerCase();
  if (ext === '.h5' || ext === '.hdf5' || ext === '.keras') return convertKerasH5(path, { modelId: opts.modelId });
  if (ext !== '.json') throw new UserError(`${path}: cannot tell the format from the extension "${ext}"`, { hint: 'give a TF.js model.json or a Keras .h5' });
  return opts.modelId ? convertForRecord(path, getModel(opts.modelId)) : convertTfjsGraph(path);
}

/** A TF.js graph converted with the record's input/output names, its shapes checked against the record. */
export function convertForRecord(path: string, record: ModelRecord): ConversionResult {
  const plain = convertTfjsGraph(path);
  if (plain.inputs.length !== 1) throw new UserError(`${path}: ${plain.inputs.length} inputs; --model needs a single-input graph`);
  const rename: Record<string, string> = { [plain.inputs[0].tfName]: record.input.name };
  // A single output takes the record's name; with several (blazeface), the record must name one of them.
  if (plain.outputs.length === 1) rename[plain.outputs[0].tfName] = record.outputs.name;
  else if (!plain.outputs.some((o) => o.tfName === record.outputs.name)) {
    throw new UserError(`${path}: none of the outputs ${plain.outputs.map((o) => o.tfName).join(', ')} is model ${record.id}'s output "${record.outputs.name}"`);
  }
  const result = convertTfjsGraph(path, { rename });
  const out = result.outputs.find((o) => o.name === record.outputs.name)!;
  checkAgainstRecord(path, record, result.inputs[0], out);
  return result;
}
