import { readJsonFile, UserError, BadFileError, BACKEND_NAMES, type BackendName, hasModel } from '@affectbench/core';

/**
 * The main job's configuration (affectbench.config.json). Everything `affectbench run` does is
 * listed here, so a run is repeated by running the same config again.
 */
export interface JobConfig {
  /** Models to bench (registry ids or ONNX paths). Real files from the store where present, twins otherwise. */
  models: string[];
  bench: {
    backends: BackendName[];
    batch: number[];
    iterations: number;
    warmup: number;
    /** Software WebGPU is hundreds of times slower than WASM: only these models run on *-webgpu backends. */
    webgpuModels: string[];
    webgpuIterations: number;
  };
  /** Datasets to evaluate when present; an absent one is named with the command that would verify it. */
  datasets: { dataset: string; models: string[]; split?: string; protocol?: string; limit?: number; allowSynthetic?: boolean; detectFaces?: boolean }[];
  /** Real images to run the real detector + emotion model on (the demo part of the job). */
  demo: { images: string[]; detector: string; model: string };
  tolerances: { accuracyPoints: number; latencyPercent: number };
  /** Where results, charts and the report go. */
  out: string;
}

const DEFAULTS: JobConfig = {
  models: [],
  bench: { backends: ['node-cpu'], batch: [1], iterations: 20, warmup: 3, webgpuModels: [], webgpuIterations: 3 },
  datasets: [],
  demo: { images: [], detector: 'blazeface', model: 'human-emotion' },
  tolerances: { accuracyPoints: 0.5, latencyPercent: 10 },
  out: 'results',
};

/** Reads and validates a config; every problem names the file and the field. */
export function loadJobConfig(path: string): JobConfig {
  const raw = readJsonFile<Partial<JobConfig>>(path);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new BadFileError(path, 'must hold a JSON object');
  const cfg: JobConfig = {
    ...DEFAULTS,
    ...raw,
    bench: { ...DEFAULTS.bench, ...(raw.bench ?? {}) },
    demo: { ...DEFAULTS.demo, ...(raw.demo ?? {}) },
    tolerances: { ...DEFAULTS.tolerances, ...(raw.tolerances ?? {}) },
  };
  const bad = (field: string, problem: string) => new BadFileError(path, `${field}: ${problem}`);
  if (!Array.isArray(cfg.models) || cfg.models.some((m) => typeof m !== 'string')) throw bad('models', 'must be a list of model ids or ONNX paths');
  for (const m of cfg.models) if (!m.endsWith('.onnx') && !hasModel(m)) throw bad('models', `unknown model "${m}"`);
  for (const b of cfg.bench.backends) if (!BACKEND_NAMES.includes(b)) throw bad('bench.backends', `unknown backend "${b}" (known: ${BACKEND_NAMES.join(', ')})`);
  for (const n of cfg.bench.batch) if (!Number.isInteger(n) || n < 1) throw bad('bench.batch', `batch sizes must be positive integers (got ${n})`);
  if (!Number.isInteger(cfg.bench.iterations) || cfg.bench.iterations < 1) throw bad('bench.iterations', 'must be a positive integer');
  for (const d of cfg.datasets) {
    if (typeof d.dataset !== 'string' || !d.dataset.includes(':')) throw bad('datasets', `"${d.dataset}" must look like KIND:PATH`);
    if (!Array.isArray(d.models) || d.models.length === 0) throw bad('datasets', `${d.dataset}: list the models to evaluate`);
  }
  if (!(cfg.tolerances.accuracyPoints >= 0) || !(cfg.tolerances.latencyPercent >= 0)) throw bad('tolerances', 'must be non-negative numbers');
  return cfg;
}

/** Expands ${VAR} and ${VAR:-default} in dataset paths, so a config can point at data outside the repo. */
export function expandEnv(s: string, env: NodeJS.ProcessEnv = process.env): string {
  return s.replace(/\$\{(\w+)(?::-([^}]*))?\}/g, (_, name: string, def?: string) => {
    const v = env[name];
    if (v !== undefined && v !== '') return v;
    if (def !== undefined) return def;
    throw new UserError(`the config refers to \${${name}}, which is not set`, { hint: `export ${name}=... or give a default as \${${name}:-path}` });
  });
}
