#!/usr/bin/python3
"""Export a trained Fashion-MNIST GoogLeNet checkpoint to ONNX, plus test assets.

Run with Debian's /usr/bin/python3 (torch 1.13, onnx, python3-opencv).  Writes,
under --models-dir (default models/):

  googlenet-fashion-mnist.onnx   opset 13, input "input" [batch,1,96,96],
                                 output "logits" [batch,10], clgooglenet.* metadata
  samples/<k>-<name>.png         first test image of each class (28x28 gray)
  reference/logits-500.npy       float32 [500,10] PyTorch logits, first 500 test images
  reference/predictions-500.txt  argmax of those logits, one class index per line
  README.md                      model card (history from OUT_DIR/history.json)

The test accuracy stored in the metadata is re-measured here in float32 on all
10,000 test images with the d2l preprocessing (x/255, bilinear resize to 96x96,
align_corners=False, antialias=False).
"""

import argparse
import hashlib
import json
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
from d2l_googlenet import googlenet  # noqa: E402
from train_fashion_mnist import CLASSES, load_split, preprocess  # noqa: E402

ALLOWED_OPS = {"Conv", "Relu", "MaxPool", "Concat", "GlobalAveragePool", "Flatten", "Gemm"}
SLUGS = ["tshirt-top", "trouser", "pullover", "dress", "coat",
         "sandal", "shirt", "sneaker", "bag", "ankle-boot"]


@torch.no_grad()
def logits_of(model, x_uint8, batch=250):
    """Float32 logits for uint8 [N,28,28] images, d2l preprocessing."""
    out = []
    for i in range(0, x_uint8.shape[0], batch):
        out.append(model(preprocess(x_uint8[i:i + batch])))
    return torch.cat(out)


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", default="build-train/best.pt",
                    help="best.pt or last.pt written by train_fashion_mnist.py")
    ap.add_argument("--models-dir", default="models")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-eval", action="store_true",
                    help="skip the 10k-image float32 evaluation (uses the checkpoint's number)")
    args = ap.parse_args()

    import cv2
    import onnx
    from onnx import helper

    torch.set_num_threads(args.threads)
    ck = torch.load(args.checkpoint, map_location="cpu")
    model = googlenet(in_channels=1, num_classes=10)
    model.load_state_dict(ck["model"])
    model.eval()
    train_dir = os.path.dirname(os.path.abspath(args.checkpoint))

    x_test, y_test = load_split("t10k")
    t0 = time.time()
    if args.no_eval:
        acc = float(ck.get("test_acc", float("nan")))
        ref_logits = logits_of(model, x_test[:500])
    else:
        all_logits = logits_of(model, x_test)
        acc = (all_logits.argmax(1) == y_test).float().mean().item()
        ref_logits = all_logits[:500]
    print(f"float32 test accuracy {acc:.4f} ({time.time() - t0:.0f}s)", flush=True)

    # ONNX export (opset 13, dynamic batch).
    os.makedirs(args.models_dir, exist_ok=True)
    onnx_path = os.path.join(args.models_dir, "googlenet-fashion-mnist.onnx")
    torch.onnx.export(model, torch.zeros(1, 1, 96, 96), onnx_path, opset_version=13,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      do_constant_folding=True)
    m = onnx.load(onnx_path)
    ops = {n.op_type for n in m.graph.node}
    if not ops <= ALLOWED_OPS:
        raise SystemExit(f"unexpected ONNX ops: {sorted(ops - ALLOWED_OPS)}")
    props = {
        "clgooglenet.classes": ",".join(CLASSES),
        "clgooglenet.input_layout": "NCHW",
        "clgooglenet.input_channels": "1",
        "clgooglenet.resize": "96x96",
        "clgooglenet.resize_method": "bilinear",
        "clgooglenet.resize_align_corners": "0",
        "clgooglenet.resize_antialias": "0",
        "clgooglenet.scale": repr(1.0 / 255.0),
        "clgooglenet.mean": "0",
        "clgooglenet.std": "1",
        "clgooglenet.dataset": "Fashion-MNIST",
        "clgooglenet.test_accuracy": f"{acc:.4f}",
    }
    helper.set_model_props(m, props)
    onnx.checker.check_model(m)
    onnx.save(m, onnx_path)
    digest, size = sha256(onnx_path), os.path.getsize(onnx_path)
    print(f"wrote {onnx_path} ({size} bytes, sha256 {digest}); ops {sorted(ops)}")

    # One sample PNG per class: the first test image with that label.
    sdir = os.path.join(args.models_dir, "samples")
    os.makedirs(sdir, exist_ok=True)
    for k, slug in enumerate(SLUGS):
        i = int((y_test == k).nonzero()[0])
        cv2.imwrite(os.path.join(sdir, f"{k}-{slug}.png"), x_test[i].numpy())

    # Reference outputs for the first 500 test images.
    rdir = os.path.join(args.models_dir, "reference")
    os.makedirs(rdir, exist_ok=True)
    np.save(os.path.join(rdir, "logits-500.npy"), ref_logits.numpy().astype(np.float32))
    with open(os.path.join(rdir, "predictions-500.txt"), "w") as f:
        f.writelines(f"{int(p)}\n" for p in ref_logits.argmax(1))

    write_card(args, ck, train_dir, acc, digest, size, props)


def write_card(args, ck, train_dir, acc, digest, size, props):
    """models/README.md, filled from the training history and the export."""
    hist_path = os.path.join(train_dir, "history.json")
    history = json.load(open(hist_path)) if os.path.exists(hist_path) else []
    targs = ck.get("args", {})
    rows = "\n".join(
        f"| {h['epoch']} | {h.get('steps', '')} | {h['train_loss']:.4f} | {h['train_acc']:.4f} "
        f"| {h['test_acc']:.4f} | {h['seconds']:.0f} |" for h in history)
    total_s = history[-1]["seconds"] if history else float("nan")
    cmd = (f"/work/torch-venv/bin/python tools/train/train_fashion_mnist.py "
           f"--epochs {targs.get('epochs')} {'--bf16 ' if targs.get('bf16') else ''}"
           f"--out-dir {targs.get('out_dir', 'build-train')}")
    meta = "\n".join(f"| `{k}` | `{v}` |" for k, v in props.items())
    card = f"""# GoogLeNet (d2l) trained on Fashion-MNIST

`googlenet-fashion-mnist.onnx`: the d2l.ai GoogLeNet (`tools/d2l_googlenet.py`,
`googlenet(in_channels=1, num_classes=10)`), float32, ONNX opset 13.

- Input `input`: float32 `[batch, 1, 96, 96]` (NCHW, dynamic batch); output `logits`: `[batch, 10]`.
- Ops: Conv, Relu, MaxPool, Concat, GlobalAveragePool, Flatten, Gemm.
- Size: {size} bytes; SHA-256 `{digest}`.
- **Test accuracy (top-1, 10,000 test images, float32): {acc:.4f}**

## Data and preprocessing

Fashion-MNIST from Debian's `dataset-fashion-mnist`
(`/usr/share/datasets/fashion-mnist/*-ubyte.gz`): 60,000 training, 10,000 test images.

Exactly d2l's preprocessing, which a runtime must reproduce:

1. 28x28 uint8 grayscale -> float32, multiplied by 1/255 (range [0, 1]); no mean/std
   normalisation (mean 0, std 1).
2. Resize to 96x96 with `torch.nn.functional.interpolate(x, size=(96, 96),
   mode='bilinear', align_corners=False, antialias=False)`: each output pixel
   `(oy, ox)` samples source coordinate `sy = (oy + 0.5) * 28/96 - 0.5` (clamped
   below at 0), likewise `sx`; it interpolates linearly between the pixels
   `floor(s)` and `min(floor(s) + 1, 27)` with weights `1 - frac(s)` and `frac(s)`.
   Scaling by 1/255 before or after the resize gives the same result up to rounding.

## Training

- Trainer: `tools/train/train_fashion_mnist.py` (PyTorch {ck.get('torch_version', '2.5.1 from PyPI')}
  in `/work/torch-venv`, CPU, 2 threads); exported with Debian's torch 1.13 by
  `tools/train/export_model.py`.
- Recipe: AdamW, peak lr {targs.get('lr')}, weight decay {targs.get('weight_decay')},
  batch {targs.get('batch')}, {targs.get('epochs')} epochs, {targs.get('warmup_steps')}-step linear
  warmup then per-step cosine decay to 0, label smoothing {targs.get('label_smoothing')},
  gradient-norm clip 5, Kaiming-normal conv init / N(0, 0.01) classifier init, zero biases,
  augmentation {'random crop (pad 2) + horizontal flip' if targs.get('augment') else 'none'},
  {'bfloat16 autocast (weights and optimizer in float32)' if targs.get('bf16') else 'float32'},
  seed {targs.get('seed')}. A fractional epoch count means the last epoch is partial.
- Per-epoch test accuracy below was measured with the training autocast setting;
  the headline number above is float32.
- Total training time: {total_s:.0f} s on a shared 2-core CPU.

| epoch | steps | train loss | train acc | test acc | cumulative s |
|---|---|---|---|---|---|
{rows}

Reproduce (the venv: `/usr/bin/python3 -m venv /work/torch-venv &&
/work/torch-venv/bin/pip install torch==2.5.1 numpy`, PyPI; Debian's torch 1.13 trains
the same code but about 2x slower here):

```sh
{cmd}        # add --resume to continue an interrupted run
/usr/bin/python3 tools/train/export_model.py --checkpoint {os.path.join(targs.get('out_dir', 'build-train'), 'best.pt')}
```

## ONNX metadata (`metadata_props`)

| key | value |
|---|---|
{meta}

## Other files

- `samples/<k>-<class>.png`: the first test image of each class k (28x28 grayscale PNG).
- `reference/logits-500.npy`: float32 `[500, 10]` PyTorch logits for test images 0..499
  with the preprocessing above; `reference/predictions-500.txt`: their argmax, one per line.
"""
    with open(os.path.join(args.models_dir, "README.md"), "w") as f:
        f.write(card)


if __name__ == "__main__":
    main()
