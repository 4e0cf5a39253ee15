#!/usr/bin/env python3
"""Writes a model again as large exports store it, for the storage tests.

    PY tools/make-format-models.py external MODEL.onnx OUT_DIR
        onnx.save_model(..., save_as_external_data=True): every tensor of 1 KiB
        or more in OUT_DIR/NAME.weights, the graph in OUT_DIR/NAME.onnx.

    PY tools/make-format-models.py fp16 MODEL.onnx OUT_DIR INPUT.npy CLGOOGLENET
        OUT_DIR/NAME.fp16.onnx: FLOAT initializers and Constants stored as
        FLOAT16, graph input and output declared FLOAT16 (what
        model.half() exports); OUT_DIR/NAME.fp16.output.npy: what the CLI
        CLGOOGLENET gives on INPUT.npy for the float32 model holding those
        rounded weights as float32. The runtime computes an fp16 model in
        float32 from weights converted exactly, so the two must agree to the
        last bits: the test checks the conversion, while the float32
        model's own golden (PyTorch) checks the kernels.

Made with Debian's python3 (onnx 1.12) or a newer onnx; the run is
deterministic.
"""
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def name_of(path):
    return os.path.splitext(os.path.basename(path))[0]


def external(model_path, out_dir):
    model = onnx.load(model_path)
    name = name_of(model_path)
    onnx.save_model(model, os.path.join(out_dir, name + ".onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location=name + ".weights", size_threshold=1024)


def rounded(model, dtype):
    """A copy of model whose FLOAT initializers / Constant values are stored as dtype."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    tensors = list(model.graph.initializer)
    for node in model.graph.node:
        if node.op_type == "Constant":
            tensors += [a.t for a in node.attribute if a.name == "value"]
    for t in tensors:
        if t.data_type == onnx.TensorProto.FLOAT:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(dtype), t.name))
    return model


def fp16(model_path, out_dir, input_path, cli):
    import subprocess
    import tempfile

    model = onnx.load(model_path)
    half = rounded(model, np.float16)
    for v in list(half.graph.input) + list(half.graph.output):
        if v.type.tensor_type.elem_type == onnx.TensorProto.FLOAT:
            v.type.tensor_type.elem_type = onnx.TensorProto.FLOAT16
    onnx.checker.check_model(half)
    name = name_of(model_path)
    onnx.save(half, os.path.join(out_dir, name + ".fp16.onnx"))
    # The reference: float32 graph, the same rounded weights back in float32.
    back = onnx.ModelProto.FromString(half.SerializeToString())
    for t in list(back.graph.initializer) + [a.t for n in back.graph.node if n.op_type == "Constant"
                                             for a in n.attribute if a.name == "value"]:
        if t.data_type == onnx.TensorProto.FLOAT16:
            t.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(t).astype(np.float32), t.name))
    for v in list(back.graph.input) + list(back.graph.output):
        v.type.tensor_type.elem_type = onnx.TensorProto.FLOAT
    with tempfile.TemporaryDirectory() as tmp:
        onnx.save(back, os.path.join(tmp, "rounded.onnx"))
        out = os.path.join(out_dir, name + ".fp16.output.npy")
        subprocess.run([cli, "infer", os.path.join(tmp, "rounded.onnx"), input_path, "-o", out], check=True,
                       stdout=subprocess.DEVNULL)


def main():
    if len(sys.argv) != {"external": 4, "fp16": 6}.get(sys.argv[1] if len(sys.argv) > 1 else "", 0):
        sys.exit(__doc__)
    os.makedirs(sys.argv[3], exist_ok=True)
    if sys.argv[1] == "external":
        external(sys.argv[2], sys.argv[3])
    else:
        fp16(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])


if __name__ == "__main__":
    main()
