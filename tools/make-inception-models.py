#!/usr/bin/python3
"""Seeded Inception-v3, Inception-v4, Inception-ResNet-v2 and Xception as
ONNX files, with reference outputs.

Four networks, each at full size (3x299x299, 1000 classes, the real
topologies) or small (channels / 16, fewer repeated blocks, a smaller input,
32 classes), built by the libraries' own architecture code:

tv_inception_v3          torchvision's Inception-v3
                         (torchvision.models.inception_v3 with weights=None,
                         aux_logits=False, transform_input=False,
                         init_weights=True). Its branch pools are
                         F.avg_pool2d(3, stride 1, padding 1) with
                         count_include_pad: the exporter writes a Pad before
                         each AveragePool. 1x7/7x1 and 1x3/3x1 convolutions,
                         max pools, ReLU after every BN; AdaptiveAvgPool2d,
                         Flatten, Gemm.
timm_inception_v4        timm's inception_v4 (Szegedy et al. 2016; Cadene's
                         port): stem with Concats of pool and conv branches,
                         4 x InceptionA, ReductionA, 7 x InceptionB,
                         ReductionB, 3 x InceptionC. Branch pools are
                         AvgPool2d(3, 1, padding 1, count_include_pad=False):
                         an AveragePool with pads and count_include_pad 0.
timm_inception_resnet_v2 timm's inception_resnet_v2: 10 x Block35, 20 x
                         Block17, 9 x Block8 (+ one without ReLU), each a
                         residual block: x + scale * conv(concat(branches))
                         (a Mul by a Constant, an Add), ReLU after it.
timm_legacy_xception     timm's legacy_xception: Chollet's original Xception
                         (the Keras topology, not timm's "aligned" xception41
                         of DeepLab): entry flow with max-pool residual
                         blocks whose 1x1/2 skip convolutions have BN, middle
                         flow of 8 identical blocks, exit flow. Every
                         SeparableConv2d is a depthwise 3x3 Conv
                         (group = channels) followed by a 1x1 Conv, so the
                         runtime needs grouped convolution.

Weights: tools/seeded_models.py's seed_weights (the same scheme as
make-imagenet-models.py): convolutions and the classifier He-normal, every
BatchNorm2d weight U(0.5, 1.5), bias U(-0.25, 0.25), running statistics
measured on calibration inputs (seed + 1, 8 items, one train-mode pass) then
perturbed (mean += 0.5 sigma N(0,1), var *= exp(U(-0.7, 0.7)), var += 0.3 x
the layer's median var; each library's eps: 1e-3 in the Inceptions, 1e-5 in
Xception), the classifier rescaled and shifted on the calibration features so
that top-1 varies with the input. Exported by torch.onnx.export (TorchScript
exporter, opset 13, dynamic batch axis, default export: BN folded into Conv).

Reference: PyTorch's float32 output (eval mode), checked against a float64
run of the same model (model.double()). Where float32 PyTorch is off the
float64 output by more than 1e-5 of a row's largest |logit|, the float64 output
(rounded to float32) is the reference instead; the generator says which.
ONNX Runtime, where found, runs every export too and must agree with the
reference within 1e-4 of the largest |logit| with the same top-1.

Inputs (batch --batch): seeded_models.image_input, every image with
large-scale structure plus pixel noise; even items "random normal", odd
items [0,1] images normalised with the network's mean and std (torchvision:
ImageNet's; timm: 0.5, 0.5). Calibration inputs are drawn the same way from
seed + 1.

Sizes:
  full   3x299x299, 1000 classes, every block (5.7-13.2 GMAC per image; 91-223 MB
         per model)
  small  3x75x91: 75 is the smallest size Inception-v3 and -v4 take; the
         width is not the height's so that a transposed map shows (the
         three Inceptions' last stage runs on a 1x1 map, Xception's on
         3x3; a width of 107 would give 1x2); every channel count / 16
         (all of them are multiples of 16 except Xception's 728, which
         becomes 45 throughout; the input keeps 3 channels, depthwise
         convolutions stay depthwise);
         each run of identical blocks cut to its first two (Inception-v4:
         2 x InceptionA/B/C; Inception-ResNet-v2: 2 x Block35/17/8;
         Xception: middle flow block4, block5, block6..block11 replaced by
         Identity); 32 classes. The input is stored as float16 (the
         reference is computed on the float16 values) to keep the committed
         files small.

Files per model, in --out: NAME.onnx (with clgooglenet.* preprocessing
metadata), NAME.input.npy, NAME.output.npy; with --save-float64 also
NAME.output64.npy (the float64 output, for error figures).

Run with Debian's python3 (torch 1.13, torchvision, onnx) and timm from PyPI
(tools/setup-debian.sh --tools installs it with --no-deps). ONNX Runtime runs
in a second interpreter when this one lacks it: --ort-python, else
$ORT_PYTHON, else /work/torch-venv/bin/python or /work/venvs/peers/bin/python
if present. Output is deterministic for a seed and library versions.

  /usr/bin/python3 tools/make-inception-models.py --size small --batch 4 --seed 1 \\
      --out tests/data/inception
  /usr/bin/python3 tools/make-inception-models.py --size full --batch 4 --out /tmp/inception
  tools/inception-check.sh     # the full-size models through clgooglenet
"""

import argparse
import contextlib
import inspect
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seeded_models import (  # noqa: E402  (tools/seeded_models.py)
    CALIBRATION_ITEMS, IMAGENET_MEAN, IMAGENET_STD, add_generator_args, check_generator_args,
    describe, export,
    float64_run, format_histogram, image_input, op_histogram, ort_run, rel_err, save,
    seed_weights, set_metadata)

ALL_MODELS = ("tv_inception_v3", "timm_inception_v4", "timm_inception_resnet_v2",
              "timm_legacy_xception")
TIMM_NAMES = {"timm_inception_v4": "inception_v4",
              "timm_inception_resnet_v2": "inception_resnet_v2",
              "timm_legacy_xception": "legacy_xception"}
INCEPTION_MEAN = INCEPTION_STD = (0.5, 0.5, 0.5)  # timm's default_cfg of all three

SIZES = {
    "full": dict(hw=(299, 299), divisor=1, repeats=None, classes=1000, input_dtype=np.float32),
    "small": dict(hw=(75, 91), divisor=16, repeats=2, classes=32, input_dtype=np.float16),
}

REL_F32 = 1e-5   # float32 PyTorch within this of float64 (of each row's largest |logit|): it is the reference
REL_ORT = 1e-4   # ONNX Runtime vs the reference, and the same top-1


@contextlib.contextmanager
def reduced_channels(divisor):
    """Every nn.Conv2d, nn.BatchNorm2d and nn.Linear built inside gets its
    channel counts divided (in_features only for Linear: the class count
    stays); 3 (the input's channels) stays 3; a depthwise convolution
    (group = in_channels) stays depthwise. The architecture code runs as it
    is, so the small network has the same topology."""
    from torch import nn
    orig = nn.Conv2d.__init__, nn.BatchNorm2d.__init__, nn.Linear.__init__
    conv_sig = inspect.signature(orig[0])

    def f(n):
        return n if n == 3 or divisor == 1 else max(1, n // divisor)

    def conv(self, *args, **kwargs):
        b = conv_sig.bind(self, *args, **kwargs)
        b.apply_defaults()
        a = dict(b.arguments)
        depthwise = a["groups"] > 1 and a["groups"] == a["in_channels"]
        if a["groups"] > 1 and not depthwise:
            raise ValueError("reduced_channels: grouped (not depthwise) convolution")
        a["in_channels"], a["out_channels"] = f(a["in_channels"]), f(a["out_channels"])
        if depthwise:
            a["groups"] = a["in_channels"]
        del a["self"]
        orig[0](self, **a)

    def bn(self, num_features, *args, **kwargs):
        orig[1](self, f(num_features), *args, **kwargs)

    def linear(self, in_features, out_features, *args, **kwargs):
        orig[2](self, f(in_features), out_features, *args, **kwargs)

    nn.Conv2d.__init__, nn.BatchNorm2d.__init__, nn.Linear.__init__ = conv, bn, linear
    try:
        yield
    finally:
        nn.Conv2d.__init__, nn.BatchNorm2d.__init__, nn.Linear.__init__ = orig


def cut_repeats(name, model, repeats):
    """Keeps the first `repeats` of each run of identical blocks."""
    from torch import nn
    if name == "timm_inception_v4":
        kept, run, last = [], 0, None
        for m in model.features:
            run = run + 1 if type(m) is last else 1
            last = type(m)
            if run <= repeats or not type(m).__name__.startswith("Inception"):
                kept.append(m)
        model.features = nn.Sequential(*kept)
    elif name == "timm_inception_resnet_v2":
        for attr in ("repeat", "repeat_1", "repeat_2"):
            setattr(model, attr, nn.Sequential(*list(getattr(model, attr))[:repeats]))
    elif name == "timm_legacy_xception":
        for i in range(4 + repeats, 12):  # middle flow: block4 .. block11
            setattr(model, "block%d" % i, nn.Identity())


def build(name, seed, cfg):
    """The seeded model (eval mode) and its (mean, std)."""
    import torch
    with reduced_channels(cfg["divisor"]):
        torch.manual_seed(seed)  # the libraries' own init draws from the global RNG
        if name == "tv_inception_v3":
            import torchvision
            model = torchvision.models.inception_v3(
                weights=None, aux_logits=False, transform_input=False, init_weights=True,
                num_classes=cfg["classes"])
            fc, norm = model.fc, (IMAGENET_MEAN, IMAGENET_STD)
        else:
            import timm
            model = timm.create_model(TIMM_NAMES[name], pretrained=False,
                                      num_classes=cfg["classes"])
            fc = model.get_classifier()
            pc = model.pretrained_cfg
            norm = (tuple(pc.get("mean", INCEPTION_MEAN)), tuple(pc.get("std", INCEPTION_STD)))
    if cfg["repeats"]:
        cut_repeats(name, model, cfg["repeats"])
    gen = torch.Generator().manual_seed(seed)
    cal = torch.from_numpy(image_input(seed + 1, CALIBRATION_ITEMS, cfg["hw"], *norm))
    return seed_weights(model, fc, cal, gen), norm


def metadata(hw, norm):
    return {"clgooglenet.resize": "%dx%d" % tuple(hw),
            "clgooglenet.mean": ",".join("%g" % v for v in norm[0]),
            "clgooglenet.std": ",".join("%g" % v for v in norm[1])}


def make(name, args, cfg, ort_python):
    import torch
    model, norm = build(name, args.seed, cfg)
    x = image_input(args.seed, args.batch, cfg["hw"], *norm)
    x = x.astype(cfg["input_dtype"]).astype(np.float32)  # the values the file holds
    with torch.no_grad():
        y32 = model(torch.from_numpy(x)).numpy()
    y64 = float64_run(model, x)
    rel32, rows32 = rel_err(y32, y64)
    use64 = rows32.max() > REL_F32
    y = y64.astype(np.float32) if use64 else y32
    path = os.path.join(args.out, name + ".onnx")
    export(model, x, path)
    set_metadata(path, metadata(cfg["hw"], norm))
    save(args.out, name, x.astype(cfg["input_dtype"]), y, cfg["input_dtype"])
    if args.save_float64:
        np.save(os.path.join(args.out, name + ".output64.npy"), y64)
    nparams = sum(p.numel() for p in model.parameters())
    print("%s (%d parameters, input %s, %s)" % (name, nparams, tuple(x.shape),
                                                np.dtype(cfg["input_dtype"]).name))
    print("  float32 PyTorch vs float64: %.2e of the largest |logit| (rows: %s), same top-1: %s; "
          "reference: %s" % (rel32, " ".join("%.1e" % r for r in rows32),
                             bool((y32.argmax(1) == y64.argmax(1)).all()),
                             "float64 (float32 is off by more than %g)" % REL_F32 if use64
                             else "float32 PyTorch"))
    describe(name, path, y)
    print("  ops: " + format_histogram(op_histogram(path)))
    if not ort_python:
        return False
    yo, who = ort_run(ort_python, path, x)
    rel, rows = rel_err(yo, y)
    rel64, _ = rel_err(yo, y64)
    same = bool((yo.argmax(1) == y.argmax(1)).all())
    ok = rel <= REL_ORT and same
    print("  %s vs the reference: %.2e of the largest |logit| (rows: %s), vs float64 %.2e, "
          "same top-1: %s%s" % (who, rel, " ".join("%.1e" % r for r in rows), rel64, same,
                                "" if ok else "  FAIL"))
    return not ok


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_generator_args(ap, SIZES, ALL_MODELS)
    ap.add_argument("--save-float64", action="store_true",
                    help="also write NAME.output64.npy, the float64 PyTorch output")
    args = ap.parse_args()
    names, ort_python = check_generator_args(ap, args, ALL_MODELS)
    cfg = SIZES[args.size]

    import torch
    print("torch %s, opset 13, %s size" % (torch.__version__, args.size))
    failed = False
    for name in names:
        failed |= make(name, args, cfg, ort_python)
    if failed:
        print("FAILED: ONNX Runtime and the reference disagree (tolerance %g)" % REL_ORT)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
