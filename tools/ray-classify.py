#!/usr/bin/env python3
"""Classifies images with clgooglenet on Ray: ray.data map_batches over a pool
of actors, each holding one InferenceSession (one OpenCL context) for its
whole life.

  tools/ray-classify.py                      the Fashion-MNIST test set (10,000 images)
  tools/ray-classify.py --images DIR         PNG/JPEG files under DIR
  tools/ray-classify.py --local              the same in this process, without Ray

Prints accuracy when labels exist (Fashion-MNIST; files under DIR/<class>/
or named <class index>-*.png as in models/samples) and images/s. Options:
--concurrency (actors), --batch-size (images per call), --device (spec for
every actor), --address (a running Ray cluster; default: a local one).
Each actor warms up (plans its batch size) before the timed part.
"""
import argparse
import gzip
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
IMAGE_EXTS = (".png", ".jpg", ".jpeg")


def default_model():
    path = os.path.join(ROOT, "models", "googlenet-fashion-mnist.onnx")
    if os.path.isfile(path):
        return path
    import clgooglenet
    return clgooglenet.bundled_model()


def read_idx(path, magic):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    got = int.from_bytes(data[:4], "big")
    if got != magic:
        sys.exit(f"{path}: not an IDX file of the expected kind (magic {got:#x}, expected {magic:#x})")
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find(dirname, name):
    for candidate in (os.path.join(dirname, name + ".gz"), os.path.join(dirname, name)):
        if os.path.isfile(candidate):
            return candidate
    sys.exit(f"the Fashion-MNIST test set is not in {dirname} (no {name}.gz): install Debian's "
             f"dataset-fashion-mnist or pass --fashion-mnist DIR")


def fashion_mnist(dirname, limit):
    images = read_idx(find(dirname, "t10k-images-idx3-ubyte"), 0x803)
    labels = read_idx(find(dirname, "t10k-labels-idx1-ubyte"), 0x801)
    if limit:
        images, labels = images[:limit], labels[:limit]
    return images, labels.astype(np.int64)


def image_files(dirname, class_names, limit):
    """Paths under dirname and their labels (-1 when unknown)."""
    lower = {n.lower(): i for i, n in enumerate(class_names or [])}
    paths, labels = [], []
    for top, dirs, files in os.walk(dirname):
        dirs.sort()
        for f in sorted(files):
            if not f.lower().endswith(IMAGE_EXTS):
                continue
            label = -1
            parent = os.path.basename(top).lower()
            head = f.split("-", 1)[0]
            if top != dirname and parent in lower:
                label = lower[parent]
            elif top != dirname and parent.isdigit():
                label = int(parent)
            elif "-" in f and head.isdigit():
                label = int(head)
            paths.append(os.path.join(top, f))
            labels.append(label)
    if limit:
        paths, labels = paths[:limit], labels[:limit]
    if not paths:
        sys.exit(f"no PNG or JPEG files under {dirname}")
    return paths, np.array(labels, np.int64)


class Classifier:
    """One InferenceSession per actor; called with batches of images or paths."""

    def __init__(self, model, device, batch_size, options):
        import clgooglenet as rt
        # One plan serves every batch up to batch_size (the last, partial one too).
        self.sess = rt.InferenceSession(model, device=device, batch_buckets=[batch_size], **options)
        self.input = self.sess.get_inputs()[0].name
        self.output = self.sess.get_outputs()[0].name
        pp = self.sess.preprocess(np.zeros((batch_size, 28, 28), np.uint8))
        self.sess.run([self.output], {self.input: pp})  # warm up: plan and build kernels now
        self.pid = os.getpid()

    def __call__(self, batch):
        t0 = time.time()
        if "image" in batch:
            x = self.sess.preprocess(batch["image"])
        else:
            x = self.sess.preprocess([str(p) for p in batch["path"]])
        logits, = self.sess.run([self.output], {self.input: x})
        n = len(x)
        t1 = time.time()
        return {"label": np.asarray(batch["label"]), "pred": logits.reshape(n, -1).argmax(axis=1),
                "t0": np.full(n, t0), "t1": np.full(n, t1), "pid": np.full(n, self.pid)}


def report(labels, preds, images_per_s, what):
    n = len(preds)
    known = labels >= 0
    if known.any():
        correct = int((preds[known] == labels[known]).sum())
        print(f"accuracy: {correct / known.sum():.4f} ({correct}/{int(known.sum())} correct)")
    else:
        counts = np.bincount(preds)
        print("no labels; predictions per class: " + ", ".join(f"{c}: {k}" for c, k in enumerate(counts) if k))
    print(f"{n} images, {images_per_s:.1f} images/s ({what})")


def run_local(args, data, labels, options):
    clf = Classifier(args.model, args.device, args.batch_size, options)
    preds = []
    start = time.time()
    for i in range(0, len(labels), args.batch_size):
        chunk = {"label": labels[i:i + args.batch_size]}
        if isinstance(data, np.ndarray):
            chunk["image"] = data[i:i + args.batch_size]
        else:
            chunk["path"] = data[i:i + args.batch_size]
        preds.append(clf(chunk)["pred"])
    elapsed = time.time() - start
    report(labels, np.concatenate(preds), len(labels) / elapsed, f"one process, batch {args.batch_size}")


def actor_pool(ray, n):
    """A fixed pool of n actors: compute= where this Ray has it, concurrency= before."""
    strategy = getattr(ray.data, "ActorPoolStrategy", None)
    return {"compute": strategy(size=n)} if strategy else {"concurrency": n}


def run_ray(args, data, labels, options):
    import ray
    env = {k: v for k, v in os.environ.items()
           if k.startswith(("CLGOOGLENET_", "POCL_", "OCL_ICD")) or k in ("PYTHONPATH", "XDG_CACHE_HOME")}
    init = {"runtime_env": {"env_vars": env}, "log_to_driver": args.verbose}
    if args.address:
        init["address"] = args.address
    else:
        # A local cluster sized for the actors, without the dashboard.
        init.update(num_cpus=max(args.concurrency * args.cpus_per_actor, 1), include_dashboard=False,
                    object_store_memory=args.object_store_mb * 1024 * 1024)
    ray.init(**init)
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = args.verbose
        if isinstance(data, np.ndarray):
            items = [{"image": img, "label": int(l)} for img, l in zip(data, labels)]
        else:
            items = [{"path": p, "label": int(l)} for p, l in zip(data, labels)]
        # Enough blocks for every actor to get work, a few batches each.
        batches = -(-len(items) // args.batch_size)
        blocks = min(batches, max(4 * args.concurrency, len(items) // (4 * args.batch_size)))
        ds = ray.data.from_items(items, override_num_blocks=max(1, blocks))
        start = time.time()
        out = ds.map_batches(Classifier, fn_constructor_args=(args.model, args.device, args.batch_size, options),
                             batch_size=args.batch_size, num_cpus=args.cpus_per_actor, batch_format="numpy",
                             **actor_pool(ray, args.concurrency))
        cols = {"label": [], "pred": [], "t0": [], "t1": [], "pid": []}
        for b in out.iter_batches(batch_size=None, batch_format="numpy"):
            for k in cols:
                cols[k].append(b[k])
        wall = time.time() - start
        cols = {k: np.concatenate(v) for k, v in cols.items()}
    finally:
        ray.shutdown()
    n = len(cols["pred"])
    steady = cols["t1"].max() - cols["t0"].min()
    actors = len(np.unique(cols["pid"]))
    report(cols["label"], cols["pred"], n / steady,
           f"a pool of {args.concurrency} actor(s), {actors} of which ran batches, batch {args.batch_size}, "
           f"from the first batch to the last; "
           f"{n / wall:.1f} images/s over {wall:.1f} s including actor start-up")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default=None, help="ONNX model (default: the bundled Fashion-MNIST GoogLeNet)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--images", metavar="DIR", help="classify the PNG/JPEG files under DIR")
    src.add_argument("--fashion-mnist", metavar="DIR", nargs="?", const=FASHION_DIR, default=FASHION_DIR,
                     help=f"the Fashion-MNIST test set in DIR (default {FASHION_DIR})")
    p.add_argument("--limit", type=int, default=0, help="only the first N images")
    p.add_argument("--concurrency", type=int, default=2, help="actors, one session each (default 2)")
    p.add_argument("--batch-size", type=int, default=64, help="images per call (default 64)")
    p.add_argument("--cpus-per-actor", type=float, default=1.0, help="Ray CPUs reserved per actor (default 1)")
    p.add_argument("--device", default=None, help="device spec for every session (default: CLGOOGLENET_DEVICE)")
    p.add_argument("--address", default=None, help="a running Ray cluster (default: start a local one)")
    p.add_argument("--object-store-mb", type=int, default=512, help="local cluster's object store (default 512)")
    p.add_argument("--local", action="store_true", help="run in this process without Ray (for comparison)")
    p.add_argument("--verbose", action="store_true", help="Ray's progress bars and worker logs")
    args = p.parse_args()
    if args.batch_size < 1 or args.concurrency < 1:
        p.error("--batch-size and --concurrency must be at least 1")
    args.model = args.model or default_model()
    if not args.model or not os.path.isfile(args.model):
        p.error("no model: pass --model (the bundled one is neither in models/ nor installed)")

    if args.images:
        import clgooglenet as rt
        names = rt.InferenceSession(args.model, device=args.device).class_names()
        data, labels = image_files(args.images, names, args.limit)
    else:
        data, labels = fashion_mnist(args.fashion_mnist, args.limit)
    options = {}
    (run_local if args.local else run_ray)(args, data, labels, options)


if __name__ == "__main__":
    main()
