import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError, readJsonFile, sha256, sha256File, stableStringify } from '@affectbench/core';
import { getDataset } from './registry.ts';
import type { OpenedDataset } from './types.ts';

/** A datasets/<id>.json file: what an official copy looks like, so a user's copy can be checked before a long run. */
export interface DatasetManifest {
  id: string;
  kind: string;
  name: string;
  layout: string;
  description: string;
  source: string;
  licence: string;
  /** Expected counts per split and canonical class, from the reference (hsemotion-protocols.md). */
  splits: Record<string, { total: number; classes?: Record<string, number>; note?: string }>;
  /** The dataset's own label names/codes → canonical class. */
  classMap: Record<string, string>;
  annotationFiles: { path: string; sha256: string | null; status: 'known' | 'unknown'; note?: string }[];
}

/** datasets/ at the repository root (this file is packages/eval/src/datasets/manifest.ts). */
export const MANIFEST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../datasets');

export function listManifests(dir = MANIFEST_DIR): DatasetManifest[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => readJsonFile<DatasetManifest>(join(dir, f)));
}

export function loadManifest(id: string, dir = MANIFEST_DIR): { manifest: DatasetManifest; sha256: string } {
  const file = join(dir, `${id}.json`);
  if (!existsSync(file)) throw new UserError(`no dataset manifest "${id}" (${file})`, { hint: `manifests: ${listManifests(dir).map((m) => m.id).join(', ')}` });
  const manifest = readJsonFile<DatasetManifest>(file);
  return { manifest, sha256: manifestSha256(manifest) };
}

/** sha256 of the canonical (sorted-key) JSON, so formatting changes do not change the id of a manifest. */
export function manifestSha256(m: DatasetManifest): string {
  return sha256(stableStringify(m));
}

export interface VerifyCheck {
  check: string;
  ok: boolean;
  expected?: unknown;
  found?: unknown;
  note?: string;
}

export interface VerifyReport {
  dataset: { kind: string; path: string; split: string; layout: string };
  manifest: string | null;
  manifestSha256: string | null;
  ok: boolean;
  found: number;
  perClass: Record<string, number>;
  skipped: OpenedDataset['skipped'];
  checks: VerifyCheck[];
}

/** Counts per canonical class of an opened dataset. */
export function classCounts(ds: OpenedDataset): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(ds.classes.map((c) => [c, 0]));
  for (const s of ds.samples) counts[ds.classes[s.label]] += 1;
  return counts;
}

/**
 * Checks a user's copy against the manifest of its kind and layout: sample counts in total and per class, and the
 * annotation files (present, sha256 when the manifest knows it). `manifestId` overrides the adapter's choice.
 */
export async function verifyDataset(kind: string, path: string, opts: { split?: string; manifestId?: string; manifestDir?: string } = {}): Promise<VerifyReport> {
  const adapter = getDataset(kind);
  const ds = await adapter.open(path, { split: opts.split ?? adapter.defaultSplit });
  const perClass = classCounts(ds);
  const checks: VerifyCheck[] = [];
  const id = opts.manifestId ?? adapter.manifestFor(ds.layout);
  let manifest: DatasetManifest | null = null;
  let msha: string | null = null;
  if (id) ({ manifest, sha256: msha } = loadManifest(id, opts.manifestDir));
  if (manifest) {
    const split = manifest.splits[ds.split];
    if (!split) checks.push({ check: `split ${ds.split} described`, ok: false, note: `manifest ${manifest.id} describes ${Object.keys(manifest.splits).join(', ')}` });
    else {
      checks.push({ check: 'samples', ok: ds.samples.length === split.total, expected: split.total, found: ds.samples.length });
      for (const [cls, n] of Object.entries(split.classes ?? {})) checks.push({ check: `class ${cls}`, ok: (perClass[cls] ?? 0) === n, expected: n, found: perClass[cls] ?? 0 });
    }
    for (const a of manifest.annotationFiles) {
      const p = join(ds.root, a.path);
      if (!existsSync(p)) {
        // Only layouts that carry the file need it (a pre-cropped copy has no CSV).
        if (ds.annotationFiles.length) checks.push({ check: `annotation ${a.path}`, ok: false, note: 'missing' });
        continue;
      }
      const h = await sha256File(p);
      checks.push(
        a.sha256
          ? { check: `annotation ${a.path} sha256`, ok: h === a.sha256, expected: a.sha256, found: h }
          : { check: `annotation ${a.path} sha256`, ok: true, found: h, note: 'no published checksum (unknown); recorded for reference' },
      );
    }
  } else {
    checks.push({ check: 'manifest', ok: true, note: `no manifest for ${kind} (${ds.layout}): counts reported, nothing to compare` });
  }
  return {
    dataset: { kind, path, split: ds.split, layout: ds.layout },
    manifest: manifest?.id ?? null,
    manifestSha256: msha,
    ok: checks.every((c) => c.ok),
    found: ds.samples.length,
    perClass,
    skipped: ds.skipped,
    checks,
  };
}
