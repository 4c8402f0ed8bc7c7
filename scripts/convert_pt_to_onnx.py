"""Convert an HSEmotion PyTorch checkpoint (e.g. enet_b0_7.pt, shipped by the owners only as a pickled model) to ONNX
exactly as the owners' src/convert_pt_to_onnx.py exported their six official ONNX files:

    torch.onnx.export(model, dummy[1,3,S,S], opset_version=11, do_constant_folding=True,
                      input_names=['input'], output_names=['output'],
                      dynamic_axes={'input': {0: 'batch_size'}, 'output': {0: 'batch_size'}})

so the result has the I/O contract of the registry record (input 'input' [N,3,S,S], output 'output' [N,C], batch dynamic).
S is 224 for the EfficientNet-B0 models and 260 for B2: pass --size (the registry record's input.height).

Needs torch and timm (the pickle references timm classes). Old pickles need an old timm: errors such as
"'SqueezeExcite' object has no attribute 'gate'" mean timm is too new (try timm 0.4.5); "No module named 'timm.layers'"
means too old (timm 0.9.7). A state_dict instead of a pickled model needs --arch and --classes.

usage: python3 scripts/convert_pt_to_onnx.py enet_b0_7.pt enet_b0_7.onnx [--size 224] [--arch tf_efficientnet_b0 --classes 7]
Then: place the .onnx in the model cache (see docs/models.md) and run `affectbench models verify`.
"""
import argparse
import inspect
import sys


def load_model(path, arch, classes):
    import torch

    try:
        obj = torch.load(path, map_location="cpu", weights_only=False)  # torch >= 1.13: a pickled module is not "weights only"
    except TypeError:
        obj = torch.load(path, map_location="cpu")
    if isinstance(obj, torch.nn.Module):
        return obj
    if not isinstance(obj, dict):
        sys.exit(f"{path}: neither a pickled model nor a state_dict (got {type(obj).__name__})")
    if not arch or not classes:
        sys.exit(f"{path}: holds a state_dict; give --arch (timm name, e.g. tf_efficientnet_b0) and --classes to rebuild the model")
    import timm

    model = timm.create_model(arch, pretrained=False)
    # The owners' head: classifier = Sequential(Linear(features, classes)) (train_emotions-pytorch.ipynb).
    model.classifier = torch.nn.Sequential(torch.nn.Linear(model.num_features, classes))
    model.load_state_dict(obj.get("state_dict", obj))
    return model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pt")
    ap.add_argument("onnx")
    ap.add_argument("--size", type=int, default=224, help="input side S (224 for B0, 260 for B2; the record's input.height)")
    ap.add_argument("--arch", help="timm model name, only for a state_dict")
    ap.add_argument("--classes", type=int, help="output width, only for a state_dict")
    ap.add_argument("--opset", type=int, default=11, help="the owners used 11")
    args = ap.parse_args()

    import torch

    model = load_model(args.pt, args.arch, args.classes)
    model.eval()
    dummy = torch.randn(1, 3, args.size, args.size)
    try:
        with torch.no_grad():
            reference = model(dummy)
    except AttributeError as err:
        sys.exit(f"{args.pt}: the pickled model does not run under this timm ({err}); see the timm versions in this script's docstring")
    extra = {}
    # torch >= 2.9 defaults to the dynamo exporter, which ignores opset 11 (it emits opset 18 and an external .data
    # file); the owners used the TorchScript exporter, so ask for it explicitly wherever the switch exists.
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False
    torch.onnx.export(
        model,
        dummy,
        args.onnx,
        opset_version=args.opset,
        do_constant_folding=True,
        input_names=["input"],
        output_names=["output"],
        dynamic_axes={"input": {0: "batch_size"}, "output": {0: "batch_size"}},
        **extra,
    )

    import onnx

    m = onnx.load(args.onnx)
    onnx.checker.check_model(m)
    ins = [(i.name, [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]) for i in m.graph.input]
    outs = [(o.name, [d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]) for o in m.graph.output]
    opset = next((o.version for o in m.opset_import if o.domain in ("", "ai.onnx")), None)
    print(f"wrote {args.onnx}: inputs {ins}, outputs {outs}, opset {opset}")
    if opset != args.opset:
        sys.exit(f"{args.onnx}: exported with opset {opset}, not the requested {args.opset}")
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        print("onnxruntime (python) not installed: outputs not compared; `affectbench models verify` checks the file loads")
        return
    got = ort.InferenceSession(args.onnx, providers=["CPUExecutionProvider"]).run(None, {"input": dummy.numpy()})[0]
    diff = float(np.abs(got - reference.numpy()).max())
    print(f"max |onnxruntime - torch| on a random input: {diff:.2e}")
    if diff > 1e-3:
        sys.exit(f"{args.onnx}: ONNX output differs from PyTorch by {diff:.2e}")


if __name__ == "__main__":
    main()
