import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import {
  BadFileError,
  type EvalResult,
  getBackend,
  gitCommit,
  hostInfo,
  type ModelRecord,
  Progress,
  type ResizeMode,
  resolveModel,
  runtimeVersions,
  UserError,
  type WeightsKind,
  withEmbeddingOutput,
  writeJsonAtomic,
} from '@affectbench/core';
import { type AbawMtlFrame, readAbawMtlSplit } from '../datasets/abaw-mtl.ts';
import { getDataset, loadManifest, parseDatasetSpec } from '../datasets/index.ts';
import type { ProtocolSpec, Sample } from '../datasets/types.ts';
import { ABAW_AUS, ABAW_EXPRESSIONS, ABAW_MISSING, type MtlScore, mtlScore } from '../metrics/abaw.ts';
import { computeClassification } from '../metrics/classification.ts';
import { PredictionWriter } from '../predictions.ts';
import { ABAW_MTL_HEADS, type MtlData, type MtlPredictions, predictMtl, trainMtlHeads } from '../protocols/mtl.ts';
import { type EmbeddingIndex, readEmbeddings } from './embed.ts';
import { type EvalOptions, type EvalRun, runId, runOutputs } from './evaluate.ts';
import { PrepareError, PreparePool } from './pool.ts';
import type { PreparedSample } from './preprocess.ts';

/** Seed of the head training when none is given: fixed, so two runs of the same command give the same P_MTL. */
export const MTL_DEFAULT_SEED = 0;

/** One validation frame of `<run>.frames.jsonl`: every label and prediction P_MTL is computed from. */
export interface MtlFrameRow {
  id: string;
  /** −5 / −1 where the annotation has none (ABAW's codes). */
  valenceTrue: number;
  arousalTrue: number;
  expressionTrue: number;
  auTrue: number[];
  valence: number;
  arousal: number;
  expression: number;
  /** Sigmoid outputs of the AU head, ABAW_AUS order (active at ≥ 0.5). */
  auProb: number[];
}

interface SplitFeatures {
  index: EmbeddingIndex;
  data: Float32Array;
  frames: AbawMtlFrame[];
  /** All rows came from an earlier run's finished file. */
  reused: boolean;
  /** Frames an interrupted earlier run had done (taken from its journal, not recomputed). */
  resumed: number;
}

interface Ctx {
  opts: EvalOptions;
  record: ModelRecord;
  resolved: ReturnType<typeof resolveModel>;
  kind: string;
  root: string;
  resize: ResizeMode;
}

const featureFiles = (outDir: string, base: string, split: string) => ({
  indexPath: join(outDir, `${base}.${split}.embeddings.json`),
  dataPath: join(outDir, `${base}.${split}.embeddings.f32`),
});

/** An earlier run's features are reused only for the same model file, preprocessing and frames, in the same order. */
function cached(indexPath: string, ctx: Ctx, frames: readonly AbawMtlFrame[]): { index: EmbeddingIndex; data: Float32Array } | null {
  if (!existsSync(indexPath)) return null;
  const { index, data } = readEmbeddings(indexPath);
  if (index.model.sha256 !== ctx.resolved.sha256 || index.preprocessing.resize !== ctx.resize || index.rows.length > frames.length) return null;
  // Frames that failed to decode are absent from the rows, so the rows must be the frames in order, minus some.
  let j = 0;
  for (const r of index.rows) {
    while (j < frames.length && frames[j].image !== r.id) j++;
    if (j === frames.length) return null;
    j++;
  }
  return { index, data };
}

/** Journal of an unfinished split: a header, then one line per frame done, in frame order (rows are in `.f32.partial`). */
interface JournalLine {
  id: string;
  /** Why the frame has no row. */
  skip?: string;
}

const partialFiles = (files: { indexPath: string; dataPath: string }) => ({ journal: `${files.indexPath}.partial.jsonl`, data: `${files.dataPath}.partial` });

/**
 * What an interrupted run left: the frames done (a prefix of `frames`) and the rows they wrote. A torn last line or
 * a half-written batch (rows beyond the journal) is cut off; anything inconsistent means starting over.
 */
function readJournal(files: { indexPath: string; dataPath: string }, frames: readonly AbawMtlFrame[], outputSize: number): { dim: number; done: JournalLine[]; rows: number } | null {
  const p = partialFiles(files);
  if (!existsSync(p.journal) || !existsSync(p.data)) return null;
  const lines = readFileSync(p.journal, 'utf8').split('\n');
  let header: { dim?: unknown };
  try {
    header = JSON.parse(lines[0]);
  } catch {
    return null;
  }
  const dim = header.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) return null;
  const done: JournalLine[] = [];
  for (const l of lines.slice(1)) {
    if (!l.trim()) continue;
    try {
      done.push(JSON.parse(l) as JournalLine);
    } catch {
      break;
    }
  }
  if (done.some((d, k) => frames[k]?.image !== d.id)) return null;
  const rows = done.filter((d) => d.skip === undefined).length;
  const bytes = rows * (dim + outputSize) * 4;
  if (statSync(p.data).size < bytes) return null;
  truncateSync(p.data, bytes);
  writeFileSync(p.journal, [JSON.stringify({ dim }), ...done.map((d) => JSON.stringify(d))].map((l) => `${l}\n`).join(''));
  return { dim, done, rows };
}

/**
 * Penultimate embedding ++ the model's raw outputs (the notebook's FEATURES_SCORES) of every frame, written in the
 * `affectbench embed` format (an .f32 file of rows + its JSON index) so a rerun, or any outside tool, reads them back.
 * The full training split is hours of inference on a CPU, so progress is journaled and an interrupted run resumes.
 */
async function computeFeatures(ctx: Ctx, split: string, frames: readonly AbawMtlFrame[], files: { indexPath: string; dataPath: string }, skipped: Record<string, number>): Promise<{ index: EmbeddingIndex; resumed: number }> {
  const { opts, record, resolved } = ctx;
  const partial = partialFiles(files);
  const earlier = readJournal(files, frames, record.outputs.size);
  if (!earlier) {
    rmSync(partial.journal, { force: true });
    rmSync(partial.data, { force: true });
  }
  const done: JournalLine[] = earlier ? [...earlier.done] : [];
  const resumed = done.length;
  let dim = earlier?.dim ?? 0;
  const withEmb = withEmbeddingOutput(readFileSync(resolved.path), { dim: record.architecture.embeddingDim, file: resolved.path });
  const backend = getBackend(opts.backend ?? 'node-cpu');
  const info = await backend.probe();
  if (!info.available) throw new UserError(`backend ${backend.name} is not available here: ${info.reason ?? 'no reason given'}`);
  const session = await backend.createSession(withEmb.bytes, { threads: opts.threads });
  const batch = record.input.dynamicBatch ? Math.max(1, opts.batch ?? 16) : 1;
  const pool = new PreparePool(record, { resize: ctx.resize, detectFaces: false }, opts.workers);
  const names = [withEmb.embeddingName, record.outputs.name];
  const dataFd = openSync(partial.data, 'a');
  const journalFd = openSync(partial.journal, 'a');
  const journal = (entries: readonly JournalLine[]) => {
    if (!entries.length) return;
    writeSync(journalFd, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    done.push(...entries);
  };
  const todo = frames.slice(done.length);
  const progress = new Progress(`MTL features ${record.id} on abaw-mtl:${split}`, frames.length, { enabled: opts.progress, unit: 'img' });
  if (done.length) progress.tick(done.length, `resumed ${done.length}`);
  const samples: Sample[] = todo.map((f) => ({ id: f.image, imagePath: f.imagePath, label: Math.max(0, f.expression) }));
  const window = Math.max(batch * 2, pool.size * 4, 8);
  const inflight: Promise<PreparedSample | PrepareError>[] = [];
  let next = 0;
  const fill = () => {
    while (next < samples.length && inflight.length < window) inflight.push(pool.prepare(samples[next++]).catch((e: unknown) => (e instanceof PrepareError ? e : Promise.reject(e))));
  };
  // Frames read but not yet in the journal; unreadable frames wait here until the header (which needs the width) is out.
  const pending: JournalLine[] = [];
  try {
    fill();
    let i = 0;
    while (i < samples.length) {
      const group: { frame: AbawMtlFrame; prep: PreparedSample }[] = [];
      while (i < samples.length && group.length < batch) {
        const p = await inflight.shift()!;
        const frame = todo[i++];
        fill();
        if (p instanceof PrepareError) {
          if (!p.userFacing) throw p;
          pending.push({ id: frame.image, skip: 'unreadable file' });
          continue;
        }
        pending.push({ id: frame.image });
        group.push({ frame, prep: p });
      }
      if (group.length) {
        const per = group[0].prep.data.length;
        const input = new Float32Array(per * group.length);
        for (const [j, g] of group.entries()) input.set(g.prep.data, j * per);
        const res = await runOutputs(session, record, input, group.length, batch, names);
        const e = res[withEmb.embeddingName];
        const o = res[record.outputs.name];
        if (dim === 0) {
          dim = e.width;
          writeSync(journalFd, `${JSON.stringify({ dim })}\n`);
        } else if (e.width !== dim) throw new Error(`embedding width ${e.width} differs from the ${dim} of the rows already written`);
        const block = new Float32Array(group.length * (e.width + o.width));
        for (let j = 0; j < group.length; j++) {
          block.set(e.data.subarray(j * e.width, (j + 1) * e.width), j * (e.width + o.width));
          block.set(o.data.subarray(j * o.width, (j + 1) * o.width), j * (e.width + o.width) + e.width);
        }
        // Rows first, journal second: a kill in between leaves rows the journal does not claim, which a resume cuts off.
        writeSync(dataFd, new Uint8Array(block.buffer));
      }
      if (dim > 0) {
        progress.tick(pending.length);
        journal(pending.splice(0));
      }
    }
    progress.finish();
  } finally {
    closeSync(dataFd);
    closeSync(journalFd);
    await Promise.allSettled(inflight);
    await pool.close();
    await session.release();
  }
  if (dim === 0) throw new UserError(`abaw-mtl ${split}: none of the ${frames.length} frames could be read (e.g. ${frames[0]?.imagePath})`);
  const byId = new Map(frames.map((f) => [f.image, f]));
  // label: the frame's expression, −1 when it has none (the MTL labels themselves come from the annotation file).
  const rows: EmbeddingIndex['rows'] = done.filter((d) => d.skip === undefined).map((d) => ({ id: d.id, label: byId.get(d.id)!.expression }));
  for (const d of done) if (d.skip !== undefined) skipped[d.skip] = (skipped[d.skip] ?? 0) + 1;
  const index: EmbeddingIndex = {
    kind: 'embeddings',
    schema: 1,
    model: { id: record.id, file: resolved.path, sha256: resolved.sha256, bytes: resolved.bytes, weights: resolved.weights },
    dataset: { kind: ctx.kind, path: ctx.root, split, layout: 'cropped-aligned', crop: 'pre-cropped', classes: ABAW_EXPRESSIONS, manifest: null, manifestSha256: null, skipped: { ...skipped } },
    preprocessing: { resize: ctx.resize, frameStride: 1 },
    embedding: { tensor: withEmb.embeddingName, dim },
    outputs: { name: record.outputs.name, size: record.outputs.size, classes: record.outputs.classes },
    rowFloats: dim + record.outputs.size,
    data: basename(files.dataPath),
    rows,
    provenance: { tool: { name: 'affectbench', version: '0.1.0' }, versions: runtimeVersions(), host: hostInfo(), date: new Date().toISOString(), git: gitCommit(), command: opts.command ?? process.argv.slice(2) },
  };
  renameSync(partial.data, files.dataPath);
  writeJsonAtomic(files.indexPath, index);
  rmSync(partial.journal, { force: true });
  return { index, resumed };
}

async function featuresFor(ctx: Ctx, split: 'train' | 'val', base: string): Promise<SplitFeatures & { skipped: Record<string, number>; annotationFile: string; total: number }> {
  const read = readAbawMtlSplit(ctx.root, split);
  const all = read.frames;
  const frames = ctx.opts.limit !== undefined ? all.slice(0, ctx.opts.limit) : all;
  const skipped = { ...read.skipped.counts };
  const files = featureFiles(ctx.opts.outDir, base, split);
  const hit = cached(files.indexPath, ctx, frames);
  let index: EmbeddingIndex;
  let data: Float32Array;
  let resumed = 0;
  if (hit) {
    ({ index, data } = hit);
    for (const [k, v] of Object.entries(index.dataset.skipped)) if (!(k in skipped)) skipped[k] = v;
  } else {
    if (frames.length === 0) throw new UserError(`${read.annotationFile}: no frame with an image under ${read.imagesDir}`);
    ({ resumed } = await computeFeatures(ctx, split, frames, files, skipped));
    ({ index, data } = readEmbeddings(files.indexPath));
  }
  const byId = new Map(frames.map((f) => [f.image, f]));
  return { index, data, frames: index.rows.map((r) => byId.get(r.id)!), reused: Boolean(hit), resumed, skipped, annotationFile: read.annotationFile, total: all.length + Object.values(read.skipped.counts).reduce((s, v) => s + v, 0) };
}

function mtlData(f: SplitFeatures): MtlData {
  const n = f.frames.length;
  const au = new Int8Array(n * ABAW_AUS.length);
  for (const [i, fr] of f.frames.entries()) au.set(fr.aus, i * ABAW_AUS.length);
  return {
    n,
    dim: f.index.rowFloats,
    features: f.data,
    valence: Float64Array.from(f.frames, (x) => x.valence),
    arousal: Float64Array.from(f.frames, (x) => x.arousal),
    expression: Int8Array.from(f.frames, (x) => x.expression),
    au,
  };
}

/**
 * The README cell a run fills: real weights, both splits whole, the protocol's own hyper-parameters. Anything else is
 * still a valid measurement, just not the table's.
 */
export function mtlPaperField(pMtl: number, run: { weights: WeightsKind; limited: boolean; protocolDefaults: boolean }): EvalResult['paper'] | undefined {
  if (run.weights !== 'real' || run.limited || !run.protocolDefaults) return undefined;
  return { column: 'mtl', value: Math.round(pMtl * 1e6) / 1e6 };
}

function frameRows(frames: readonly AbawMtlFrame[], p: MtlPredictions): MtlFrameRow[] {
  const k = ABAW_AUS.length;
  return frames.map((f, i) => ({
    id: f.image,
    valenceTrue: f.valence,
    arousalTrue: f.arousal,
    expressionTrue: f.expression,
    auTrue: f.aus,
    valence: p.valence[i],
    arousal: p.arousal[i],
    expression: p.expression[i],
    auProb: Array.from(p.auProb.subarray(i * k, (i + 1) * k)),
  }));
}

/** Reads `<run>.frames.jsonl` back (for re-scoring P_MTL with mtlScore). */
export function readMtlFrames(path: string): MtlFrameRow[] {
  if (!existsSync(path)) throw new BadFileError(path, 'no such file (an abaw-mtl-heads frames file)');
  const out: MtlFrameRow[] = [];
  for (const [i, line] of readFileSync(path, 'utf8').split('\n').entries()) {
    if (!line.trim()) continue;
    let row: MtlFrameRow;
    try {
      row = JSON.parse(line) as MtlFrameRow;
    } catch (err) {
      throw new BadFileError(path, `line ${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    if (typeof row.id !== 'string' || !Array.isArray(row.auTrue) || !Array.isArray(row.auProb)) throw new BadFileError(path, `line ${i + 1}: not an MTL frame row (needs id, auTrue, auProb)`);
    out.push(row);
  }
  return out;
}

/**
 * The README's MTL column (hsemotion-protocols §4.2 and addendum 1): features of every training and validation frame
 * (cached beside the result), ABAW-4 heads trained on the training frames with a fixed seed, P_MTL on validation.
 * Like the notebook, each head keeps the epoch with its best validation metric, so validation also selects the epoch.
 */
export async function evaluateMtlHeads(opts: EvalOptions, spec: ProtocolSpec): Promise<EvalRun> {
  const { kind, path } = parseDatasetSpec(opts.dataset);
  const resolved = resolveModel(opts.model);
  const record = resolved.record;
  if (!record) throw new UserError(`${opts.model}: no registry record describes this model file`);
  if (resolved.weights === 'synthetic' && !opts.allowSynthetic) {
    throw new UserError(`${resolved.path} has synthetic weights (an architecture twin): its features mean nothing`, { hint: 'pass --allow-synthetic to run it anyway (the result is marked weights=synthetic)' });
  }
  const split = opts.split ?? getDataset(kind).defaultSplit;
  if (split !== 'val') throw new UserError(`${spec.name} trains its heads on the train split and scores val (got --split ${split})`);
  if (opts.shard) throw new UserError(`${spec.name} cannot be sharded (the heads are trained on the whole train split)`);
  const resize = opts.resize ?? record.normalisation.resize;
  const seed = opts.mtlSeed ?? MTL_DEFAULT_SEED;
  const d = ABAW_MTL_HEADS.defaults;
  const epochs = opts.mtlEpochs ?? d.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) throw new UserError(`MTL epochs must be a positive integer (got ${epochs})`);
  mkdirSync(opts.outDir, { recursive: true });
  const ctx: Ctx = { opts, record, resolved, kind, root: path, resize };
  const featBase = runId(record.id, { kind, split: 'train+val' }, 'features', resize, opts.limit, undefined, { model: resolved.sha256, data: resolve(path) });
  const train = await featuresFor(ctx, 'train', featBase);
  const val = await featuresFor(ctx, 'val', featBase);

  const cell = ABAW_MTL_HEADS.cells.find((c) => c.model === record.id);
  const vaSlice: [number, number] | undefined = cell && 'vaSlice' in cell ? [cell.vaSlice[0], cell.vaSlice[1]] : undefined;
  const progress = new Progress(`train MTL heads (seed ${seed})`, epochs, { enabled: opts.progress, unit: 'epochs' });
  const trained = trainMtlHeads(mtlData(train), mtlData(val), { seed, epochs, vaSlice, onEpoch: () => progress.tick(1) });
  progress.finish();
  const pred = predictMtl(trained.heads, mtlData(val));

  const variant = [seed !== MTL_DEFAULT_SEED ? `seed${seed}` : '', epochs !== d.epochs ? `e${epochs}` : ''].filter(Boolean).join('.');
  const base = runId(record.id, { kind, split }, spec.name, resize, opts.limit, undefined, { model: resolved.sha256, data: resolve(path) }) + (variant ? `.${variant}` : '');
  const resultPath = join(opts.outDir, `${base}.json`);
  const predictionsPath = join(opts.outDir, `${base}.predictions.jsonl`);
  const framesPath = join(opts.outDir, `${base}.frames.jsonl`);

  // Every validation frame, with all four tasks: what P_MTL is computed from.
  const rows = frameRows(val.frames, pred);
  // Scored from exactly what is saved, so anyone can recompute it from the frames file.
  const score: MtlScore = mtlScore({
    valenceTrue: rows.map((r) => r.valenceTrue),
    arousalTrue: rows.map((r) => r.arousalTrue),
    valence: rows.map((r) => r.valence),
    arousal: rows.map((r) => r.arousal),
    expressionTrue: rows.map((r) => r.expressionTrue),
    expression: rows.map((r) => r.expression),
    auTrue: rows.flatMap((r) => r.auTrue),
    auProb: rows.flatMap((r) => r.auProb),
  });
  writeFileSync(`${framesPath}.tmp`, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  renameSync(`${framesPath}.tmp`, framesPath);
  // The expression-labelled frames in the `score` format, so `affectbench score` reads this run like any other.
  rmSync(predictionsPath, { force: true });
  const w = new PredictionWriter(predictionsPath);
  const eLabels: number[] = [];
  const ePreds: number[] = [];
  for (const r of rows) {
    if (r.expressionTrue === ABAW_MISSING.expression) continue;
    eLabels.push(r.expressionTrue);
    ePreds.push(r.expression);
    w.append({
      id: r.id,
      label: r.expressionTrue,
      labelName: ABAW_EXPRESSIONS[r.expressionTrue],
      pred: r.expression,
      valence: r.valence,
      arousal: r.arousal,
      ...(r.valenceTrue !== ABAW_MISSING.va ? { valenceTrue: r.valenceTrue } : {}),
      ...(r.arousalTrue !== ABAW_MISSING.va ? { arousalTrue: r.arousalTrue } : {}),
    });
  }
  w.close();

  const classification = computeClassification({ labels: eLabels, preds: ePreds, numClasses: ABAW_EXPRESSIONS.length, classNames: ABAW_EXPRESSIONS, averageLabels: ABAW_EXPRESSIONS.map((_, i) => i) });
  const synthetic = resolved.weights === 'synthetic';
  const paper = mtlPaperField(score.pMtl, { weights: resolved.weights, limited: opts.limit !== undefined, protocolDefaults: epochs === d.epochs });
  const info = await getBackend(opts.backend ?? 'node-cpu').probe();
  const manifestId = getDataset(kind).manifestFor('cropped-aligned');
  const manifest = manifestId ? loadManifest(manifestId) : null;
  const result: EvalResult = {
    kind: 'eval',
    schema: 1,
    model: val.index.model,
    dataset: {
      kind,
      path: resolve(path),
      split,
      manifest: manifest?.manifest.id ?? null,
      manifestSha256: manifest?.sha256 ?? null,
      protocol: spec.name,
      crop: 'pre-cropped',
      counts: { total: val.total, scored: rows.length, skipped: val.skipped },
    },
    backend: { name: info.name, details: info.details },
    preprocessing: {
      resize,
      features: {
        what: 'penultimate embedding ++ raw model outputs per frame',
        embedding: val.index.embedding,
        dim: val.index.rowFloats,
        train: { file: relative(opts.outDir, featureFiles(opts.outDir, featBase, 'train').indexPath), frames: train.frames.length, skipped: train.skipped, reused: train.reused, resumed: train.resumed },
        val: { file: relative(opts.outDir, featureFiles(opts.outDir, featBase, 'val').indexPath), frames: val.frames.length, reused: val.reused, resumed: val.resumed },
      },
    },
    metrics: {
      ...classification,
      ccc: { valence: score.cccValence, arousal: score.cccArousal },
      pMtl: score.pMtl,
      cccValence: score.cccValence,
      cccArousal: score.cccArousal,
      vaMeanCcc: score.va,
      expressionMacroF1: score.expression,
      auMeanF1: score.au,
      auF1: Object.fromEntries(ABAW_AUS.map((a, k) => [a, score.auF1[k]])),
      labelledFrames: score.counts,
      training: {
        zeroShot: false,
        what: 'heads trained on the train split (not a zero-shot score): EXPR Dense(8,softmax), VA Dense(2,tanh) on a feature slice, AU Dense(128,relu)→Dense(12,sigmoid)',
        seed,
        epochs,
        batchSize: d.batchSize,
        learningRate: d.learningRate,
        auHidden: d.auHidden,
        vaSlice: trained.heads.vaSlice,
        selection: 'each head keeps the epoch with its best validation metric (as the notebook did)',
        bestEpoch: trained.bestEpoch,
        history: trained.history,
        trainFrames: train.frames.length,
      },
      frames: relative(opts.outDir, framesPath),
      ...(cell ? { paperCell: cell } : {}),
      ...(synthetic ? { warning: 'synthetic weights (architecture twin): these numbers mean nothing' } : {}),
      protocolClasses: [...ABAW_EXPRESSIONS],
    },
    ...(paper ? { paper } : {}),
    predictions: relative(opts.outDir, predictionsPath),
    provenance: { tool: { name: 'affectbench', version: '0.1.0' }, versions: runtimeVersions(), host: hostInfo(), date: new Date().toISOString(), git: gitCommit(), command: opts.command ?? process.argv.slice(2) },
  };
  writeJsonAtomic(resultPath, result);
  return { result, resultPath, predictionsPath, resumed: train.resumed + val.resumed, complete: true };
}
