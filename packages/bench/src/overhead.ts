/**
 * Is the harness the bottleneck? Times the same model two ways in one process: the bench harness
 * (core's node-cpu Session inside the tinybench loop) and a bare onnxruntime-node `session.run` loop,
 * in short interleaved blocks so drift (thermal, other processes) hits both alike. Prints both pooled p50s
 * and two gaps: pooled (p50 vs p50) and paired (median over rounds of the per-round p50 ratio, which cancels
 * drift between rounds). Exits 1 when the paired gap exceeds 2%.
 *
 *   npm run bench:overhead -w packages/bench -- [--model enet_b0_8_best_afew] [--rounds 40] [--block 5] [--threads 1]
 */
import { parseArgs } from 'node:util';
import { getBackend, getModel, synthesizeTwin } from '@affectbench/core';
import { imageInputs } from './inputs.ts';
import { quantile, timeLoop } from './timing.ts';

const LIMIT = 0.02;

const p50 = (xs: readonly number[]) => quantile([...xs].sort((x, y) => x - y), 0.5);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'enet_b0_8_best_afew' },
      rounds: { type: 'string', default: '40' },
      block: { type: 'string', default: '5' },
      threads: { type: 'string', default: '1' },
    },
  });
  const record = getModel(values.model as string);
  const rounds = Number(values.rounds);
  const block = Number(values.block);
  const threads = Number(values.threads);
  const bytes = synthesizeTwin(record).bytes;
  const { feeds } = imageInputs(record, 1);

  const harness = await getBackend('node-cpu').createSession(bytes, { threads });
  const ort = await import('onnxruntime-node');
  const bare = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', intraOpNumThreads: threads });
  const input = feeds[record.input.name];
  const bareFeeds = { [record.input.name]: new ort.Tensor('float32', input.data, input.dims) };

  for (let i = 0; i < 5; i++) {
    await harness.run(feeds);
    await bare.run(bareFeeds);
  }
  const h: number[] = [];
  const b: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let hr: number[] = [];
    const br: number[] = [];
    // Alternate which goes first so neither always runs right after the other.
    for (const which of r % 2 === 0 ? ['h', 'b'] : ['b', 'h']) {
      if (which === 'h') hr = (await timeLoop(() => harness.run(feeds), { iterations: block, warmup: 0 })).samples;
      else {
        for (let i = 0; i < block; i++) {
          const t0 = performance.now();
          await bare.run(bareFeeds);
          br.push(performance.now() - t0);
        }
      }
    }
    h.push(...hr);
    b.push(...br);
    ratios.push(p50(hr) / p50(br));
  }
  await harness.release();
  await bare.release();

  const hp = p50(h);
  const bp = p50(b);
  const pooled = (hp - bp) / bp;
  const gap = p50(ratios) - 1;
  console.log(`model ${record.id} (architecture twin), node-cpu, ${threads} thread(s), ${rounds} interleaved rounds of ${block} runs each`);
  console.log(`harness p50 ${hp.toFixed(3)} ms  (n=${h.length})`);
  console.log(`bare    p50 ${bp.toFixed(3)} ms  (n=${b.length})`);
  console.log(`pooled gap ${(pooled * 100).toFixed(2)}%`);
  console.log(`paired gap ${(gap * 100).toFixed(2)}% (median of ${rounds} per-round p50 ratios; limit ${(LIMIT * 100).toFixed(0)}%): ${gap > LIMIT ? 'FAIL' : 'ok'}`);
  return gap > LIMIT ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
