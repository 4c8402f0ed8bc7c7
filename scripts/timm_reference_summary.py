"""Export timm's own EfficientNet-B0/B2 with the HSEmotion heads to ONNX exactly as the owners'
src/convert_pt_to_onnx.py does, and write a structural summary (op histogram, initializer shapes,
parameter count, I/O shapes) that the twin tests compare against. Weights are timm's random init:
only the structure is recorded. Needs torch + timm (run on a machine that has them, e.g. the GPU box).

usage: python3 scripts/timm_reference_summary.py OUT.json
"""
import collections
import io
import json
import sys

import onnx
import timm
import torch

CASES = [
    # (model id, timm name, feature dim, classes, input size)
    ("enet_b0_8_best_afew", "tf_efficientnet_b0", 1280, 8, 224),
    ("enet_b0_7", "tf_efficientnet_b0", 1280, 7, 224),
    ("enet_b0_8_va_mtl", "tf_efficientnet_b0", 1280, 10, 224),
    ("enet_b2_8", "tf_efficientnet_b2", 1408, 8, 260),
    ("enet_b2_7", "tf_efficientnet_b2", 1408, 7, 260),
]


def summarise(model_id, name, dim, classes, size):
    torch.manual_seed(0)
    model = timm.create_model(name, pretrained=False)
    model.classifier = torch.nn.Sequential(torch.nn.Linear(dim, classes))
    model.eval()
    params = sum(p.numel() for p in model.parameters())
    buf = io.BytesIO()
    torch.onnx.export(model, torch.randn(1, 3, size, size), buf, opset_version=11, do_constant_folding=True,
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch_size"}, "output": {0: "batch_size"}}, dynamo=False)
    m = onnx.load_from_string(buf.getvalue())
    ops = collections.Counter(n.op_type for n in m.graph.node)
    inits = sorted([list(t.dims) for t in m.graph.initializer])
    float_params = sum(int(torch.tensor(t.dims).prod().item()) if len(t.dims) else 1
                       for t in m.graph.initializer if t.data_type == 1)
    pads = [list(a.ints) for n in m.graph.node if n.op_type == "Pad" for a in n.attribute if a.name == "pads"]
    last = m.graph.node[-1]
    return {
        "id": model_id, "timm": name, "timm_version": timm.__version__, "torch_version": torch.__version__,
        "torch_params": params, "onnx_float_initializer_elements": float_params,
        "ops": dict(sorted(ops.items())), "nodes": len(m.graph.node),
        "initializer_shapes": inits, "pad_attrs": pads,
        "last_node": {"op": last.op_type, "inputs": list(last.input)},
        "input": [d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim],
        "output": [d.dim_param or d.dim_value for d in m.graph.output[0].type.tensor_type.shape.dim],
        "opset": m.opset_import[0].version,
    }


if __name__ == "__main__":
    out = [summarise(*c) for c in CASES]
    json.dump(out, open(sys.argv[1], "w"), indent=1)
    for s in out:
        print(s["id"], s["torch_params"], s["onnx_float_initializer_elements"], s["nodes"], s["ops"])
