import { listModels } from '@affectbench/core';
import { type Command, emit, table } from '../command.ts';

const fmt = (v: number | undefined) => (v === undefined ? '–' : String(v));

export const modelsList: Command = {
  path: ['models', 'list'],
  summary: 'list the model registry (the eight HSEmotion models and any other registered model)',
  usage: '[--json]',
  options: {
    all: { type: 'boolean', description: 'include third-party and face-detection models' },
  },
  async run(args, io) {
    const models = listModels(args.options.all ? {} : { suite: 'hsemotion' });
    emit(io, models, () =>
      table(
        models.map((m) => [
          m.id,
          m.architecture.family,
          `${m.input.width}x${m.input.height} ${m.input.layout}`,
          m.normalisation.resize,
          String(m.outputs.size),
          m.source.format,
          fmt(m.paper?.affectnet8),
          fmt(m.paper?.affectnet7),
          fmt(m.paper?.afew),
          fmt(m.paper?.vgaf),
        ]),
        ['id', 'arch', 'input', 'resize', 'out', 'source', 'AN-8', 'AN-7', 'AFEW', 'VGAF'],
      ),
    );
    return 0;
  },
};
