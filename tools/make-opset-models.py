#!/usr/bin/env python3
"""Converts ONNX models to newer opsets with onnx.version_converter.

Current exporters (torch.onnx.export's dynamo path, recent converters) write
opset 18 or later; these copies of models the runtime already runs check that
it loads each opset and gives the same outputs as the original.

    PY tools/make-opset-models.py [--opsets 18,21,22] [--out DIR] MODEL.onnx...

writes DIR/NAME.opsetNN.onnx for each model and opset (default DIR:
tests/data/opsets). The converter needs an onnx that knows the opsets: onnx
1.12 (Debian 12) stops at 17, so use a venv with onnx >= 1.16 from PyPI
(python3 -m venv --system-site-packages V && V/bin/pip install onnx).

    PY tools/make-opset-models.py --check CLGOOGLENET MODEL.onnx INPUT.npy

converts MODEL (the bundled model, for example) into a temporary folder and
runs the original and each copy through `CLGOOGLENET infer ... -o`, failing
unless the outputs agree within 1e-5 of the largest |value| (they run the
same kernels, so they are normally identical).
"""
import argparse
import os
import subprocess
import sys
import tempfile

import onnx
from onnx import version_converter

DEFAULT_OPSETS = [18, 21, 22]


def convert(path, opset, out_dir):
    model = onnx.load(path)
    converted = version_converter.convert_version(model, opset)
    onnx.checker.check_model(converted)
    got = [o.version for o in converted.opset_import if o.domain in ("", "ai.onnx")]
    if got != [opset]:
        raise SystemExit(f"{path}: converted to opset {got}, want {opset}")
    name = os.path.splitext(os.path.basename(path))[0]
    out = os.path.join(out_dir, f"{name}.opset{opset}.onnx")
    onnx.save(converted, out)
    return out


def check(cli, model, inputs, opsets):
    import numpy as np

    with tempfile.TemporaryDirectory() as tmp:
        def infer(path, tag):
            out = os.path.join(tmp, tag + ".npy")
            subprocess.run([cli, "infer", path, *inputs, "-o", out], check=True,
                           stdout=subprocess.DEVNULL)
            return np.load(out)

        want = infer(model, "original")
        scale = float(np.abs(want).max()) or 1.0
        worst = 0.0
        for opset in opsets:
            got = infer(convert(model, opset, tmp), f"opset{opset}")
            if got.shape != want.shape:
                raise SystemExit(f"opset {opset}: output shape {got.shape}, want {want.shape}")
            err = float(np.abs(got - want).max()) / scale
            print(f"{os.path.basename(model)} opset {opset}: max error {err:.2e} of the largest |value|")
            worst = max(worst, err)
        if worst > 1e-5:
            raise SystemExit("converted models disagree with the original")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("models", nargs="+", help="MODEL.onnx (with --check: MODEL.onnx INPUT...)")
    ap.add_argument("--opsets", default=",".join(map(str, DEFAULT_OPSETS)))
    ap.add_argument("--out", default="tests/data/opsets")
    ap.add_argument("--check", metavar="CLGOOGLENET", help="compare outputs with this CLI instead")
    args = ap.parse_args()
    opsets = [int(v) for v in args.opsets.split(",")]
    if max(opsets) > onnx.defs.onnx_opset_version():
        sys.exit(f"onnx {onnx.__version__} knows opsets up to {onnx.defs.onnx_opset_version()}; "
                 "use a newer onnx (see --help)")
    if args.check:
        check(args.check, args.models[0], args.models[1:], opsets)
        return
    os.makedirs(args.out, exist_ok=True)
    for path in args.models:
        for opset in opsets:
            print(convert(path, opset, args.out))


if __name__ == "__main__":
    main()
