#!/usr/bin/env python3
"""The Pads PyTorch exports, in a small model with its golden (tests/data/pad).

    /usr/bin/python3 tools/make-pad-model.py tests/data/pad

writes pytorch_pads.onnx (opset 10: Pad's amounts are attributes; torch 1.13
exports F.pad at opset 11+ through ConstantOfShape / Slice, which this
runtime does not run), pytorch_pads.input.npy (2x3x17x15) and
pytorch_pads.output.npy (PyTorch's float32 result). The model holds
  - F.pad zero, asymmetric, before a Conv (pass 6 folds it);
  - AvgPool2d(3, stride 1, padding 1), Inception-v3's branch pool: a zero
    Pad and an AveragePool without pads (folded, count_include_pad 1);
  - F.pad zero before a max pool of signed values (kept: a zero may win);
  - ReflectionPad2d before a Conv (kept: the Pad kernel).
Deterministic for a given torch (seed 0).
"""
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Pads(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 8, 3)
        self.pool = nn.AvgPool2d(3, stride=1, padding=1)
        self.c2 = nn.Conv2d(8, 4, 3)
        self.refl = nn.ReflectionPad2d((1, 2, 0, 1))

    def forward(self, x):
        y = F.relu(self.c1(F.pad(x, (1, 1, 2, 0))))
        y = self.pool(y)
        y = F.max_pool2d(F.pad(y, (0, 1, 0, 1)), 2)
        return self.c2(self.refl(y))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/pad"
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(0)
    model = Pads().eval()
    x = torch.randn(2, 3, 17, 15)
    with torch.no_grad():
        y = model(x)
    torch.onnx.export(model, x, os.path.join(out, "pytorch_pads.onnx"), opset_version=10,
                      input_names=["x"], output_names=["y"])
    np.save(os.path.join(out, "pytorch_pads.input.npy"), x.numpy())
    np.save(os.path.join(out, "pytorch_pads.output.npy"), y.numpy())


if __name__ == "__main__":
    main()
