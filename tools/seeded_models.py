#!/usr/bin/python3
"""Shared pieces of the seeded-model generators (make-imagenet-models.py,
make-inception-models.py): weight seeding and calibration, test inputs,
ONNX export, ONNX Runtime in a second interpreter, comparisons and reports.

Weights (seed_weights): convolutions and linear layers He-normal (biases
U(-0.1, 0.1)); every BatchNorm2d gets weight U(0.5, 1.5), bias U(-0.25,
0.25), and running statistics measured on calibration inputs (one train-mode
pass) then perturbed: mean += 0.5 sigma N(0,1), var *= exp(U(-0.7, 0.7)),
var += 0.3 x the layer's median var, so that folding or epsilon mistakes show
while the network still depends on its input. The classifier is rescaled and
shifted on the calibration features (calibrate_fc) so that top-1 varies with
the input.

Inputs (image_input): every image has large-scale structure (a random 2x2..5x5
grid bilinearly upsampled) plus pixel noise; even items "random normal",
odd items normalised [0,1] images.

Importing this module needs numpy only; torch and onnx are imported where
used. Run as a script it is the ONNX Runtime side of ort_run:
    PY seeded_models.py --ort-run MODEL.onnx IN.npy OUT.npy
"""

import collections
import copy
import inspect
import os
import subprocess
import sys
import tempfile

import numpy as np

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

CALIBRATION_ITEMS = 8     # inputs (seed + 1) that set BN statistics and the FC scale
BN_MEAN_SHIFT = 0.5       # running_mean += BN_MEAN_SHIFT * sigma * N(0, 1)
BN_LOG_VAR = 0.7          # running_var *= exp(U(-BN_LOG_VAR, BN_LOG_VAR)) ...
BN_VAR_FLOOR = 0.3        # ... + BN_VAR_FLOOR * the layer's median running_var
LOGIT_STD = 2.0           # the logits' spread over calibration inputs and classes

# Interpreters with onnxruntime tried after --ort-python, this one and $ORT_PYTHON.
ORT_PYTHONS = ("/work/torch-venv/bin/python", "/work/venvs/peers/bin/python")


def calibrate_fc(w, b, feats, target=LOGIT_STD):
    """Scale and shift a He-normal classifier so that, on the calibration
    features, the logits have mean ~b per class and standard deviation
    `target`: a random network's features share a large input-independent
    part, which would otherwise fix the top-1 class for every input."""
    z = feats.astype(np.float64) @ w.T.astype(np.float64)
    mu = z.mean(0)
    g = target / max(float((z - mu).std()), 1e-30)
    return (w * g).astype(np.float32), (b - g * mu).astype(np.float32)


def seed_weights(model, fc, cal, gen):
    """Seeded weights for a torch model of Conv2d, Linear and BatchNorm2d
    layers (see the module docstring); `fc` is its classifier (an
    nn.Linear), `cal` a calibration batch (torch tensor), `gen` a
    torch.Generator. Leaves the model in eval mode."""
    import torch
    from torch import nn
    bns = [m for m in model.modules() if isinstance(m, nn.BatchNorm2d)]
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                std = (2.0 / m.weight[0].numel()) ** 0.5
                m.weight.copy_(torch.randn(m.weight.shape, generator=gen) * std)
                if m.bias is not None:
                    m.bias.copy_((torch.rand(m.bias.shape, generator=gen) * 2 - 1) * 0.1)
        for m in bns:
            n = m.num_features
            m.weight.copy_(0.5 + torch.rand(n, generator=gen))
            m.bias.copy_((torch.rand(n, generator=gen) * 2 - 1) * 0.25)
        # Running statistics: those of a calibration batch (one train-mode
        # pass, cumulative average), then perturbed, so that each BN both
        # centres its channels roughly as a trained one does and is not an
        # exact batch normalisation: mean += 0.5 sigma N(0,1), var *= e^U(-0.7,0.7).
        for m in bns:
            m.reset_running_stats()
            m.momentum = None
        model.train()
        model(cal)
        for m in bns:
            n = m.num_features
            m.momentum = 0.1
            m.running_mean.add_(BN_MEAN_SHIFT * m.running_var.sqrt() * torch.randn(n, generator=gen))
            m.running_var.mul_(torch.exp((torch.rand(n, generator=gen) * 2 - 1) * BN_LOG_VAR))
            m.running_var.add_(BN_VAR_FLOOR * m.running_var.median())
        model.eval()
        feats = []
        hook = fc.register_forward_hook(lambda mod, i, o: feats.append(i[0].numpy()))
        model(cal)
        hook.remove()
        w, b = calibrate_fc(fc.weight.numpy(), fc.bias.numpy(), feats[0])
        fc.weight.copy_(torch.from_numpy(w))
        fc.bias.copy_(torch.from_numpy(b))
    return model


def float64_run(model, x):
    """The model's output in float64 (a double copy of it, same weights)."""
    import torch
    m64 = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        return m64(torch.from_numpy(np.asarray(x, np.float64))).numpy()


def rel_err(a, b):
    """max |a - b| / max |b| over the whole array, and per row."""
    a = np.asarray(a, np.float64).reshape(len(b), -1)
    b = np.asarray(b, np.float64).reshape(len(b), -1)
    rows = np.abs(a - b).max(1) / np.maximum(np.abs(b).max(1), 1e-30)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-30)), rows


def op_histogram(path):
    import onnx
    m = onnx.load(path)
    onnx.checker.check_model(m)
    return collections.Counter(n.op_type for n in m.graph.node)


def format_histogram(h):
    return ", ".join("%s x%d" % kv for kv in sorted(h.items()))


# ---- inputs -----------------------------------------------------------------

def smooth_field(rng, hw, draw):
    """3 x H x W: a random grid of 2x2 to 5x5 values (draw(shape)) bilinearly
    upsampled. Inputs need large-scale structure: after the global average
    pool, networks see i.i.d. noise images as nearly the same picture, and
    the logits' input-dependent part would drown in float32 rounding."""
    g = int(rng.integers(2, 6))

    def interp(n):  # n x g, align_corners=True
        pos = np.linspace(0, g - 1, n)
        i0 = np.minimum(np.floor(pos).astype(int), g - 2)
        a = np.zeros((n, g))
        a[np.arange(n), i0] = 1 - (pos - i0)
        a[np.arange(n), i0 + 1] = pos - i0
        return a
    return np.einsum("hi,cij,wj->chw", interp(hw[0]), draw((3, g, g)), interp(hw[1]))


def image_input(seed, batch, hw, mean=IMAGENET_MEAN, std=IMAGENET_STD):
    """Even items: "random normal", N(0,1) structure + 0.3 N(0,1) noise;
    odd items: normalised [0,1] images, (u - mean) / std with
    u = 0.85 U[0,1) structure + 0.15 U[0,1) noise."""
    rng = np.random.default_rng(seed + 7919)
    hw = tuple(hw)
    x = np.empty((batch, 3) + hw, np.float32)
    mean = np.array(mean).reshape(3, 1, 1)
    std = np.array(std).reshape(3, 1, 1)
    for i in range(batch):
        if i % 2 == 0:
            x[i] = smooth_field(rng, hw, rng.standard_normal) + 0.3 * rng.standard_normal((3,) + hw)
        else:
            u = 0.85 * smooth_field(rng, hw, rng.random) + 0.15 * rng.random((3,) + hw)
            x[i] = (u - mean) / std
    return x


# ---- export -------------------------------------------------------------------

def export(model, x, path, keep_bn=False, opset=13):
    """torch.onnx.export (TorchScript exporter) with a dynamic batch axis,
    input 'input', output 'logits'. keep_bn: training=PRESERVE (model in
    eval mode), which skips the eval peephole pass that folds BN into Conv."""
    import torch
    kw = {}
    if keep_bn:
        kw["training"] = torch.onnx.TrainingMode.PRESERVE
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        kw["dynamo"] = False
    with torch.no_grad():
        torch.onnx.export(model, torch.from_numpy(x[:1]), path, export_params=True,
                          opset_version=opset, do_constant_folding=True,
                          input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                          **kw)


def set_metadata(path, props):
    import onnx
    m = onnx.load(path)
    for k, v in props.items():
        e = m.metadata_props.add()
        e.key, e.value = k, v
    onnx.save(m, path)


# ---- ONNX Runtime, possibly in another interpreter ------------------------

def ort_run_here(model, inp, out):
    """Internal mode (--ort-run): numpy and onnxruntime only."""
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])
    x = np.load(inp)
    y = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    np.save(out, y.astype(np.float32))
    print("onnxruntime %s: %s" % (ort.__version__, os.path.basename(model)))


def find_ort_python(arg):
    """--ort-python, else this interpreter if it has onnxruntime, else
    $ORT_PYTHON, else the first of ORT_PYTHONS that exists; None if none."""
    if arg:
        return arg
    try:
        import onnxruntime  # noqa: F401
        return sys.executable
    except ImportError:
        pass
    env = os.environ.get("ORT_PYTHON")
    if env:
        return env
    for p in ORT_PYTHONS:
        if os.access(p, os.X_OK):
            return p
    return None


def ort_run(python, model_path, x):
    """Runs model_path on x with ONNX Runtime in `python`: (output, 'who')."""
    with tempfile.TemporaryDirectory() as td:
        inp, out = os.path.join(td, "in.npy"), os.path.join(td, "out.npy")
        np.save(inp, x)
        r = subprocess.run([python, os.path.abspath(__file__), "--ort-run",
                            model_path, inp, out], capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("onnxruntime (%s) failed on %s:\n%s"
                               % (python, model_path, r.stderr))
        return np.load(out), r.stdout.strip()


# ---- files and reports ------------------------------------------------------

def save(out, name, x, y, input_dtype=np.float32):
    np.save(os.path.join(out, name + ".input.npy"), np.ascontiguousarray(x, input_dtype))
    np.save(os.path.join(out, name + ".output.npy"), np.ascontiguousarray(y, np.float32))


def describe(name, path, y):
    y2 = np.sort(y.reshape(len(y), -1), 1)
    margin = (y2[:, -1] - y2[:, -2]) / np.abs(y2).max(1)
    print("  %s: %d bytes; output %s, max |y| %.4g, top-1 %s, top-1 margin >= %.2g of the "
          "row's largest" % (os.path.basename(path), os.path.getsize(path), tuple(y.shape),
                             float(np.abs(y).max()),
                             [int(i) for i in y.reshape(len(y), -1).argmax(1)], margin.min()))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--ort-run":
        ort_run_here(*sys.argv[2:])
        sys.exit(0)
    print(__doc__)
    sys.exit(2)


def add_generator_args(ap, sizes, all_models):
    """The options every model generator takes: --out, --size, --seed, --batch,
    --models, --ort-python, --no-ort."""
    ap.add_argument("--out", default=".", help="output directory (made if missing)")
    ap.add_argument("--size", choices=sorted(sizes), default="full")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=1, help="batch of the reference input")
    ap.add_argument("--models", default=",".join(all_models),
                    help="comma-separated subset of: " + ", ".join(all_models))
    ap.add_argument("--ort-python", help="interpreter with onnxruntime (default: this one if "
                    "it has it, else $ORT_PYTHON, else /work/torch-venv/bin/python or "
                    "/work/venvs/peers/bin/python)")
    ap.add_argument("--no-ort", action="store_true", help="do not use ONNX Runtime")


def check_generator_args(ap, args, all_models):
    """Validates add_generator_args' options (ap.error on a bad one), makes --out;
    returns the model names and the ONNX Runtime interpreter (None: --no-ort)."""
    if args.batch < 1:
        ap.error("--batch must be >= 1")
    names = [n for n in args.models.split(",") if n]
    bad = [n for n in names if n not in all_models]
    if bad:
        ap.error("unknown model(s): %s" % ", ".join(bad))
    ort_python = None if args.no_ort else find_ort_python(args.ort_python)
    if not args.no_ort and not ort_python:
        ap.error("no interpreter with onnxruntime found: give --ort-python or --no-ort")
    os.makedirs(args.out, exist_ok=True)
    return names, ort_python
