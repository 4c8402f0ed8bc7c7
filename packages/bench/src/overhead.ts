/**
 * Is the harness the bottleneck? Times the same model two ways in one process: the bench harness
 * (core's node-cpu Session inside the tinybench loop) and a bare onnxruntime-node `session.run` loop,
 * in interleaved blocks so drift (thermal, other processes) hits both alike. Prints both p50s and the
 * relative gap; exits 1 when the harness p50 is more than 2% above the bare one.
 *
 *   npm run bench:overhead -w packages/bench -- [--model enet_b0_8_best_afew] [--rounds 10] [--block 20] [--threads 1]
 */
import { parseArgs } from 'node:util';
import { getBackend, getModel, synthesizeTwin } from '@affectbench/core';
import { imageInputs } from './inputs.ts';
import { quantile, timeLoop } from './timing.ts';

const LIMIT = 0.02;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'enet_b0_8_best_afew' },
      rounds: { type: 'string', default: '10' },
      block: { type: 'string', default: '20' },
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
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first so neither always runs right after the other's cache state.
    const order = r % 2 === 0 ? ['h', 'b'] : ['b', 'h'];
    for (const which of order) {
      if (which === 'h') h.push(...(await timeLoop(() => harness.run(feeds), { iterations: block, warmup: 0 })).samples);
      else {
        for (let i = 0; i < block; i++) {
          const t0 = performance.now();
          await bare.run(bareFeeds);
          b.push(performance.now() - t0);
        }
      }
    }
  }
  await harness.release();
  await bare.release();

  const p50 = (xs: number[]) => quantile([...xs].sort((x, y) => x - y), 0.5);
  const hp = p50(h);
  const bp = p50(b);
  const gap = (hp - bp) / bp;
  console.log(`model ${record.id} (architecture twin), node-cpu, ${threads} thread(s), ${rounds} interleaved rounds of ${block} runs each`);
  console.log(`harness p50 ${hp.toFixed(3)} ms  (n=${h.length})`);
  console.log(`bare    p50 ${bp.toFixed(3)} ms  (n=${b.length})`);
  console.log(`gap ${(gap * 100).toFixed(2)}% (limit ${(LIMIT * 100).toFixed(0)}%): ${gap > LIMIT ? 'FAIL' : 'ok'}`);
  return gap > LIMIT ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
