#!/usr/bin/python3
"""Train the d2l GoogLeNet (tools/d2l_googlenet.py) on Fashion-MNIST on the CPU.

Preprocessing is exactly d2l's: the 28x28 uint8 image is scaled to [0,1]
(x / 255, no mean/std normalisation) and resized to 96x96 with
torch.nn.functional.interpolate(mode='bilinear', align_corners=False,
antialias=False).  With --augment, training adds mild augmentation *before* the resize
(random 28x28 crop from the image zero-padded by 2, random horizontal flip);
the test set is never augmented.

Recipe (defaults): AdamW, peak lr 1e-3, weight decay 0.05, batch 128,
3.5 epochs, 100-step linear warmup then cosine decay to 0 (per step), label
smoothing 0.1, grad-norm clip 5, Kaiming-normal init, no augmentation.
The shared 2-core CPU manages only ~30-130 images/s, hence the short run.
Optional bfloat16 autocast (--bf16, also used for the per-epoch evaluation)
for speed on CPUs with AVX512-BF16; weights and optimizer stay float32.

Checkpoints (in --out-dir): last.pt (full training state, written after each
epoch and every --ckpt-minutes mid-epoch; --resume continues from it),
best.pt (model weights with the best test accuracy), history.json, train.log.
"""

import argparse
import gzip
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from d2l_googlenet import googlenet  # noqa: E402

DATA_DIR = "/usr/share/datasets/fashion-mnist"
CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
           "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
RESIZE = 96


def load_idx(path):
    """Read an IDX file (gzip-compressed) into a numpy uint8 array."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_split(split):
    """Return (images uint8 [N,28,28], labels int64 [N]) for 'train' or 't10k'."""
    x = load_idx(os.path.join(DATA_DIR, f"{split}-images-idx3-ubyte.gz"))
    y = load_idx(os.path.join(DATA_DIR, f"{split}-labels-idx1-ubyte.gz"))
    return torch.from_numpy(x.copy()), torch.from_numpy(y.astype(np.int64))


def preprocess(x_uint8):
    """d2l preprocessing: uint8 [N,28,28] -> float32 [N,1,96,96] in [0,1]."""
    x = x_uint8.unsqueeze(1).float() / 255.0
    return F.interpolate(x, size=(RESIZE, RESIZE), mode="bilinear",
                         align_corners=False, antialias=False)


def augment(x_uint8, gen):
    """Random crop (pad 2 with zeros) + random horizontal flip on 28x28 uint8."""
    n = x_uint8.shape[0]
    padded = F.pad(x_uint8, (2, 2, 2, 2))
    offs = torch.randint(0, 5, (n, 2), generator=gen)
    flips = torch.rand(n, generator=gen) < 0.5
    out = torch.empty_like(x_uint8)
    for i in range(n):
        dy, dx = int(offs[i, 0]), int(offs[i, 1])
        img = padded[i, dy:dy + 28, dx:dx + 28]
        out[i] = img.flip(-1) if flips[i] else img
    return out


def build_model():
    """d2l GoogLeNet: Kaiming-normal convs, small-normal classifier, zero biases."""
    model = googlenet(in_channels=1, num_classes=10)
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            torch.nn.init.zeros_(m.bias)
        elif isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, std=0.01)
            torch.nn.init.zeros_(m.bias)
    return model


def lr_at(step, total, warmup, peak):
    """Linear warmup to `peak`, then cosine decay to 0."""
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return peak * 0.5 * (1.0 + math.cos(math.pi * min(1.0, t)))


@torch.no_grad()
def evaluate(model, x_test96, y_test, bf16, batch=500):
    """Top-1 accuracy on the (already preprocessed) test tensors.

    Uses the training autocast setting (bf16 halves the eval time here);
    export_model.py re-measures the final accuracy in float32.
    """
    model.eval()
    correct = 0
    for i in range(0, x_test96.shape[0], batch):
        xb = x_test96[i:i + batch].contiguous(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            pred = model(xb).argmax(1)
        correct += (pred == y_test[i:i + batch]).sum().item()
    model.train()
    return correct / x_test96.shape[0]


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--epochs", type=float, default=3.5,
                    help="may be fractional: the last epoch is then partial")
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--lr", type=float, default=1e-3, help="peak learning rate")
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--warmup-steps", type=int, default=100)
    ap.add_argument("--label-smoothing", type=float, default=0.1)
    ap.add_argument("--augment", action="store_true",
                    help="random crop (pad 2) + horizontal flip; off by default for short runs")
    ap.add_argument("--bf16", action="store_true",
                    help="bfloat16 autocast for the training forward pass")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out-dir", default="build-train")
    ap.add_argument("--resume", action="store_true", help="continue from OUT_DIR/last.pt")
    ap.add_argument("--ckpt-minutes", type=float, default=10.0,
                    help="mid-epoch checkpoint interval")
    ap.add_argument("--log-every", type=int, default=20, help="steps between progress lines")
    ap.add_argument("--limit", type=int, default=0,
                    help="use only the first N train and test images (smoke test)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out_dir, exist_ok=True)
    log_f = open(os.path.join(args.out_dir, "train.log"), "a")

    def log(msg):
        line = time.strftime("%Y-%m-%d %H:%M:%S ") + msg
        print(line, flush=True)
        log_f.write(line + "\n")
        log_f.flush()

    x_train, y_train = load_split("train")
    x_test, y_test = load_split("t10k")
    if args.limit:
        x_train, y_train = x_train[:args.limit], y_train[:args.limit]
        x_test, y_test = x_test[:args.limit], y_test[:args.limit]
    x_test96 = preprocess(x_test)  # 10000x1x96x96 float32, ~370 MB

    model = build_model().to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    n_train = x_train.shape[0]
    steps_per_epoch = n_train // args.batch  # drop the last partial batch
    total_steps = round(steps_per_epoch * args.epochs)
    n_epochs = math.ceil(total_steps / steps_per_epoch)

    state = {"epoch": 0, "step_in_epoch": 0, "global_step": 0, "history": [],
             "best_acc": -1.0, "train_seconds": 0.0,
             "epoch_loss_sum": 0.0, "epoch_correct": 0, "epoch_seen": 0}
    last_path = os.path.join(args.out_dir, "last.pt")
    if args.resume and os.path.exists(last_path):
        ck = torch.load(last_path, map_location="cpu")
        model.load_state_dict(ck["model"])
        opt.load_state_dict(ck["optimizer"])
        state = ck["state"]
        log(f"resumed from {last_path}: epoch {state['epoch']} step {state['step_in_epoch']}")
    log(f"args: {vars(args)}; torch {torch.__version__}; threads {torch.get_num_threads()}; "
        f"{n_train} train / {x_test.shape[0]} test images; {steps_per_epoch} steps/epoch, {total_steps} steps in all")

    def checkpoint():
        save_atomic({"model": model.state_dict(), "optimizer": opt.state_dict(),
                     "state": state, "args": vars(args)}, last_path)

    model.train()
    last_ckpt = time.time()
    while state["epoch"] < n_epochs:
        epoch = state["epoch"]
        # Deterministic per-epoch order, so a mid-epoch resume sees the same batches.
        perm = torch.randperm(n_train, generator=torch.Generator().manual_seed(args.seed * 1000 + epoch))
        t_epoch = time.time()
        epoch_steps = min(steps_per_epoch, total_steps - epoch * steps_per_epoch)
        while state["step_in_epoch"] < epoch_steps:
            s = state["step_in_epoch"]
            idx = perm[s * args.batch:(s + 1) * args.batch]
            xb, yb = x_train[idx], y_train[idx]
            if args.augment:
                gen = torch.Generator().manual_seed((args.seed * 1000 + epoch) * 100000 + s)
                xb = augment(xb, gen)
            xb = preprocess(xb).contiguous(memory_format=torch.channels_last)

            lr = lr_at(state["global_step"], total_steps, args.warmup_steps, args.lr)
            for g in opt.param_groups:
                g["lr"] = lr
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=args.bf16):
                logits = model(xb)
            loss = F.cross_entropy(logits.float(), yb, label_smoothing=args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()

            state["epoch_loss_sum"] += loss.item() * yb.shape[0]
            state["epoch_correct"] += (logits.argmax(1) == yb).sum().item()
            state["epoch_seen"] += yb.shape[0]
            state["step_in_epoch"] += 1
            state["global_step"] += 1
            now = time.time()
            state["train_seconds"] += now - t_epoch
            t_epoch = now
            if state["step_in_epoch"] % args.log_every == 0:
                log(f"epoch {epoch + 1} step {state['step_in_epoch']}/{epoch_steps} "
                    f"lr {lr:.2e} loss {state['epoch_loss_sum'] / state['epoch_seen']:.4f} "
                    f"acc {state['epoch_correct'] / state['epoch_seen']:.4f} "
                    f"elapsed {state['train_seconds']:.0f}s")
            if now - last_ckpt > args.ckpt_minutes * 60 and state["step_in_epoch"] < epoch_steps:
                checkpoint()
                last_ckpt = time.time()
                log("mid-epoch checkpoint written")

        t_eval = time.time()
        acc = evaluate(model, x_test96, y_test, args.bf16)
        state["train_seconds"] += time.time() - t_eval
        rec = {"epoch": epoch + 1, "steps": epoch_steps,
               "train_loss": state["epoch_loss_sum"] / max(1, state["epoch_seen"]),
               "train_acc": state["epoch_correct"] / max(1, state["epoch_seen"]),
               "test_acc": acc, "seconds": round(state["train_seconds"], 1)}
        state["history"].append(rec)
        log(f"EPOCH {rec['epoch']} train_loss {rec['train_loss']:.4f} train_acc {rec['train_acc']:.4f} "
            f"test_acc {acc:.4f} total_seconds {rec['seconds']:.0f}")
        if acc > state["best_acc"]:
            state["best_acc"] = acc
            save_atomic({"model": model.state_dict(), "epoch": epoch + 1, "test_acc": acc,
                         "args": vars(args)}, os.path.join(args.out_dir, "best.pt"))
        state.update(epoch=epoch + 1, step_in_epoch=0, epoch_loss_sum=0.0,
                     epoch_correct=0, epoch_seen=0)
        checkpoint()
        last_ckpt = time.time()
        with open(os.path.join(args.out_dir, "history.json"), "w") as f:
            json.dump(state["history"], f, indent=1)
    log(f"done: best test acc {state['best_acc']:.4f}, {state['train_seconds']:.0f}s")


if __name__ == "__main__":
    main()
