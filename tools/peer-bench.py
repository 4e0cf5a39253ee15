#!/usr/bin/python3
"""Compare clgooglenet's latency with peers (OpenCV DNN, PyTorch) on one model.

Without --model, a full-size (divisor 1) seeded d2l GoogLeNet is exported to a
temporary directory with tools/export-golden.py's functions, and PyTorch runs
the very same module (eager, and frozen through torch.jit with oneDNN). With
--model, PyTorch is skipped (no weights to load).

Peers run interleaved: the timed runs are split into rounds and every round
gives each peer its share in a rotating order, so machine noise (this is a
shared box) hits all peers alike. clgooglenet runs as a subprocess once per
round:
    clgooglenet bench MODEL --batch B --runs R --warmup W --json
whose last stdout line is a JSON object with latency_ms_median,
latency_ms_min, throughput_img_s, batch, device (and optionally a per-run
list, latencies_ms). Results are medians/minima in ms plus ratios
clgooglenet / peer (> 1 means clgooglenet is slower).
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def load_export_golden():
    """Import tools/export-golden.py (its name has a dash) as a module."""
    path = os.path.join(HERE, "export-golden.py")
    spec = importlib.util.spec_from_file_location("export_golden", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def default_clgooglenet():
    for rel in ("build/tools/clgooglenet", "build/clgooglenet"):
        p = os.path.join(ROOT, rel)
        if os.path.exists(p):
            return p
    return os.path.join(ROOT, "build/tools/clgooglenet")


def model_input_shape(path, batch):
    """(batch, C, H, W) from the ONNX graph input; checks a static batch."""
    import onnx
    m = onnx.load(path, load_external_data=False)
    inits = {t.name for t in m.graph.initializer}
    inp = [i for i in m.graph.input if i.name not in inits][0]
    dims = inp.type.tensor_type.shape.dim
    shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    if len(shape) != 4 or any(s is None for s in shape[1:]):
        raise SystemExit("error: %s: input %r has shape %s; need NCHW with "
                         "static C, H, W" % (path, inp.name, shape))
    if shape[0] is not None and shape[0] != batch:
        raise SystemExit("error: %s has a static batch of %d, not --batch %d"
                         % (path, shape[0], batch))
    return (batch,) + tuple(shape[1:])


class Peer:
    """An in-process peer: run() does one timed inference."""

    def __init__(self, name):
        self.name = name
        self.times_ms = []
        self.error = None
        self.output = None

    def timed(self):
        t0 = time.perf_counter()
        self.output = self.run()
        self.times_ms.append((time.perf_counter() - t0) * 1e3)


class OpenCVPeer(Peer):
    def __init__(self, model, x):
        super().__init__("opencv-dnn")
        import cv2
        self.net = cv2.dnn.readNetFromONNX(model)
        self.net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        self.net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        self.x = x

    def run(self):
        self.net.setInput(self.x)
        return self.net.forward()


class TorchPeer(Peer):
    """PyTorch on the generating module itself.

    mode "eager": the nn.Module as is. On Debian's torch build (generic
    reference BLAS) eager 1x1 convolutions are slow, so mode "jit" also runs
    torch.jit.optimize_for_inference(torch.jit.script(module)), which freezes
    the graph and routes the convolutions to oneDNN (MKL-DNN).
    """

    def __init__(self, module, x, mode="eager"):
        super().__init__("pytorch" if mode == "eager" else "pytorch-" + mode)
        import torch
        self.torch = torch
        module = module.eval()
        if mode == "jit":
            with torch.no_grad():
                module = torch.jit.optimize_for_inference(
                    torch.jit.script(module))
        elif mode != "eager":
            raise ValueError("unknown torch mode %r" % mode)
        self.module = module
        self.x = torch.from_numpy(x)

    def run(self):
        with self.torch.no_grad():
            return self.module(self.x).numpy()


class ClgooglenetPeer:
    """clgooglenet as a subprocess, one `bench` invocation per round."""

    def __init__(self, exe, model, batch, warmup):
        self.name = "clgooglenet"
        self.exe, self.model, self.batch, self.warmup = exe, model, batch, warmup
        self.times_ms = []      # per-run times when the tool reports them
        self.rounds = []        # the JSON object of each round
        self.error = None

    def round(self, runs):
        if self.error:
            return
        cmd = [self.exe, "bench", self.model, "--batch", str(self.batch),
               "--runs", str(runs), "--warmup", str(self.warmup), "--json"]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=600)
        except (OSError, subprocess.SubprocessError) as e:
            self.error = "%s: %s" % (" ".join(cmd), e)
            return
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        try:
            if p.returncode != 0:
                raise ValueError("exit status %d" % p.returncode)
            res = json.loads(lines[-1])
            for k in ("latency_ms_median", "latency_ms_min"):
                float(res[k])
        except (ValueError, IndexError, KeyError, TypeError) as e:
            tail = (p.stderr.strip() or p.stdout.strip())[-800:]
            self.error = "%s: %s%s" % (" ".join(cmd), e,
                                       ("\n" + tail) if tail else "")
            return
        if "batch" in res and res["batch"] != self.batch:
            print("warning: clgooglenet reports batch %r, asked for %d"
                  % (res["batch"], self.batch), file=sys.stderr)
        self.rounds.append(res)
        if isinstance(res.get("latencies_ms"), list):
            self.times_ms.extend(float(t) for t in res["latencies_ms"])


def summarize(peer, batch):
    """{median_ms, min_ms, throughput_img_s, runs} or {error}."""
    if peer.error:
        return {"error": peer.error}
    if isinstance(peer, ClgooglenetPeer):
        if not peer.rounds:
            return {"error": "no results"}
        if peer.times_ms:
            med, mn = statistics.median(peer.times_ms), min(peer.times_ms)
        else:   # only per-round statistics: median of medians, min of mins
            med = statistics.median(r["latency_ms_median"] for r in peer.rounds)
            mn = min(r["latency_ms_min"] for r in peer.rounds)
        out = {"median_ms": med, "min_ms": mn,
               "throughput_img_s": batch * 1e3 / med,
               "runs": len(peer.times_ms) or None,
               "rounds": len(peer.rounds)}
        last = peer.rounds[-1]
        for k in ("device", "batch"):
            if k in last:
                out[k] = last[k]
        return out
    med = statistics.median(peer.times_ms)
    return {"median_ms": med, "min_ms": min(peer.times_ms),
            "throughput_img_s": batch * 1e3 / med, "runs": len(peer.times_ms)}


def main():
    ap = argparse.ArgumentParser(
        description="Batch latency of clgooglenet vs OpenCV DNN and PyTorch "
                    "on the same ONNX model, measured interleaved.")
    ap.add_argument("--model",
                    help="ONNX model (default: export a full-size seeded d2l "
                         "GoogLeNet to a temp dir; PyTorch runs only then)")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the generated model and input (default 1)")
    ap.add_argument("--divisor", type=int, default=1,
                    help="channel divisor of the generated model (default 1)")
    ap.add_argument("--batch", type=int, default=1, help="default 1")
    ap.add_argument("--runs", type=int, default=20,
                    help="timed runs per peer (default 20)")
    ap.add_argument("--warmup", type=int, default=3,
                    help="warm-up runs per peer, and per clgooglenet "
                         "invocation (default 3)")
    ap.add_argument("--rounds", type=int, default=4,
                    help="split the timed runs into this many interleaved "
                         "rounds (default 4)")
    ap.add_argument("--threads", type=int,
                    help="torch.set_num_threads / cv2.setNumThreads "
                         "(default: leave as is; clgooglenet's CPU threads "
                         "are the OpenCL driver's business)")
    ap.add_argument("--torch-modes", default="eager,jit",
                    help="comma-separated PyTorch peers: eager (the module "
                         "as is), jit (torch.jit.optimize_for_inference, "
                         "oneDNN); default eager,jit")
    ap.add_argument("--clgooglenet", default=default_clgooglenet(),
                    help="clgooglenet binary (default build/tools/clgooglenet "
                         "or build/clgooglenet, whichever exists)")
    ap.add_argument("--no-clgooglenet", action="store_true",
                    help="benchmark the peers only")
    ap.add_argument("--json", action="store_true",
                    help="print a JSON summary object as the last line")
    args = ap.parse_args()
    for name in ("batch", "runs", "rounds", "divisor"):
        if getattr(args, name) < 1:
            ap.error("--%s must be >= 1" % name)
    if args.warmup < 0:
        ap.error("--warmup must be >= 0")
    rounds = min(args.rounds, args.runs)

    import cv2
    import torch
    if args.threads:
        torch.set_num_threads(args.threads)
        cv2.setNumThreads(args.threads)

    tmpdir = None
    module = None
    if args.model:
        model = args.model
        if not os.path.exists(model):
            raise SystemExit("error: %s: no such file" % model)
        shape = model_input_shape(model, args.batch)
        rng = np.random.default_rng(args.seed)
        x = rng.random(shape, dtype=np.float32)
    else:
        eg = load_export_golden()
        tmpdir = tempfile.TemporaryDirectory(prefix="peer-bench-")
        model = os.path.join(tmpdir.name, "d2l_googlenet_div%d.onnx"
                             % args.divisor)
        module = eg.build_model(args.seed, args.divisor)
        xt = eg.make_input(args.seed, args.batch)
        eg.export_onnx(module, xt, model)
        x = xt.numpy()
    x = np.ascontiguousarray(x, dtype=np.float32)

    peers = []
    try:
        peers.append(OpenCVPeer(model, x))
    except Exception as e:  # cv2.error and friends: report, go on
        print("opencv-dnn: failed to load: %s" % e, file=sys.stderr)
    if module is not None:
        for mode in args.torch_modes.split(","):
            if mode:
                try:
                    peers.append(TorchPeer(module, x, mode))
                except Exception as e:
                    print("pytorch %s: failed: %s" % (mode, e),
                          file=sys.stderr)
    clg = None
    if not args.no_clgooglenet:
        clg = ClgooglenetPeer(args.clgooglenet, model, args.batch, args.warmup)
        if not os.access(args.clgooglenet, os.X_OK):
            clg.error = "%s: not found or not executable" % args.clgooglenet

    # Warm-up of the in-process peers (clgooglenet warms up per invocation).
    for p in list(peers):
        try:
            for _ in range(args.warmup):
                p.run()
        except Exception as e:
            p.error = "run failed: %s" % e

    # Timed runs, interleaved in rounds with a rotating peer order.
    everyone = peers + ([clg] if clg else [])
    for r in range(rounds):
        n = args.runs // rounds + (1 if r < args.runs % rounds else 0)
        k = r % len(everyone) if everyone else 0
        for p in everyone[k:] + everyone[:k]:
            if p is clg:
                clg.round(n)
            elif not p.error:
                try:
                    for _ in range(n):
                        p.timed()
                except Exception as e:
                    p.error = "run failed: %s" % e

    results = {p.name: summarize(p, args.batch) for p in everyone}

    # Agreement of the in-process outputs (same input, same weights).
    agree = {}
    outs = {p.name: p.output for p in peers if not p.error and
            p.output is not None}
    if "pytorch" in outs:
        ref = outs["pytorch"]
        scale = max(float(np.abs(ref).max()), 1e-30)
        for name, out in outs.items():
            if name != "pytorch":
                agree[name + "_vs_pytorch_max_rel_err"] = float(
                    np.abs(out - ref).max() / scale)

    ratios = {}
    c = results.get("clgooglenet", {})
    if "median_ms" in c:
        for name, r in results.items():
            if name != "clgooglenet" and "median_ms" in r:
                ratios["clgooglenet/" + name] = c["median_ms"] / r["median_ms"]

    # Table.
    print("model: %s (%s)" % (model if args.model else "d2l GoogLeNet, "
                              "divisor %d, seed %d" % (args.divisor, args.seed),
                              "input %s" % (tuple(x.shape),)))
    print("batch %d, %d timed runs in %d rounds, %d warm-up; torch threads "
          "%d, cv2 threads %d" % (args.batch, args.runs, rounds, args.warmup,
                                  torch.get_num_threads(),
                                  cv2.getNumThreads()))
    print("%-14s %12s %12s %12s" % ("peer", "median ms", "min ms", "img/s"))
    for name, r in results.items():
        if "error" in r:
            print("%-14s error: %s" % (name, r["error"]))
        else:
            print("%-14s %12.3f %12.3f %12.1f%s" % (
                name, r["median_ms"], r["min_ms"], r["throughput_img_s"],
                ("   [%s]" % r["device"]) if "device" in r else ""))
    for k, v in ratios.items():
        print("%s = %.3f (median)" % (k, v))
    for k, v in agree.items():
        print("%s = %.3g" % (k, v))

    if args.json:
        print(json.dumps({
            "model": args.model or "generated:d2l_googlenet",
            "divisor": None if args.model else args.divisor,
            "seed": args.seed, "batch": args.batch, "input_shape": list(x.shape),
            "runs": args.runs, "warmup": args.warmup, "rounds": rounds,
            "torch_threads": torch.get_num_threads(),
            "cv2_threads": cv2.getNumThreads(),
            "peers": results, "ratios": ratios, "agreement": agree}))
    if tmpdir:
        tmpdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
