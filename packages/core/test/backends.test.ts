import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  BACKEND_NAMES,
  GraphBuilder,
  SWIFTSHADER_ICD,
  type TensorData,
  UserError,
  getBackend,
  getModel,
  splitOutputs,
  synthesizeTwin,
  hasBackend,
  listBackends,
  nodeCpu,
  nodeCuda,
  nodeWasm,
  nodeWebgpu,
  probeAll,
  registerBackend,
} from '@affectbench/core';

/** Conv 3x3 → Relu → GlobalAveragePool → Flatten → Gemm: the op mix of the twins' stem and head, at toy size. */
function smallConvNet(): Uint8Array {
  let salt = 0;
  const rnd = (n: number) => {
    salt += 1;
    return Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + salt * 78.233) / 2);
  };
  const g = new GraphBuilder('small');
  const x = g.input('input', ['batch', 3, 8, 8]);
  const conv = g.op('Conv', [x, g.weight('w', [4, 3, 3, 3], rnd(108)), g.weight('b', [4], rnd(4))], { pads: [1, 1, 1, 1] }, 'conv_out');
  const relu = g.op('Relu', [conv], {}, 'relu_out');
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [relu])], { axis: 1 }, 'embedding');
  g.output(g.op('Gemm', [pooled, g.weight('fc', [2, 4], rnd(8)), g.weight('fcb', [2], rnd(2))], { transB: 1 }, 'output'), ['batch', 2]);
  return g.toBytes();
}

/** Conv, then a Reshape whose target shape is computed from the tensor (Shape→Gather→Concat, int64 ops onnxruntime keeps on the CPU). */
function dynamicReshapeNet(): Uint8Array {
  const g = new GraphBuilder('dyn');
  const x = g.input('input', ['batch', 3, 8, 8]);
  const conv = g.op('Conv', [x, g.weight('w', [2, 3, 3, 3], Float32Array.from({ length: 54 }, (_, i) => ((i % 9) - 4) / 8))], { pads: [1, 1, 1, 1] });
  const batch = g.op('Gather', [g.op('Shape', [conv]), g.int64('zero', [0])], { axis: 0 });
  const shape = g.op('Concat', [batch, g.int64('rest', [-1])], { axis: 0 });
  g.output(g.op('Reshape', [conv, shape], {}, 'output'), ['batch', 128]);
  return g.toBytes({ opset: 11 });
}

const input = (n = 2): Record<string, TensorData> => ({ input: { data: Float32Array.from({ length: n * 3 * 64 }, (_, i) => Math.sin(i)), dims: [n, 3, 8, 8] } });

let dir: string;
let modelPath: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ab-backends-'));
  modelPath = join(dir, 'small.onnx');
  writeFileSync(modelPath, smallConvNet());
});
after(() => rmSync(dir, { recursive: true, force: true }));

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe('registry', () => {
  test('the four node backends are registered by name, in canonical order', () => {
    assert.deepEqual(listBackends().map((b) => b.name).filter((n) => n.startsWith('node-')), ['node-cpu', 'node-cuda', 'node-webgpu', 'node-wasm']);
    assert.equal(getBackend('node-cpu'), nodeCpu);
    assert.ok(hasBackend('node-wasm'));
  });
  test('unknown names and double registration are refused', () => {
    assert.throws(() => getBackend('node-tpu'), (e: unknown) => e instanceof UserError && /unknown backend/.test(e.message));
    assert.throws(() => registerBackend(nodeCpu), /already registered/);
    if (!hasBackend('browser-wasm')) assert.throws(() => getBackend('browser-wasm'), (e: unknown) => e instanceof UserError && /@affectbench\/bench/.test(e.hint ?? ''));
  });
});

describe('node-cpu and node-wasm', () => {
  test('probing node-wasm leaves the thread count of this process open (the probe runs in a worker)', async () => {
    const info = await nodeWasm.probe();
    assert.equal(info.available, true, info.reason);
    assert.equal(info.details.probedIn, 'worker thread');
  });

  test('agree to 1e-4 on a small conv net, with names, dims and an extra output', async () => {
    const cpu = await nodeCpu.createSession(modelPath, { threads: 1, extraOutputs: ['embedding'] });
    // 2 threads, not the default here (1 on a 2-core machine): this also proves the probe above fixed nothing.
    const wasm = await nodeWasm.createSession(smallConvNet(), { threads: 2, extraOutputs: ['embedding'] });
    try {
      for (const s of [cpu, wasm]) {
        assert.deepEqual(s.inputNames, ['input']);
        assert.deepEqual(s.outputNames, ['output', 'embedding']);
      }
      const a = await cpu.run(input());
      const b = await wasm.run(input());
      assert.deepEqual(a.output.dims, [2, 2]);
      assert.deepEqual(a.embedding.dims, [2, 4]);
      assert.ok(a.output.data instanceof Float32Array);
      assert.ok(maxAbsDiff(a.output.data, b.output.data) < 1e-4);
      assert.ok(maxAbsDiff(a.embedding.data, b.embedding.data) < 1e-4);
      // The embedding is a ReLU average: non-negative, and not all zero (the graph really ran).
      assert.ok(a.embedding.data.every((v) => v >= 0) && a.embedding.data.some((v) => v > 0));
      assert.equal(cpu.details?.intraOpNumThreads, 1);
      assert.equal(wasm.details?.threads, 2);
    } finally {
      await cpu.release();
      await wasm.release();
    }
  });

  test('node-wasm refuses a second thread count in the same process (global env)', async () => {
    await assert.rejects(nodeWasm.createSession(modelPath, { threads: 1 }), (e: unknown) => e instanceof UserError && /already initialised onnxruntime-web with 2 thread/.test(e.message));
  });

  test('bad input: wrong shape, missing input, unknown extra output, missing file', async () => {
    const s = await nodeCpu.createSession(modelPath, { threads: 1 });
    try {
      await assert.rejects(s.run({ input: { data: new Float32Array(3 * 16), dims: [1, 3, 4, 4] } }), (e: unknown) => e instanceof UserError && /shape \[batch,3,8,8\]/.test(e.message));
      await assert.rejects(s.run({ x: input().input }), (e: unknown) => e instanceof UserError && /missing input "input"/.test(e.message));
    } finally {
      await s.release();
    }
    await assert.rejects(nodeCpu.createSession(modelPath, { extraOutputs: ['nope'] }), (e: unknown) => e instanceof UserError && /no tensor named "nope"/.test(e.message));
    await assert.rejects(nodeCpu.createSession(join(dir, 'absent.onnx')), (e: unknown) => e instanceof UserError && /absent\.onnx: no such file/.test(e.message));
  });
});

describe('node-cuda', () => {
  test('probe says why it is unavailable; createSession throws a UserError, not a crash', async (t) => {
    const info = await nodeCuda.probe();
    if (info.available) {
      t.diagnostic(`CUDA is available here: ${JSON.stringify(info.details)}`);
      return;
    }
    assert.match(info.reason ?? '', /CUDA|NVIDIA/);
    if (info.details.cudaBundled === false) assert.match(info.reason ?? '', /--onnxruntime-node-install=cuda12/);
    await assert.rejects(nodeCuda.createSession(modelPath), (e: unknown) => e instanceof UserError && /node-cuda is not available/.test(e.message));
  });
});

describe('node-webgpu', () => {
  test('runs a tiny graph on the WebGPU EP and agrees with node-cpu, or says why not', async (t) => {
    const info = await nodeWebgpu.probe();
    if (!info.available) {
      t.diagnostic(`node-webgpu unavailable: ${info.reason}`);
      assert.ok(info.reason && info.reason.length > 0);
      // Here (no GPU) SwiftShader is what makes it work; if its manifest exists, being unavailable is a failure.
      assert.ok(!existsSync(SWIFTSHADER_ICD) || existsSync('/dev/nvidia0'), `SwiftShader is installed but node-webgpu is unavailable: ${info.reason}`);
      t.skip(info.reason);
      return;
    }
    if (info.details.software) assert.match(String(info.details.adapter), /not a GPU/);
    const gpu = await nodeWebgpu.createSession(modelPath);
    const cpu = await nodeCpu.createSession(modelPath, { threads: 1 });
    try {
      const feeds = input(1);
      const a = await gpu.run(feeds);
      const b = await cpu.run(feeds);
      assert.ok(maxAbsDiff(a.output.data, b.output.data) < 1e-4);
      assert.equal(gpu.details?.executionProvider, 'webgpu');
      assert.match(String(gpu.details?.placement), /all nodes on WebGpuExecutionProvider/);
    } finally {
      await gpu.release();
      await cpu.release();
    }
  });

  test('nodes onnxruntime keeps on the CPU are reported after the first run, or refused on request', async (t) => {
    if (!(await nodeWebgpu.probe()).available) return t.skip('node-webgpu unavailable (see above)');
    const bytes = dynamicReshapeNet();
    const gpu = await nodeWebgpu.createSession(bytes);
    const cpu = await nodeCpu.createSession(bytes, { threads: 1 });
    try {
      const feeds = input(1);
      const a = await gpu.run(feeds);
      assert.ok(maxAbsDiff(a.output.data, (await cpu.run(feeds)).output.data) < 1e-4);
      const placement = gpu.details?.placement as { nodesByProvider: Record<string, number>; cpuOps: Record<string, number> };
      assert.equal(placement.nodesByProvider.WebGpuExecutionProvider >= 1, true, JSON.stringify(placement));
      assert.ok(placement.nodesByProvider.CPUExecutionProvider >= 1, JSON.stringify(placement));
      assert.ok(Object.keys(placement.cpuOps).every((op) => ['Shape', 'Gather', 'Concat', 'Reshape'].includes(op)), JSON.stringify(placement.cpuOps));
    } finally {
      await gpu.release();
      await cpu.release();
    }
    await assert.rejects(nodeWebgpu.createSession(bytes, { requireDevicePlacement: true }), (e: unknown) => e instanceof UserError && /would run on the CPU/.test(e.message));
  });
});

test('probeAll answers for every registered backend without throwing', async () => {
  const infos = await probeAll();
  assert.deepEqual(infos.map((i) => i.name), listBackends().map((b) => b.name));
  for (const i of infos) {
    assert.ok(BACKEND_NAMES.includes(i.name));
    assert.ok(i.available || (i.reason && i.reason.length > 0), `${i.name} unavailable without a reason`);
  }
  assert.ok(infos.find((i) => i.name === 'node-cpu')?.available);
});

describe('on the architecture twins', () => {
  // One twin per architecture family: node-cpu and node-wasm must agree to 1e-4 on the real graphs, not just toys.
  // Synthetic B2 logits reach ±50 and float32 summation order differs between the two kernels' libraries, so logit
  // differences are measured against the output's scale (its largest |logit|) and class probabilities absolutely.
  for (const id of ['enet_b0_8_va_mtl', 'enet_b2_7', 'mobilenet_7']) {
    test(`${id}: node-cpu and node-wasm agree to 1e-4 (relative on logits, absolute on probabilities)`, async () => {
      const record = getModel(id);
      const bytes = synthesizeTwin(record).bytes;
      const { height: h, width: w, layout, name } = record.input;
      const dims = layout === 'NCHW' ? [1, 3, h, w] : [1, h, w, 3];
      const data = Float32Array.from({ length: 3 * h * w }, (_, i) => Math.sin(i * 0.37) * 2);
      const outputs: Float32Array[] = [];
      for (const backend of [nodeCpu, nodeWasm]) {
        const s = await backend.createSession(bytes, { threads: 2 });
        try {
          outputs.push((await s.run({ [name]: { data, dims } }))[record.outputs.name].data);
        } finally {
          await s.release();
        }
      }
      assert.equal(outputs[0].length, record.outputs.size);
      const scale = Math.max(1, ...Array.from(outputs[0], Math.abs));
      let rel = 0;
      for (let i = 0; i < outputs[0].length; i++) rel = Math.max(rel, Math.abs(outputs[0][i] - outputs[1][i]) / scale);
      assert.ok(rel <= 1e-4, `max |cpu − wasm| / max(1, max |cpu|) = ${rel}`);
      const [p, q] = outputs.map((o) => splitOutputs(o, record).probabilities);
      let abs = 0;
      for (let i = 0; i < p.length; i++) abs = Math.max(abs, Math.abs(p[i] - q[i]));
      assert.ok(abs <= 1e-4, `max |Δ probability| = ${abs}`);
    });
  }
});
