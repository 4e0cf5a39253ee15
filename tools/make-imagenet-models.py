#!/usr/bin/python3
"""Seeded ImageNet GoogLeNets as ONNX files, with reference outputs.

Two topologies, each at full size (3x224x224, 1000 classes) or small (every
channel count divided by 12, at least 4; a smaller input; 32 classes):

tv_googlenet_*   torchvision's GoogLeNet (torchvision.models.googlenet with
                 weights=None, aux_logits=False, init_weights=True; at small
                 size a subclass that keeps torchvision's forward(),
                 Inception and BasicConv2d and only divides the channel
                 counts), exported by torch.onnx.export (TorchScript
                 exporter, opset 13, dynamic batch axis) four ways:
                   tv_googlenet_bn_ti      BatchNormalization kept, transform_input on
                   tv_googlenet_bn         BatchNormalization kept, transform_input off
                   tv_googlenet_folded_ti  default export (BN folded into Conv), transform_input on
                   tv_googlenet_folded     default export, transform_input off
                 BN is kept by exporting with training=TrainingMode.PRESERVE
                 (model in eval mode): the exporter then skips its eval
                 peephole pass, which is what folds BN into the convolution
                 (do_constant_folding=False does not keep it).
                 transform_input exports as Gather(axis 1, Constant index) ->
                 Unsqueeze (Constant axes) -> Mul -> Add (Constant scalars)
                 per channel, then Concat.
                 Weights: convolutions and FC He-normal; every BatchNorm2d
                 gets weight U(0.5, 1.5), bias U(-0.25, 0.25), and running
                 statistics measured on calibration inputs (one train-mode
                 pass) then perturbed: mean += 0.5 sigma N(0,1), var *=
                 exp(U(-0.7, 0.7)), var += 0.3 x the layer's median var (eps
                 stays torchvision's 1e-3), so folding or epsilon mistakes
                 show while the network still depends on its input. The FC
                 layer is rescaled and shifted on the calibration features
                 (calibrate_fc) so that top-1 varies with the input.
                 Reference: PyTorch's output (eval mode); ONNX Runtime must
                 agree with it within 1e-5 of the largest |logit| on every
                 export.
zoo_inception_v1 the ONNX model zoo's Inception-v1 (bvlc_googlenet, from
                 Caffe) written directly with onnx.helper, opset 9 (IR 4):
                 conv1 7x7/2 pad 3, ReLU, MaxPool 3/2 with pads [0,0,1,1]
                 (the zoo's emulation of Caffe's ceil rounding), LRN (size 5,
                 alpha 1e-4, beta 0.75, bias 1), conv2 1x1 + 3x3, LRN, pool,
                 the nine Inception modules (3a 3b 4a-4e 5a 5b; true 5x5
                 convolutions), pools between, AveragePool over the final map
                 (7x7 at 224x224, stride 1), Dropout(ratio 0.4), a Reshape
                 whose target is Shape -> Gather(axis 0, Constant scalar 0)
                 -> Unsqueeze(axes [0]) -> Concat(with a Constant [-1]) as old
                 PyTorch exports of x.view(x.size(0), -1) have it, Gemm
                 (transB=1), Softmax(axis 1). As in the zoo: input 'data_0'
                 declared [1,3,H,W], output 'prob_1' [1,classes] (a runtime
                 must run it at other batch sizes), Caffe blob names, and the
                 weights listed as graph inputs as well as initializers.
                 Weights He-normal; conv biases set on calibration inputs to
                 minus half the mean pre-activation plus 0.25 sigma N(0,1)
                 (a deep ReLU net with random biases maps every input to
                 nearly the same features); the classifier calibrated as for
                 tv. Reference: ONNX Runtime (on a copy with a symbolic batch
                 axis), cross-checked against an independent PyTorch
                 implementation (within 1e-4 per row).

Inputs (float32 NCHW, batch --batch). Every image has large-scale structure
(a random 2x2..5x5 grid bilinearly upsampled) plus pixel noise: after the
global average pool a network sees i.i.d. noise images as nearly the same
picture, and the logits' input-dependent part would sink into float32
rounding (the references are within ~1e-5 of float64 evaluations).
  tv:  even items "random normal": N(0,1) structure + 0.3 N(0,1) noise;
       odd items ImageNet-normalised [0,1] images: (u - mean) / std,
       u = 0.85 U[0,1) structure + 0.15 U[0,1) noise.
  zoo: Caffe-style BGR pixels: 255 u - (104, 117, 123), u as above (at this
       scale the LRNs really normalise).
Calibration inputs are drawn the same way from seed + 1.

Files per model, in --out: NAME.onnx (with clgooglenet.* preprocessing
metadata), NAME.input.npy, NAME.output.npy.

Sizes:
  full   tv 3x224x224, zoo 3x224x224, 1000 classes (the real topologies)
  small  tv 3x64x80 (a non-square map; torchvision ends in adaptive average
         pooling, any size >= 32 works), zoo 3x96x96 (final map 3x3, so its
         average pool is 3x3 instead of 7x7), channels / 12 (at least 4: most
         counts are not multiples of 4), 32 classes.

Run with Debian's python3 (torch 1.13, torchvision, onnx). ONNX Runtime runs
in a second interpreter when this one lacks it: --ort-python, else
$ORT_PYTHON, else /work/torch-venv/bin/python or /work/venvs/peers/bin/python
if present (tools/seeded_models.py holds what this generator shares with
make-inception-models.py: weight seeding, inputs, export, ONNX Runtime). Without ONNX
Runtime (--no-ort) the zoo reference is the PyTorch implementation and the
tv exports are not cross-checked. Output is deterministic for a seed.

  /usr/bin/python3 tools/make-imagenet-models.py --size small --batch 2 --seed 3 \\
      --out tests/data/imagenet --models tv_googlenet_bn_ti,tv_googlenet_folded,zoo_inception_v1
  /usr/bin/python3 tools/make-imagenet-models.py --size full --batch 4 --out /tmp/imagenet
  tools/imagenet-check.sh      # the full-size models through clgooglenet
"""

import argparse
import collections
import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from seeded_models import (  # noqa: E402  (tools/seeded_models.py)
    CALIBRATION_ITEMS, IMAGENET_MEAN, IMAGENET_STD, add_generator_args, calibrate_fc,
    check_generator_args, describe, export,
    format_histogram, image_input, op_histogram, ort_run, rel_err, save,
    seed_weights, set_metadata, smooth_field)

TV_MODELS = {  # name: (keep BN, transform_input)
    "tv_googlenet_bn_ti": (True, True),
    "tv_googlenet_bn": (True, False),
    "tv_googlenet_folded_ti": (False, True),
    "tv_googlenet_folded": (False, False),
}
ZOO_MODELS = ("zoo_inception_v1",)
ALL_MODELS = tuple(TV_MODELS) + ZOO_MODELS

SIZES = {
    "full": dict(tv_hw=(224, 224), zoo_hw=(224, 224), divisor=1, classes=1000),
    "small": dict(tv_hw=(64, 80), zoo_hw=(96, 96), divisor=12, classes=32),
}
MIN_CHANNELS = 4

CAFFE_BGR_MEAN = (104.0, 117.0, 123.0)

# GoogLeNet's Inception table: name, 1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool proj.
INCEPTION = [
    ("3a", 64, 96, 128, 16, 32, 32),
    ("3b", 128, 128, 192, 32, 96, 64),
    ("4a", 192, 96, 208, 16, 48, 64),
    ("4b", 160, 112, 224, 24, 64, 64),
    ("4c", 128, 128, 256, 24, 64, 64),
    ("4d", 112, 144, 288, 32, 64, 64),
    ("4e", 256, 160, 320, 32, 128, 128),
    ("5a", 256, 160, 320, 32, 128, 128),
    ("5b", 384, 192, 384, 48, 128, 128),
]
POOL_AFTER = {"3b": "pool3", "4e": "pool4"}  # max pools between the stages

REL_TOL_ORT = 1e-5        # tv: ONNX Runtime vs PyTorch, relative to the largest |logit|
REL_TOL_ZOO_TORCH = 1e-4  # zoo: PyTorch implementation vs ONNX Runtime, per row (checks the graph)

# Weight calibration (see the module docstring).
ZOO_CAL_BIAS = True       # zoo conv biases from calibration inputs:
ZOO_BIAS_CENTRE = 0.5     #   -ZOO_BIAS_CENTRE * mean(pre-activation)
ZOO_BIAS_JITTER = 0.25    #   + ZOO_BIAS_JITTER * sigma * N(0, 1)
ZOO_STATS = []            # (conv, pre-activation sigma) of the last calibration


def scaled(n, divisor):
    return n if divisor == 1 else max(MIN_CHANNELS, n // divisor)


def metadata_for(kind, hw):
    if kind == "tv":
        return {"clgooglenet.resize": "%dx%d" % hw,
                "clgooglenet.mean": ",".join(map(str, IMAGENET_MEAN)),
                "clgooglenet.std": ",".join(map(str, IMAGENET_STD))}
    return {"clgooglenet.resize": "%dx%d" % hw, "clgooglenet.scale": "1",
            "clgooglenet.channel_order": "BGR",
            "clgooglenet.mean": ",".join("%g" % m for m in CAFFE_BGR_MEAN)}


# ---- (a) torchvision GoogLeNet ---------------------------------------------

def tv_build(seed, divisor, classes, transform_input, hw):
    import torch
    from torch import nn
    import torchvision
    from torchvision.models.googlenet import BasicConv2d, GoogLeNet, Inception

    torch.manual_seed(seed)  # init_weights=True draws from the global RNG
    if divisor == 1:
        model = torchvision.models.googlenet(
            weights=None, aux_logits=False, transform_input=transform_input,
            init_weights=True, num_classes=classes)
    else:
        class SmallGoogLeNet(GoogLeNet):
            """torchvision's GoogLeNet with every channel count divided:
            same forward(), Inception and BasicConv2d; no aux heads."""

            def __init__(self):
                nn.Module.__init__(self)
                c = lambda n: scaled(n, divisor)  # noqa: E731
                conv, inc = BasicConv2d, Inception
                self.aux_logits = False
                self.transform_input = transform_input
                self.conv1 = conv(3, c(64), kernel_size=7, stride=2, padding=3)
                self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
                self.conv2 = conv(c(64), c(64), kernel_size=1)
                self.conv3 = conv(c(64), c(192), kernel_size=3, padding=1)
                self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
                width = c(192)
                for name, a, b, d, e, f, g in INCEPTION:
                    setattr(self, "inception" + name,
                            inc(width, c(a), c(b), c(d), c(e), c(f), c(g)))
                    width = c(a) + c(d) + c(f) + c(g)
                self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
                self.maxpool4 = nn.MaxPool2d(2, stride=2, ceil_mode=True)
                self.aux1 = None
                self.aux2 = None
                self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
                self.dropout = nn.Dropout(p=0.2)
                self.fc = nn.Linear(width, classes)

        model = SmallGoogLeNet()

    gen = torch.Generator().manual_seed(seed)
    cal = torch.from_numpy(tv_input(seed + 1, CALIBRATION_ITEMS, hw))
    return seed_weights(model, model.fc, cal, gen)


def tv_input(seed, batch, hw):
    """Even items "random normal", odd items ImageNet-normalised images
    (seeded_models.image_input with ImageNet's mean and std)."""
    return image_input(seed, batch, hw, IMAGENET_MEAN, IMAGENET_STD)


def tv_export(model, x, path, keep_bn):
    export(model, x, path, keep_bn)


# ---- (b) the model zoo's Inception-v1 ------------------------------------

def zoo_weights(seed, divisor, classes, hw):
    """Ordered dict of numpy weights: name -> array (Caffe blob names)."""
    rng = np.random.default_rng(seed)
    c = lambda n: scaled(n, divisor)  # noqa: E731
    w = collections.OrderedDict()

    def conv(name, cin, cout, k):
        std = (2.0 / (cin * k * k)) ** 0.5
        w[name + "_w_0"] = (rng.standard_normal((cout, cin, k, k)) * std).astype(np.float32)
        w[name + "_b_0"] = rng.uniform(-0.1, 0.1, cout).astype(np.float32)
        return cout

    conv("conv1/7x7_s2", 3, c(64), 7)
    conv("conv2/3x3_reduce", c(64), c(64), 1)
    width = conv("conv2/3x3", c(64), c(192), 3)
    for name, a, b, d, e, f, g in INCEPTION:
        p = "inception_%s/" % name
        conv(p + "1x1", width, c(a), 1)
        conv(p + "3x3_reduce", width, c(b), 1)
        conv(p + "3x3", c(b), c(d), 3)
        conv(p + "5x5_reduce", width, c(e), 1)
        conv(p + "5x5", c(e), c(f), 5)
        conv(p + "pool_proj", width, c(g), 1)
        width = c(a) + c(d) + c(f) + c(g)
    # Classifier: He-normal, then scaled and shifted on calibration inputs
    # (calibrate_fc) so the softmax is neither one-hot nor input-independent.
    std = (2.0 / width) ** 0.5
    w0 = (rng.standard_normal((classes, width)) * std).astype(np.float32)
    b0 = rng.uniform(-0.1, 0.1, classes).astype(np.float32)
    w["loss3/classifier_w_0"], w["loss3/classifier_b_0"] = w0, b0
    cal = zoo_input(seed + 1, CALIBRATION_ITEMS, hw)
    if ZOO_CAL_BIAS:
        zoo_torch_reference(w, cal, hw, calibrate=rng)
    _, _, feats = zoo_torch_reference(w, cal, hw)
    w["loss3/classifier_w_0"], w["loss3/classifier_b_0"] = calibrate_fc(w0, b0, feats)
    return w


def zoo_final_map(hw):
    """Spatial size before the average pool: conv1 /2, then four 3/2 pools
    with pads [0,0,1,1] (Caffe's ceil rounding)."""
    def conv1(n):
        return (n + 6 - 7) // 2 + 1

    def pool(n):
        return (n + 1 - 3) // 2 + 1
    out = []
    for n in hw:
        n = conv1(n)
        for _ in range(4):
            n = pool(n)
        out.append(n)
    return tuple(out)


def zoo_build(w, classes, hw, opset=9):
    import onnx
    from onnx import helper, TensorProto, numpy_helper

    nodes, inits = [], []
    for name, arr in w.items():
        inits.append(numpy_helper.from_array(arr, name))

    def conv(name, x, k, pad):
        out = name
        nodes.append(helper.make_node(
            "Conv", [x, name + "_w_0", name + "_b_0"], [out + "_1"], name=name,
            kernel_shape=[k, k], strides=[2, 2] if name == "conv1/7x7_s2" else [1, 1],
            pads=[pad] * 4, dilations=[1, 1], group=1))
        nodes.append(helper.make_node("Relu", [out + "_1"], [out + "_2"], name=name + "_relu"))
        return out + "_2"

    def maxpool(name, x, k, s, pads):
        nodes.append(helper.make_node("MaxPool", [x], [name + "_1"], name=name,
                                      kernel_shape=[k, k], strides=[s, s], pads=pads))
        return name + "_1"

    def lrn(name, x):
        nodes.append(helper.make_node("LRN", [x], [name + "_1"], name=name,
                                      size=5, alpha=1e-4, beta=0.75, bias=1.0))
        return name + "_1"

    caffe_pool = [0, 0, 1, 1]  # ceil rounding: one extra row/column of -inf at the end
    x = conv("conv1/7x7_s2", "data_0", 7, 3)
    x = maxpool("pool1/3x3_s2", x, 3, 2, caffe_pool)
    x = lrn("pool1/norm1", x)
    x = conv("conv2/3x3_reduce", x, 1, 0)
    x = conv("conv2/3x3", x, 3, 1)
    x = lrn("conv2/norm2", x)
    x = maxpool("pool2/3x3_s2", x, 3, 2, caffe_pool)
    for name, *_ in INCEPTION:
        p = "inception_%s/" % name
        b1 = conv(p + "1x1", x, 1, 0)
        b2 = conv(p + "3x3", conv(p + "3x3_reduce", x, 1, 0), 3, 1)
        b3 = conv(p + "5x5", conv(p + "5x5_reduce", x, 1, 0), 5, 2)
        b4 = conv(p + "pool_proj", maxpool(p + "pool", x, 3, 1, [1, 1, 1, 1]), 1, 0)
        nodes.append(helper.make_node("Concat", [b1, b2, b3, b4], [p + "output_1"],
                                      name=p + "output", axis=1))
        x = p + "output_1"
        if name in POOL_AFTER:
            x = maxpool(POOL_AFTER[name] + "/3x3_s2", x, 3, 2, caffe_pool)
    fh, fw = zoo_final_map(hw)
    nodes.append(helper.make_node("AveragePool", [x], ["pool5/7x7_s1_1"], name="pool5/7x7_s1",
                                  kernel_shape=[fh, fw], strides=[1, 1], pads=[0, 0, 0, 0]))
    nodes.append(helper.make_node("Dropout", ["pool5/7x7_s1_1"], ["pool5/drop_7x7_s1_1"],
                                  name="pool5/drop_7x7_s1", ratio=0.4))
    # x.view(x.size(0), -1) as the TorchScript exporter wrote it at opset 9.
    nodes += [
        helper.make_node("Shape", ["pool5/drop_7x7_s1_1"], ["OC2_DUMMY_shape"], name="OC2_DUMMY_shape"),
        helper.make_node("Constant", [], ["OC2_DUMMY_zero"], name="OC2_DUMMY_zero",
                         value=numpy_helper.from_array(np.array(0, np.int64), "zero")),
        helper.make_node("Gather", ["OC2_DUMMY_shape", "OC2_DUMMY_zero"], ["OC2_DUMMY_batch"],
                         name="OC2_DUMMY_gather", axis=0),
        helper.make_node("Unsqueeze", ["OC2_DUMMY_batch"], ["OC2_DUMMY_batch1"],
                         name="OC2_DUMMY_unsqueeze", axes=[0]),
        helper.make_node("Constant", [], ["OC2_DUMMY_minus1"], name="OC2_DUMMY_minus1",
                         value=numpy_helper.from_array(np.array([-1], np.int64), "minus1")),
        helper.make_node("Concat", ["OC2_DUMMY_batch1", "OC2_DUMMY_minus1"], ["OC2_DUMMY_target"],
                         name="OC2_DUMMY_concat", axis=0),
        helper.make_node("Reshape", ["pool5/drop_7x7_s1_1", "OC2_DUMMY_target"], ["OC2_DUMMY_0"],
                         name="OC2_DUMMY_0"),
        helper.make_node("Gemm", ["OC2_DUMMY_0", "loss3/classifier_w_0", "loss3/classifier_b_0"],
                         ["loss3/classifier_1"], name="loss3/classifier",
                         alpha=1.0, beta=1.0, transA=0, transB=1),
        helper.make_node("Softmax", ["loss3/classifier_1"], ["prob_1"], name="prob", axis=1),
    ]
    # As in the zoo's files, the weights are graph inputs too (with initializers).
    graph = helper.make_graph(
        nodes, "inception_v1",
        [helper.make_tensor_value_info("data_0", TensorProto.FLOAT, [1, 3, hw[0], hw[1]])]
        + [helper.make_tensor_value_info(k, TensorProto.FLOAT, v.shape) for k, v in w.items()],
        [helper.make_tensor_value_info("prob_1", TensorProto.FLOAT, [1, classes])],
        initializer=inits)
    model = helper.make_model(graph, producer_name="clgooglenet make-imagenet-models.py",
                              opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 4 if opset <= 9 else 7  # what ONNX of that opset's time wrote
    onnx.checker.check_model(model)
    return model


def zoo_torch_reference(w, x, hw, calibrate=None):
    """The same network in PyTorch (an independent check of the ONNX graph).

    calibrate (a numpy Generator): set each convolution's bias, in order,
    from x: minus the mean of its pre-activation per channel, plus
    ZOO_BIAS_JITTER standard deviations of N(0, 1), written back into w."""
    import torch
    from torch.nn import functional as F
    t = {k: torch.from_numpy(v) for k, v in w.items()}

    def conv(name, x, pad, stride=1):
        if calibrate is not None:
            pre = F.conv2d(x, t[name + "_w_0"], None, stride, pad).double()
            mean, std = pre.mean((0, 2, 3)).numpy(), pre.std((0, 2, 3)).numpy()
            b = -ZOO_BIAS_CENTRE * mean + ZOO_BIAS_JITTER * std * calibrate.standard_normal(len(mean))
            w[name + "_b_0"] = b.astype(w[name + "_b_0"].dtype)
            t[name + "_b_0"] = torch.from_numpy(w[name + "_b_0"])
            ZOO_STATS.append((name, float(pre.std())))
        return F.relu(F.conv2d(x, t[name + "_w_0"], t[name + "_b_0"], stride, pad))

    def caffe_pool(x):
        return F.max_pool2d(F.pad(x, (0, 1, 0, 1), value=-float("inf")), 3, 2)

    def lrn(x):
        return F.local_response_norm(x, 5, alpha=1e-4, beta=0.75, k=1.0)

    with torch.no_grad():
        x = torch.from_numpy(x)
        x = lrn(caffe_pool(conv("conv1/7x7_s2", x, 3, 2)))
        x = conv("conv2/3x3", conv("conv2/3x3_reduce", x, 0), 1)
        x = caffe_pool(lrn(x))
        for name, *_ in INCEPTION:
            p = "inception_%s/" % name
            x = torch.cat([
                conv(p + "1x1", x, 0),
                conv(p + "3x3", conv(p + "3x3_reduce", x, 0), 1),
                conv(p + "5x5", conv(p + "5x5_reduce", x, 0), 2),
                conv(p + "pool_proj", F.max_pool2d(x, 3, 1, 1), 0)], 1)
            if name in POOL_AFTER:
                x = caffe_pool(x)
        x = F.avg_pool2d(x, zoo_final_map(hw), 1)
        x = x.reshape(x.shape[0], -1)
        logits = F.linear(x, t["loss3/classifier_w_0"], t["loss3/classifier_b_0"])
        return torch.softmax(logits, 1).numpy(), logits.numpy(), x.numpy()


def zoo_input(seed, batch, hw):
    """Caffe-style BGR pixels minus the means: 255 u - (104, 117, 123),
    u = 0.85 U[0,1) structure + 0.15 U[0,1) noise."""
    rng = np.random.default_rng(seed + 104729)
    hw = tuple(hw)
    x = np.stack([0.85 * smooth_field(rng, hw, rng.random) + 0.15 * rng.random((3,) + hw)
                  for _ in range(batch)]) * 255
    return (x - np.array(CAFFE_BGR_MEAN).reshape(1, 3, 1, 1)).astype(np.float32)


# ---- driver ----------------------------------------------------------------

def make_tv(args, cfg, names, ort_python):
    import torch
    failed = False
    hw = cfg["tv_hw"]
    x = tv_input(args.seed, args.batch, hw)
    print("torch %s, opset 13, input %s" % (torch.__version__, tuple(x.shape)))
    for ti in (True, False):
        todo = [n for n in names if TV_MODELS[n][1] == ti]
        if not todo:
            continue
        model = tv_build(args.seed, cfg["divisor"], cfg["classes"], ti, hw)
        with torch.no_grad():
            y = model(torch.from_numpy(x)).numpy()
        nparams = sum(p.numel() for p in model.parameters())
        for name in todo:
            keep_bn = TV_MODELS[name][0]
            path = os.path.join(args.out, name + ".onnx")
            tv_export(model, x, path, keep_bn)
            set_metadata(path, metadata_for("tv", hw))
            save(args.out, name, x, y)
            print("%s (transform_input=%s, %s, %d parameters)"
                  % (name, ti, "BatchNormalization kept" if keep_bn else "default export",
                     nparams))
            describe(name, path, y)
            print("  ops: " + format_histogram(op_histogram(path)))
            if ort_python:
                yo, who = ort_run(ort_python, path, x)
                rel, rows = rel_err(yo, y)
                same = (yo.argmax(1) == y.argmax(1)).all()
                ok = rel <= REL_TOL_ORT and same
                failed |= not ok
                print("  %s vs PyTorch: max error %.2e of the largest |logit| (rows: %s), "
                      "same top-1: %s%s" % (who, rel, " ".join("%.1e" % r for r in rows),
                                            same, "" if ok else "  FAIL"))
    return failed


def make_zoo(args, cfg, ort_python):
    import onnx
    failed = False
    hw = cfg["zoo_hw"]
    name = ZOO_MODELS[0]
    w = zoo_weights(args.seed, cfg["divisor"], cfg["classes"], hw)
    model = zoo_build(w, cfg["classes"], hw)
    for k, v in metadata_for("zoo", hw).items():
        e = model.metadata_props.add()
        e.key, e.value = k, v
    path = os.path.join(args.out, name + ".onnx")
    onnx.save(model, path)
    x = zoo_input(args.seed, args.batch, hw)
    yt, logits, _ = zoo_torch_reference(w, x, hw)
    print("%s (opset 9, input %s, final map %dx%d, %d parameters)"
          % (name, tuple(x.shape), *zoo_final_map(hw), sum(v.size for v in w.values())))
    print("  pre-softmax logits: std %.3g, max %.3g" % (float(logits.std()), float(np.abs(logits).max())))
    if ort_python:
        # ORT checks the declared batch of 1; run a copy with a symbolic batch.
        dyn = onnx.load(path)
        dyn.graph.input[0].type.tensor_type.shape.dim[0].dim_param = "N"
        dyn.graph.output[0].type.tensor_type.shape.dim[0].dim_param = "N"
        with tempfile.TemporaryDirectory() as td:
            p = os.path.join(td, "dyn.onnx")
            onnx.save(dyn, p)
            y, who = ort_run(ort_python, p, x)
        rel, rows = rel_err(yt, y)
        same = (yt.argmax(1) == y.argmax(1)).all()
        ok = rows.max() <= REL_TOL_ZOO_TORCH and same
        failed |= not ok
        print("  reference: %s; PyTorch implementation vs it: max error %.2e of the largest "
              "(rows: %s), same top-1: %s%s" % (who, rel, " ".join("%.1e" % r for r in rows),
                                               same, "" if ok else "  FAIL"))
    else:
        y = yt
        print("  reference: PyTorch implementation (no ONNX Runtime)")
    save(args.out, name, x, y)
    describe(name, path, y)
    print("  ops: " + format_histogram(op_histogram(path)))
    return failed


def main():
    ap = argparse.ArgumentParser(
        description="Seeded torchvision GoogLeNet and zoo Inception-v1 ONNX models with "
                    "reference outputs (see the module docstring).")
    add_generator_args(ap, SIZES, ALL_MODELS)
    args = ap.parse_args()
    names, ort_python = check_generator_args(ap, args, ALL_MODELS)
    cfg = SIZES[args.size]

    failed = False
    tv = [n for n in names if n in TV_MODELS]
    if tv:
        failed |= make_tv(args, cfg, tv, ort_python)
    if ZOO_MODELS[0] in names:
        failed |= make_zoo(args, cfg, ort_python)
    if failed:
        print("FAILED: ONNX Runtime and PyTorch disagree (tolerances: tv %g, zoo %g)"
              % (REL_TOL_ORT, REL_TOL_ZOO_TORCH))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
