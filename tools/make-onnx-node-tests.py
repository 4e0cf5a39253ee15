#!/usr/bin/env python3
"""Writes ONNX's node tests from the case generators of the installed onnx.

Debian's libonnx-testdata is onnx 1.12's (opsets up to 17); the wheels on
PyPI hold no test data, only the generators (onnx.backend.test.case.node).
This writes every node case as the test data does, OUT/node/test_NAME/
model.onnx and test_data_set_K/{input,output}_I.pb, for
`clgooglenet conformance OUT`:

    python3 -m venv --system-site-packages /tmp/onnx-venv && /tmp/onnx-venv/bin/pip install onnx
    /tmp/onnx-venv/bin/python tools/make-onnx-node-tests.py /tmp/onnx-node-tests [--filter SUBSTR]
    build/clgooglenet conformance /tmp/onnx-node-tests
"""
import argparse
import os
import shutil
import warnings

import onnx
from onnx import numpy_helper
from onnx.backend.test.case import node


def write_tensor(path, value, name):
    proto = value if isinstance(value, onnx.TensorProto) else numpy_helper.from_array(value, name)
    with open(path, "wb") as f:
        f.write(proto.SerializeToString())


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--filter", default="", help="only cases whose name contains this")
    args = ap.parse_args()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the generators divide by zero on purpose
        cases = node.collect_testcases(None)
    written = skipped = 0
    for case in cases:
        if args.filter not in case.name:
            continue
        graph = case.model.graph
        if any(not v.type.HasField("tensor_type") for v in list(graph.input) + list(graph.output)):
            skipped += 1  # sequences, maps, optionals: no plain .pb tensor
            continue
        test_dir = os.path.join(args.out, "node", case.name)
        if os.path.exists(test_dir):
            shutil.rmtree(test_dir)
        os.makedirs(test_dir)
        with open(os.path.join(test_dir, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        for k, (inputs, outputs) in enumerate(case.data_sets):
            data_dir = os.path.join(test_dir, f"test_data_set_{k}")
            os.makedirs(data_dir)
            for i, value in enumerate(inputs):
                write_tensor(os.path.join(data_dir, f"input_{i}.pb"), value, graph.input[i].name)
            for i, value in enumerate(outputs):
                write_tensor(os.path.join(data_dir, f"output_{i}.pb"), value, graph.output[i].name)
        written += 1
    print(f"onnx {onnx.__version__}: wrote {written} node tests to {args.out}/node "
          f"({skipped} with non-tensor inputs or outputs left out)")


if __name__ == "__main__":
    main()
