import { BACKEND_NAMES, type BackendName, type HostInfo, listModels, type WeightsKind } from '@affectbench/core';
import { dateOf, fmt, mdTable, modelLabel, ms } from './columns.ts';
import type { LoadedResults } from './load.ts';
import { adapterLabel } from './paper-table.ts';

/** Model id of the fixed small graph every bench run times on node-cpu, as a yardstick for the machine's speed. */
export const CALIBRATION_ID = 'calibration';

export interface BackendRow {
  model: string;
  weights: WeightsKind;
  backend: BackendName;
  batch: number;
  /** Intra-op / WASM threads when the run set them; rows differing only in threads are kept apart. */
  threads: number | null;
  available: boolean;
  reason?: string;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  rme: number | null;
  throughput: number | null;
  /** node-cpu p50 ÷ this p50, same model, weights and batch; >1 = faster than node-cpu. */
  speedup: number | null;
  /** GPU / WebGPU adapter in words (a software adapter says so), null for CPU backends. */
  adapter: string | null;
  host: string;
  /** CPU model and core count of the machine that ran it (hostnames of VMs are often alike). */
  machine: string;
  date: string;
  file: string;
}

/** Table order: registry order, then other models, the calibration graph last; backends in their canonical order. */
function modelRank(model: string): number {
  if (model === CALIBRATION_ID) return 1e6;
  const i = listModels().findIndex((m) => m.id === model);
  return i < 0 ? 1e5 : i;
}

/** Newest row per (model, weights, backend, batch, threads, machine) across all bench results: machines are never mixed. */
export function buildBackendTable(results: LoadedResults): BackendRow[] {
  const best = new Map<string, { row: BackendRow; t: number }>();
  for (const { file, result } of results.benches) {
    const t = dateOf(result);
    const machine = `${result.provenance.host.cpu}, ${result.provenance.host.cores} cores`;
    for (const r of result.rows) {
      const model = modelLabel(r.model);
      const key = `${model}|${r.model.weights}|${r.backend}|${r.batch}|${r.threads ?? ''}|${machine}|${adapterLabel(r.details) ?? ''}`;
      const prev = best.get(key);
      if (prev && prev.t >= t) continue;
      best.set(key, {
        t,
        row: {
          model,
          weights: r.model.weights,
          backend: r.backend,
          batch: r.batch,
          threads: r.threads ?? null,
          available: r.available && !!r.latencyMs,
          ...(r.reason ? { reason: r.reason } : {}),
          p50: r.latencyMs?.p50 ?? null,
          p90: r.latencyMs?.p90 ?? null,
          p99: r.latencyMs?.p99 ?? null,
          rme: r.latencyMs?.rme ?? null,
          throughput: r.throughput ?? (r.latencyMs ? (r.batch * 1000) / r.latencyMs.mean : null),
          speedup: null,
          adapter: adapterLabel(r.details),
          host: result.provenance.host.hostname,
          machine,
          date: result.provenance.date,
          file,
        },
      });
    }
  }
  const rows = [...best.values()].map((b) => b.row);
  for (const row of rows) {
    // Reference: node-cpu on the same machine with the same threads, else its fastest node-cpu row of the same model, weights and batch.
    const cpu = rows
      .filter((o) => o.backend === 'node-cpu' && o.machine === row.machine && o.model === row.model && o.weights === row.weights && o.batch === row.batch && o.p50)
      .sort((a, b) => Number(b.threads === row.threads) - Number(a.threads === row.threads) || (a.p50 as number) - (b.p50 as number))[0];
    if (cpu?.p50 && row.p50) row.speedup = cpu.p50 / row.p50;
  }
  return rows.sort(
    (a, b) =>
      modelRank(a.model) - modelRank(b.model) ||
      a.model.localeCompare(b.model) ||
      BACKEND_NAMES.indexOf(a.backend) - BACKEND_NAMES.indexOf(b.backend) ||
      a.batch - b.batch ||
      (a.threads ?? 0) - (b.threads ?? 0) ||
      a.weights.localeCompare(b.weights),
  );
}

export function backendTableMarkdown(rows: readonly BackendRow[]): string {
  if (rows.length === 0) return '_No bench results._';
  return [
    mdTable(
      ['Model', 'Weights', 'Backend', 'Batch', 'Threads', 'p50 ms', 'p90 ms', 'p99 ms', '± rme %', 'img/s', 'vs node-cpu', 'Adapter / device', 'Run'],
      rows.map((r) =>
        r.available
          ? [r.model, r.weights, r.backend, String(r.batch), r.threads === null ? '–' : String(r.threads), ms(r.p50), ms(r.p90), ms(r.p99), fmt(r.rme, 1), fmt(r.throughput, 1), r.backend === 'node-cpu' ? 'ref' : r.speedup === null ? '–' : `${r.speedup.toFixed(2)}×`, r.adapter ?? 'CPU', `${r.machine}, ${r.date.slice(0, 10)}`]
          : [r.model, r.weights, r.backend, String(r.batch), '', 'unavailable', '', '', '', '', '', r.reason ?? '', `${r.machine}, ${r.date.slice(0, 10)}`],
      ),
    ),
    '',
    'Latency per batch, warm, forward only (session.run). "synthetic" = architecture twin: its latency is valid, its outputs are not. Speed-up = node-cpu p50 / this p50 for the same model, weights and batch.',
  ].join('\n');
}

export interface EnvironmentEntry {
  host: HostInfo;
  runs: number;
  kinds: ('eval' | 'bench')[];
  versions: Record<string, string | null>;
  commits: string[];
  first: string;
  last: string;
  /** The calibration graph's node-cpu batch-1 timing of the newest bench run on this host: the machine's speed and noise. */
  calibration: { p50: number; rme: number; sd: number } | null;
}

export function buildEnvironment(results: LoadedResults): EnvironmentEntry[] {
  const byHost = new Map<string, EnvironmentEntry & { newestBench: number }>();
  const all = [...results.evals, ...results.benches];
  for (const { result } of all.sort((a, b) => dateOf(a.result) - dateOf(b.result))) {
    const p = result.provenance;
    const key = `${p.host.hostname}|${p.host.cpu}|${p.host.os}`;
    let e = byHost.get(key);
    if (!e) {
      e = { host: p.host, runs: 0, kinds: [], versions: {}, commits: [], first: p.date, last: p.date, calibration: null, newestBench: -Infinity };
      byHost.set(key, e);
    }
    e.runs++;
    if (!e.kinds.includes(result.kind)) e.kinds.push(result.kind);
    Object.assign(e.versions, p.versions);
    const commit = p.git ? `${p.git.commit.slice(0, 10)}${p.git.dirty ? ' (dirty)' : ''}` : 'no git';
    if (!e.commits.includes(commit)) e.commits.push(commit);
    e.last = p.date;
    if (result.kind === 'bench') {
      const cal = result.rows.find((r) => r.model.id === CALIBRATION_ID && r.backend === 'node-cpu' && r.latencyMs);
      if (cal?.latencyMs && dateOf(result) >= e.newestBench) {
        e.newestBench = dateOf(result);
        e.calibration = { p50: cal.latencyMs.p50, rme: cal.latencyMs.rme, sd: cal.latencyMs.sd };
      }
    }
  }
  return [...byHost.values()].map(({ newestBench: _, ...e }) => e);
}

export function environmentMarkdown(env: readonly EnvironmentEntry[]): string {
  if (env.length === 0) return '_No result files._';
  return env
    .map((e) => {
      const v = Object.entries(e.versions)
        .filter(([, x]) => x)
        .map(([k, x]) => `${k} ${x}`)
        .join(', ');
      const cal = e.calibration
        ? `calibration graph p50 ${ms(e.calibration.p50)} ms (sd ${ms(e.calibration.sd)} ms, rme ±${fmt(e.calibration.rme, 1)}%)`
        : 'no calibration row';
      return [
        `- **${e.host.hostname}**: ${e.host.cpu}, ${e.host.cores} cores, ${e.host.memoryGiB} GiB, ${e.host.os} ${e.host.arch}, Node ${e.host.node}`,
        `  - ${e.runs} run(s) (${e.kinds.join(', ')}), ${e.first} … ${e.last}; commits ${e.commits.join(', ')}`,
        `  - ${v}`,
        `  - ${cal}`,
      ].join('\n');
    })
    .join('\n');
}
