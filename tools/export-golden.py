#!/usr/bin/python3
"""Export a seeded d2l GoogLeNet to ONNX together with golden input/output.

Writes PREFIX.onnx, PREFIX.input.npy (float32 NCHW, uniform [0,1)) and
PREFIX.output.npy (float32 logits computed by PyTorch). The weights are
re-initialised (Kaiming-normal weights, small random biases) so activations
and logits are far from zero and the ReLUs are not all dead, which makes the
golden output a meaningful check of a runtime.

By default the export is also validated: onnx.checker, the list of ONNX ops
used, and a run of the ONNX file through OpenCV DNN compared with PyTorch.

The functions here (build_model, make_input, export_onnx, ...) are reused by
tools/peer-bench.py; load this file with load_export_golden() there.
"""

import argparse
import inspect
import os
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from d2l_googlenet import googlenet  # noqa: E402

# Ops the clgooglenet runtime implements (kept in sync with runtime/ by hand).
SUPPORTED_OPS = {
    "Conv", "Relu", "MaxPool", "AveragePool", "GlobalAveragePool", "Concat",
    "Flatten", "Reshape", "Gemm", "MatMul", "Add", "Softmax", "LRN",
    "Dropout", "Identity",
}


def reinit_(model, seed):
    """Re-initialise weights in place, deterministically from `seed`.

    Conv/Linear weights: Kaiming-normal (fan_in, ReLU gain) so the activation
    scale is roughly preserved through the 22-odd layers; biases: U(-0.1, 0.1).
    """
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                std = (2.0 / fan_in) ** 0.5
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * std)
                if m.bias is not None:
                    m.bias.copy_((torch.rand(m.bias.shape, generator=gen)
                                  * 2 - 1) * 0.1)
    return model


def build_model(seed=1, divisor=1, in_channels=1, num_classes=10):
    """Seeded d2l GoogLeNet in eval mode with non-trivial weights."""
    torch.manual_seed(seed)
    model = googlenet(in_channels=in_channels, num_classes=num_classes,
                      divisor=divisor)
    reinit_(model, seed)
    return model.eval()


def make_input(seed=1, batch=1, in_channels=1, height=96, width=96):
    """Seeded float32 NCHW input, uniform in [0, 1)."""
    gen = torch.Generator().manual_seed(seed + 1000003)
    return torch.rand((batch, in_channels, height, width), generator=gen,
                      dtype=torch.float32)


def export_onnx(model, x, path, opset=13, dynamic_batch=True):
    """torch.onnx.export with input "input" and output "logits"."""
    dynamic_axes = None
    if dynamic_batch:
        dynamic_axes = {"input": {0: "batch"}, "logits": {0: "batch"}}
    extra = {}
    # torch >= 2.9 defaults to the dynamo exporter (needs onnxscript, names
    # initializers differently); keep the TorchScript one where there is a
    # choice (torch >= 2.5).
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, x, path, export_params=True,
                          opset_version=opset, do_constant_folding=True,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes=dynamic_axes, **extra)


def onnx_ops(path):
    """Check the ONNX file and return {op_type: count} of its graph."""
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    ops = {}
    for node in m.graph.node:
        ops[node.op_type] = ops.get(node.op_type, 0) + 1
    return ops


def run_opencv(path, x):
    """Run the ONNX file through OpenCV DNN (CPU) on numpy input x."""
    import cv2
    net = cv2.dnn.readNetFromONNX(path)
    net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
    net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
    net.setInput(np.ascontiguousarray(x, dtype=np.float32))
    return net.forward()


def main():
    ap = argparse.ArgumentParser(
        description="Export a seeded d2l GoogLeNet to PREFIX.onnx with "
                    "golden PREFIX.input.npy / PREFIX.output.npy.")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed for weights and input (default 1)")
    ap.add_argument("--batch", type=int, default=1,
                    help="batch size of the golden input (default 1)")
    ap.add_argument("--height", type=int, default=96, help="default 96")
    ap.add_argument("--width", type=int, default=96, help="default 96")
    ap.add_argument("--in-channels", type=int, default=1, help="default 1")
    ap.add_argument("--classes", type=int, default=10, help="default 10")
    ap.add_argument("--divisor", type=int, default=1,
                    help="divide every channel count by this (default 1: "
                         "full-size d2l GoogLeNet)")
    ap.add_argument("--opset", type=int, default=13,
                    help="ONNX opset version (default 13)")
    ap.add_argument("--static-batch", action="store_true",
                    help="export a fixed batch axis (default: dynamic)")
    ap.add_argument("--out-prefix", default="d2l_googlenet",
                    help="output path prefix (default d2l_googlenet)")
    ap.add_argument("--no-verify", action="store_true",
                    help="skip the OpenCV DNN cross-check")
    args = ap.parse_args()

    for name in ("batch", "height", "width", "in_channels", "classes",
                 "divisor"):
        if getattr(args, name) < 1:
            ap.error("--%s must be >= 1" % name.replace("_", "-"))

    model = build_model(args.seed, args.divisor, args.in_channels,
                        args.classes)
    x = make_input(args.seed, args.batch, args.in_channels, args.height,
                   args.width)
    with torch.no_grad():
        y = model(x)

    prefix = args.out_prefix
    d = os.path.dirname(prefix)
    if d:
        os.makedirs(d, exist_ok=True)
    onnx_path = prefix + ".onnx"
    export_onnx(model, x, onnx_path, args.opset, not args.static_batch)
    xin = x.numpy().astype(np.float32)
    yout = y.numpy().astype(np.float32)
    np.save(prefix + ".input.npy", xin)
    np.save(prefix + ".output.npy", yout)

    nparams = sum(p.numel() for p in model.parameters())
    print("model: d2l GoogLeNet divisor=%d params=%d opset=%d %s batch"
          % (args.divisor, nparams, args.opset,
             "static" if args.static_batch else "dynamic"))
    for suffix in (".onnx", ".input.npy", ".output.npy"):
        print("wrote %s (%d bytes)" % (prefix + suffix,
                                       os.path.getsize(prefix + suffix)))
    print("input %s, logits %s" % (tuple(xin.shape), tuple(yout.shape)))
    print("max |logit| = %.6g" % float(np.abs(yout).max()))
    for i, row in enumerate(yout):
        print("  item %d: top-1 = %d (logit %.6g)"
              % (i, int(row.argmax()), float(row.max())))

    ops = onnx_ops(onnx_path)
    print("onnx.checker: ok; ops: " + ", ".join(
        "%s x%d" % (k, v) for k, v in sorted(ops.items())))
    unsupported = sorted(set(ops) - SUPPORTED_OPS)
    if unsupported:
        print("warning: ops not supported by clgooglenet: "
              + ", ".join(unsupported))

    if not args.no_verify:
        ycv = run_opencv(onnx_path, xin)
        scale = max(float(np.abs(yout).max()), 1e-30)
        err = float(np.abs(ycv - yout).max())
        rel = err / scale
        ok = ycv.shape == yout.shape and rel <= 1e-4
        print("opencv dnn: max abs err %.3g, relative to max |logit| %.3g "
              "(%s)" % (err, rel, "ok" if ok else "FAIL"))
        if not ok:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
