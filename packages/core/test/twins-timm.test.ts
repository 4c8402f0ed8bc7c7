import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { onnx as onnxProto } from 'onnx-proto';
import { decodeModel, getModel, synthesizeTwin } from '../src/index.ts';

/**
 * The twins against timm itself: fixtures/timm/timm_reference.json was written by
 * scripts/timm_reference_summary.py, which builds timm's tf_efficientnet_b0/b2 with the HSEmotion heads and
 * exports them as the owners' convert_pt_to_onnx.py does. timm computes Conv2dSame padding at run time
 * (Shape/Ceil/Pad chains) while the twin bakes it in, so the comparison is on what carries the weights:
 * every conv/gemm weight shape, the parameter count and the I/O contract.
 */
interface TimmSummary {
  id: string;
  torch_params: number;
  onnx_float_initializer_elements: number;
  ops: Record<string, number>;
  initializer_shapes: number[][];
  input: (string | number)[];
  output: (string | number)[];
  last_node: { op: string };
}

const reference: TimmSummary[] = JSON.parse(readFileSync(new URL('../fixtures/timm/timm_reference.json', import.meta.url), 'utf8'));

const key = (dims: readonly number[]) => dims.join('x');

for (const ref of reference) {
  test(`${ref.id} twin has timm's weight tensors, parameter count and I/O`, () => {
    const record = getModel(ref.id);
    const twin = synthesizeTwin(record);
    const graph = decodeModel(twin.bytes).graph!;
    const twinShapes = (graph.initializer ?? []).filter((t) => t.dataType === 1).map((t) => (t.dims ?? []).map(Number));
    // Weight-bearing tensors (4-D conv kernels and the 2-D classifier) must match one for one.
    const weights = (shapes: number[][]) => shapes.filter((d) => d.length >= 2).map(key).sort();
    assert.deepEqual(weights(twinShapes), weights(ref.initializer_shapes));
    // (Float initializer totals are not compared: torch 2.x stores some folded biases as Constant nodes.)
    assert.equal(record.architecture.params, ref.torch_params, 'registry count equals timm model.parameters()');
    const convs = graph.node!.filter((n) => n.opType === 'Conv').length;
    assert.equal(convs, ref.ops.Conv);
    assert.equal(graph.node!.at(-1)!.opType, ref.last_node.op);
    const dims = (v: onnxProto.IValueInfoProto) => v.type!.tensorType!.shape!.dim!.map((d) => (d.dimParam ? 'batch' : Number(d.dimValue)));
    assert.deepEqual(dims(graph.input![0]).slice(1), ref.input.slice(1));
    assert.deepEqual(dims(graph.output![0]).slice(1), ref.output.slice(1));
  });
}
