import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type BackendName, type BenchResult, type EvalResult, Progress, UserError, writeJsonAtomic } from '@affectbench/core';
import { type BenchModel, type BenchRowWithSamples, benchModels, calibrationModel, runBench } from '@affectbench/bench';
import { evaluate, parseDatasetSpec } from '@affectbench/eval';
import { appendHistory, writeReport } from '@affectbench/report';
import { expandEnv, type JobConfig } from './config.ts';
import { type DemoResult, runDemo } from './demo.ts';

export interface JobSummary {
  demo: { path: string; faces: number; images: number } | null;
  bench: { path: string; rows: number; unavailable: { backend: BackendName; reason: string }[] }[];
  eval: { dataset: string; model: string; path: string; accuracy: number; n: number }[];
  absentDatasets: { dataset: string; verify: string }[];
  report: { markdown: string; html: string; charts: number };
}

const WEBGPU: ReadonlySet<BackendName> = new Set(['node-webgpu', 'browser-webgpu']);

/**
 * `affectbench run`: everything in one go, in the order data flows: real models on real photos, latency on every
 * configured backend, accuracy on the datasets that are present, then the report and the history line.
 */
export async function runJob(cfg: JobConfig, opts: { command: readonly string[]; log: (line: string) => void }): Promise<JobSummary> {
  const { log } = opts;
  const out = cfg.out;
  const summary: JobSummary = { demo: null, bench: [], eval: [], absentDatasets: [], report: { markdown: '', html: '', charts: 0 } };

  if (cfg.demo.images.length > 0) {
    log(`demo: ${cfg.demo.model} + ${cfg.demo.detector} on ${cfg.demo.images.length} image(s)`);
    const { result, path } = await runDemo(cfg.demo, out);
    summary.demo = { path, images: result.images.length, faces: result.images.reduce((n, i) => n + i.faces.length, 0) };
    log(demoLine(result));
  }

  // Software WebGPU is far too slow for full models in a few-minute job: those backends get their own short plan.
  const plainBackends = cfg.bench.backends.filter((b) => !WEBGPU.has(b));
  const webgpuBackends = cfg.bench.backends.filter((b) => WEBGPU.has(b));
  const models = benchModels(cfg.models);
  const calibration = calibrationModel();
  const plans: { name: string; models: BenchModel[]; backends: BackendName[]; iterations: number }[] = [
    { name: 'bench', models: [calibration, ...models], backends: plainBackends, iterations: cfg.bench.iterations },
  ];
  if (webgpuBackends.length > 0 && cfg.bench.webgpuModels.length > 0) {
    plans.push({ name: 'bench-webgpu', models: [calibration, ...benchModels(cfg.bench.webgpuModels)], backends: webgpuBackends, iterations: cfg.bench.webgpuIterations });
  }
  for (const plan of plans) {
    if (plan.backends.length === 0) continue;
    let progress: Progress | null = null;
    const result = await runBench({
      models: plan.models,
      backends: plan.backends,
      batches: cfg.bench.batch,
      threads: [],
      loop: { iterations: plan.iterations, warmup: cfg.bench.warmup },
      command: opts.command,
      onRow: (e) => {
        progress ??= new Progress(plan.name, e.total, { unit: 'rows' });
        if (e.phase === 'end') progress.tick(1, `${e.model} ${e.backend} b=${e.batch}`);
      },
    });
    (progress as Progress | null)?.finish();
    const path = join(out, 'bench', `${plan.name}-${stamp(result)}.json`);
    writeJsonAtomic(path, result);
    appendHistory(result, join(out, 'history.jsonl'));
    const unavailable = unavailableBackends(result.rows);
    summary.bench.push({ path, rows: result.rows.length, unavailable });
    log(`${plan.name}: ${result.rows.filter((r) => r.available).length} rows measured → ${path}`);
    for (const u of unavailable) log(`  ${u.backend} unavailable: ${u.reason}`);
  }

  for (const d of cfg.datasets) {
    const spec = expandEnv(d.dataset);
    const { kind, path } = parseDatasetSpec(spec);
    if (!existsSync(path)) {
      // Several entries may name one dataset (one per protocol): report it once.
      if (!summary.absentDatasets.some((a) => a.dataset === spec)) {
        const verify = `affectbench datasets verify --dataset ${kind}:${path}`;
        summary.absentDatasets.push({ dataset: spec, verify });
        log(`eval: ${spec} is not present here; once it is, check it with: ${verify}`);
      }
      continue;
    }
    for (const model of d.models) {
      log(`eval: ${model} on ${spec}`);
      const run = await evaluate({
        model,
        dataset: spec,
        split: d.split,
        protocol: d.protocol,
        limit: d.limit,
        allowSynthetic: d.allowSynthetic,
        detectFaces: d.detectFaces,
        outDir: join(out, 'eval'),
        command: opts.command,
      });
      appendHistory(run.result, join(out, 'history.jsonl'));
      summary.eval.push({ dataset: spec, model, path: run.resultPath, accuracy: run.result.metrics.accuracy, n: run.result.metrics.n });
      log(`  accuracy ${(run.result.metrics.accuracy * 100).toFixed(2)}% on ${run.result.metrics.n} samples → ${run.resultPath}`);
    }
  }

  log('report: tables, charts and page');
  const report = await writeReport({ results: out });
  summary.report = { markdown: join(out, 'README.md'), html: join(out, 'index.html'), charts: report.charts.length };
  return summary;
}

function stamp(r: BenchResult | EvalResult): string {
  return r.provenance.date.slice(0, 19).replace(/:/g, '-');
}

function unavailableBackends(rows: readonly BenchRowWithSamples[]): { backend: BackendName; reason: string }[] {
  const seen = new Map<BackendName, string>();
  for (const r of rows) if (!r.available && !seen.has(r.backend)) seen.set(r.backend, r.reason ?? 'unknown');
  return [...seen].map(([backend, reason]) => ({ backend, reason }));
}

function demoLine(d: DemoResult): string {
  return d.images
    .map((i) => {
      const counts = new Map<string, number>();
      for (const f of i.faces) counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
      const labels = [...counts].map(([l, n]) => `${n} ${l}`).join(', ');
      return `  ${i.file}: ${i.faces.length} face(s)${labels ? ` (${labels})` : ''}`;
    })
    .join('\n');
}

export function requireConfig(path: string): void {
  if (!existsSync(path)) throw new UserError(`no config at ${path}`, { hint: 'pass --config FILE, or run from the affectbench checkout (it ships affectbench.config.json)' });
}
