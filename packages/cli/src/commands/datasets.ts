import { UserError } from '@affectbench/core';
import { listDatasets, listManifests, parseDatasetSpec, verifyDataset } from '@affectbench/eval';
import { type Command, emit, table } from '../command.ts';

export const datasetsList: Command = {
  path: ['datasets', 'list'],
  summary: 'list dataset adapters (kinds, splits, protocols) and the manifests of the official datasets',
  usage: '[--json]',
  options: {},
  async run(_args, io) {
    const adapters = listDatasets().map((a) => ({
      kind: a.kind,
      description: a.description,
      splits: a.splits,
      classes: a.classes,
      protocols: a.protocols.map((p) => ({ name: p.name, description: p.description, classes: p.classes, headline: p.headline, paperColumn: p.paperColumn ?? null })),
    }));
    const manifests = listManifests().map((m) => ({ id: m.id, kind: m.kind, name: m.name, splits: Object.fromEntries(Object.entries(m.splits).map(([k, v]) => [k, v.total])) }));
    emit(io, { adapters, manifests }, () =>
      [
        table(adapters.map((a) => [a.kind, a.splits.join(','), a.protocols.map((p) => p.name).join(', ')]), ['kind', 'splits', 'protocols']),
        '',
        table(manifests.map((m) => [m.id, m.kind, Object.entries(m.splits).map(([k, v]) => `${k} ${v}`).join(', '), m.name]), ['manifest', 'kind', 'expected', 'name']),
      ].join('\n'),
    );
    return 0;
  },
};

export const datasetsVerify: Command = {
  path: ['datasets', 'verify'],
  summary: "check a copy of a dataset against its manifest (files, counts per class, annotation checksums) before a long run",
  usage: '--dataset KIND:PATH [--split S] [--manifest ID] [--json]',
  options: {
    dataset: { type: 'string', description: 'KIND:PATH' },
    split: { type: 'string', description: 'split to check (default: the adapter default)' },
    manifest: { type: 'string', description: 'manifest id to compare with (default: the one for the layout found)' },
  },
  async run(args, io) {
    const spec = args.options.dataset ?? args.positionals[0];
    if (typeof spec !== 'string') throw new UserError('--dataset KIND:PATH is required');
    const { kind, path } = parseDatasetSpec(spec);
    const rep = await verifyDataset(kind, path, { split: args.options.split as string | undefined, manifestId: args.options.manifest as string | undefined });
    emit(io, rep, () => {
      const lines = [
        `${kind}:${path} split ${rep.dataset.split}, layout ${rep.dataset.layout}, manifest ${rep.manifest ?? 'none'}`,
        `found ${rep.found} samples: ${Object.entries(rep.perClass).map(([c, n]) => `${c} ${n}`).join(', ')}`,
      ];
      for (const [reason, n] of Object.entries(rep.skipped.counts)) lines.push(`skipped ${n}: ${reason} (e.g. ${rep.skipped.examples[reason]?.[0] ?? '?'})`);
      lines.push(
        table(
          rep.checks.map((c) => [c.ok ? 'ok' : 'FAIL', c.check, c.expected === undefined ? '' : String(c.expected), c.found === undefined ? '' : String(c.found), c.note ?? '']),
          ['', 'check', 'expected', 'found', 'note'],
        ),
        rep.ok ? 'OK: the copy matches its manifest' : 'MISMATCH: see the FAIL rows',
      );
      return lines.join('\n');
    });
    return rep.ok ? 0 : 1;
  },
};
