import { convertModelFile, UserError, writeFileAtomic } from '@affectbench/core';
import { type Command, emit } from '../command.ts';

export const modelsConvert: Command = {
  path: ['models', 'convert'],
  summary: 'convert a TF.js graph model (model.json) or a Keras .h5 to ONNX',
  usage: '<model.json|model.h5> --out FILE.onnx [--model ID] [--json]',
  options: {
    out: { type: 'string', description: 'where to write the ONNX file' },
    model: { type: 'string', description: "registry id: rename input/output to the record's names and check shapes against it" },
  },
  async run(args, io) {
    const [src, ...extra] = args.positionals;
    if (!src || extra.length > 0) throw new UserError('models convert takes exactly one source file', { hint: `usage: affectbench models convert ${this.usage}` });
    const out = args.options.out;
    if (typeof out !== 'string' || out === '') throw new UserError('models convert needs --out FILE.onnx');
    const t0 = performance.now();
    const result = await convertModelFile(src, { modelId: args.options.model as string | undefined });
    writeFileAtomic(out, result.bytes);
    const summary = {
      source: src,
      out,
      bytes: result.bytes.length,
      model: (args.options.model as string | undefined) ?? null,
      inputs: result.inputs,
      outputs: result.outputs,
      report: result.report,
      seconds: (performance.now() - t0) / 1000,
    };
    const dims = (s: number[]) => `[${s.map((d) => (d < 0 ? 'N' : d)).join(',')}]`;
    emit(io, summary, () =>
      [
        `${out}: ${result.bytes.length} bytes, ${result.report.parameters} parameters (from ${result.report.sourceFormat} ${src})`,
        ...result.inputs.map((i) => `  input  ${i.name} ${dims(i.shape)}${i.name !== i.tfName ? ` (was ${i.tfName})` : ''}`),
        ...result.outputs.map((o) => `  output ${o.name} ${dims(o.shape)}${o.name !== o.tfName ? ` (was ${o.tfName})` : ''}`),
        `  ${Object.entries(result.report.ops).map(([k, v]) => `${k}×${v}`).join(' ')}`,
      ].join('\n'),
    );
    return 0;
  },
};
