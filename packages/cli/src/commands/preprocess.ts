import { RESIZE_MODES, type ResizeMode, UserError, cropPolicyFor, getModel, parseBox, readImage, toTensor, writeFileAtomic, writeNpy } from '@affectbench/core';
import { type Command, emit } from '../command.ts';

export const preprocess: Command = {
  path: ['preprocess'],
  summary: 'write the exact float32 input tensor a model would see for one image (.npy)',
  usage: '--model ID --image FILE [--box x,y,w,h] [--resize MODE] --out FILE.npy [--json]',
  options: {
    model: { type: 'string', description: 'model id from the registry (sets size, layout, channels, normalisation)' },
    image: { type: 'string', description: 'JPEG, PNG or TIFF file' },
    box: { type: 'string', description: 'face box in pixels, x,y,width,height, cropped before resizing' },
    resize: { type: 'string', description: `resize implementation: ${RESIZE_MODES.join(', ')} (default: the model's)` },
    out: { type: 'string', description: 'where to write the .npy (float32, C order)' },
  },
  async run(args, io) {
    const need = (k: string) => {
      const v = args.options[k];
      if (typeof v !== 'string' || v === '') throw new UserError(`preprocess needs --${k}`, { hint: `usage: affectbench preprocess ${this.usage}` });
      return v;
    };
    const record = getModel(need('model'));
    const imagePath = need('image');
    const out = need('out');
    const box = typeof args.options.box === 'string' ? parseBox(args.options.box) : undefined;
    const resizeOpt = args.options.resize as string | undefined;
    if (resizeOpt !== undefined && !RESIZE_MODES.includes(resizeOpt as ResizeMode)) {
      throw new UserError(`unknown --resize "${resizeOpt}"`, { hint: `use one of ${RESIZE_MODES.join(', ')}` });
    }
    const resize = (resizeOpt as ResizeMode | undefined) ?? record.normalisation.resize;
    const img = await readImage(imagePath);
    const tensor = toTensor([img], record, { resize, box: [box] });
    writeFileAtomic(out, writeNpy(tensor));

    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let sum = 0;
    for (const v of tensor.data) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    const result = {
      model: record.id,
      image: imagePath,
      decoded: { width: img.width, height: img.height },
      box: box ?? null,
      crop: box ? cropPolicyFor(resize) : null,
      resize,
      layout: record.input.layout,
      color: record.input.color,
      dims: tensor.dims,
      dtype: 'float32',
      stats: { min, max, mean: sum / tensor.data.length },
      out,
    };
    emit(io, result, () =>
      [
        `${out}: float32 [${tensor.dims.join(', ')}] ${record.input.layout} ${record.input.color} for ${record.id}`,
        `  image ${imagePath} (${img.width}x${img.height})${box ? `, box ${box.x},${box.y},${box.width},${box.height} (${result.crop})` : ''}, resize ${resize}`,
        `  values min ${min.toFixed(4)}  max ${max.toFixed(4)}  mean ${result.stats.mean.toFixed(4)}`,
      ].join('\n'),
    );
    return 0;
  },
};
