import type { BackendInfo, BackendName } from './backends/types.ts';
import type { HostInfo } from './provenance.ts';
import type { PaperFigures } from './registry/types.ts';

/**
 * The result files under results/. Eval and bench write them; report and check read them.
 * Every number carries enough provenance to be repeated: model file hash and weights kind,
 * dataset manifest hash, backend, versions, host, date, commit.
 */

export type WeightsKind = 'real' | 'synthetic';

export interface ModelProvenance {
  /** Registry id, or null for an unregistered file. */
  id: string | null;
  /** Path as given (informational; machines differ). */
  file: string | null;
  sha256: string;
  bytes: number;
  /** 'synthetic' = architecture twin: valid for latency, never for accuracy. */
  weights: WeightsKind;
}

export interface RunProvenance {
  tool: { name: 'affectbench'; version: string };
  versions: Record<string, string | null>;
  host: HostInfo;
  /** ISO 8601. */
  date: string;
  git: { commit: string; dirty: boolean } | null;
  /** argv of the command that produced the file. */
  command: readonly string[];
}

export interface PerClassMetrics {
  label: number;
  name?: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Fractions in [0,1]. */
export interface ClassificationMetrics {
  n: number;
  accuracy: number;
  macroF1: number;
  uar: number;
  perClass: PerClassMetrics[];
  /** rows = true class, columns = predicted class. */
  confusionMatrix: number[][];
  /** 95% bootstrap intervals, seeded. */
  ci95?: Partial<Record<'accuracy' | 'macroF1' | 'uar', [number, number]>>;
  ccc?: { valence?: number; arousal?: number };
}

/** Which column of the HSEmotion table a result fills. */
export type PaperColumn = Exclude<keyof PaperFigures, 'mobileMs' | 'sizeMB'>;

export interface EvalResult {
  kind: 'eval';
  schema: 1;
  model: ModelProvenance;
  dataset: {
    kind: string;
    path: string;
    split: string;
    /** Dataset manifest id and sha256 of its canonical JSON, when one describes this dataset. */
    manifest: string | null;
    manifestSha256: string | null;
    /** e.g. 'affectnet-8', 'affectnet-7', 'affectnet-7-march2021-notebook', 'afew-svm-stats', 'lsd-6'. */
    protocol: string;
    crop?: string;
    counts: { total: number; scored: number; skipped: Record<string, number> };
  };
  backend: { name: BackendName; details: BackendInfo['details'] };
  preprocessing: { resize: string; [k: string]: unknown };
  metrics: ClassificationMetrics & { [k: string]: unknown };
  /** The table column this result fills and the value in the table's unit (percent, or P_MTL). */
  paper?: { column: PaperColumn; value: number };
  /** Per-sample predictions (JSONL, the `score` format), relative to the result file. */
  predictions: string;
  provenance: RunProvenance;
}

export interface LatencyStats {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  min: number;
  max: number;
  sd: number;
  /** Relative margin of error, percent. */
  rme: number;
  samples: number;
}

export interface BenchRow {
  model: ModelProvenance;
  backend: BackendName;
  available: boolean;
  reason?: string;
  /** Backend details: EP, threads, SIMD, WebGPU adapter (vendor/architecture/description), browser version. */
  details: Record<string, unknown>;
  batch: number;
  threads?: number;
  sessionCreateMs?: number;
  firstRunMs?: number;
  /** Warm latency per batch, ms. Timing span: session.run only (forward), like the paper's app. */
  latencyMs?: LatencyStats;
  /** Images per second (batch / mean latency). */
  throughput?: number;
  peakRssMB?: number;
}

export interface BenchResult {
  kind: 'bench';
  schema: 1;
  rows: BenchRow[];
  provenance: RunProvenance;
}

export type ResultFile = EvalResult | BenchResult;
