import { type FileVerification, verifyModels } from '@affectbench/core';
import { type Command, emit, table } from '../command.ts';

const shape = (t: FileVerification['inputs']) => (t ?? []).map((x) => `${x.name}[${x.dims.map((d) => (typeof d === 'string' ? d || '?' : d)).join(',')}]`).join(' ');

export const modelsVerify: Command = {
  path: ['models', 'verify'],
  summary: 'check the model cache: size, sha256, git blob id, loads in onnxruntime-node, I/O names and shapes, real or synthetic weights',
  usage: '[--cache-dir D] [--json]',
  options: {
    'cache-dir': { type: 'string', description: 'model cache (default: $AFFECTBENCH_MODELS, else $XDG_CACHE_HOME/affectbench/models, else ~/.cache/affectbench/models)' },
  },
  async run(args, io) {
    const report = await verifyModels(undefined, { cacheDir: args.options['cache-dir'] as string | undefined });
    emit(io, report, () => {
      const rows = report.files.map((f) => [f.id ?? '(unregistered)', f.status, f.weights ?? '–', f.gitBlob ?? '–', f.bytes === undefined ? '–' : String(f.bytes), shape(f.inputs), shape(f.outputs)]);
      const problems = report.files.filter((f) => f.problems.length > 0).map((f) => `${f.path}:\n${f.problems.map((p) => `  - ${p}`).join('\n')}`);
      const synthetic = report.files.some((f) => f.weights === 'synthetic');
      return [
        `cache: ${report.dir}`,
        table(rows, ['id', 'status', 'weights', 'git blob', 'bytes', 'inputs', 'outputs']),
        ...(problems.length ? ['', ...problems] : []),
        ...(synthetic ? ['', 'synthetic = architecture twin: valid for latency, never for accuracy.'] : []),
      ].join('\n');
    });
    return report.ok ? 0 : 1;
  },
};
