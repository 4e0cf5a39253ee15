#!/usr/bin/python3
"""Compare clgooglenet with peers: batch-1 latency and batch-32 throughput,
measured interleaved, in one run, per model.

Models (--model, comma-separated, benchmarked one after the other):
  d2l-googlenet          default: a full-size (--divisor 1) seeded d2l
                         GoogLeNet, 1x96x96 input, 10 classes, built and
                         exported with tools/export-golden.py's functions
  torchvision-googlenet  torchvision's GoogLeNet (weights=None,
                         init_weights=True, aux_logits=False,
                         transform_input=False, eval mode), 3x224x224 input,
                         1000 classes, seeded weights and calibrated
                         BatchNorm statistics, BN folded at export: the
                         tv_googlenet_folded model of
                         tools/make-imagenet-models.py at full size
  PATH.onnx              any ONNX file (NCHW input with static C, H, W)

Peers (each skippable with --skip NAME,...; one that cannot run here is listed
as unavailable with the reason):
  clgooglenet        `clgooglenet bench MODEL --batch B --runs R --warmup W
                     --json` as a subprocess, once per round (its last stdout
                     line is a JSON object: latency_ms_median, latency_ms_min,
                     throughput_img_s, batch, device, latencies_ms, ...)
  opencv-dnn         OpenCV DNN, DNN_BACKEND_OPENCV / DNN_TARGET_CPU
  opencv-ocl         OpenCV DNN, DNN_TARGET_OPENCL on an OpenCL CPU device
                     (PoCL here): OPENCV_OPENCL_DEVICE=:CPU: and
                     OPENCV_DNN_OPENCL_ALLOW_ALL_DEVICES=1 are set before cv2
                     is imported. Slow (~270 ms/img on the full d2l model), so
                     it gets --slow-runs timed runs and one warm-up.
  pytorch            PyTorch eager, this interpreter's torch (Debian 1.13 with
                     /usr/bin/python3)
  pytorch-jit        torch.jit.optimize_for_inference(torch.jit.script(m)):
                     frozen graph, convolutions through oneDNN
  pytorch-pypi, pytorch-pypi-jit
                     the same with the torch of --venv PATH (PyPI wheels)
  onnxruntime        ONNX Runtime (CPU provider) from this interpreter, else
                     from --venv
  openvino-f32       OpenVINO's CPU plugin with INFERENCE_PRECISION_HINT=f32
                     (float32 throughout); from this interpreter, else from
                     --venv. PERFORMANCE_HINT=LATENCY, one synchronous infer
                     request, the model reshaped to a static batch per size
  openvino-default   the same with OpenVINO's default precision: bfloat16 on
                     CPUs with AMX; the table names it with the precision
                     the plugin reports, e.g. openvino-default(bf16)
  pytorch-cuda       with --cuda: PyTorch eager on the first CUDA device, fp32
                     with TF32 off and cudnn.benchmark on; a run includes the
                     host-to-device copy of the input and the copy back, as
                     clgooglenet's does
  onnxruntime-cuda   with --cuda, when ONNX Runtime offers the CUDA provider

PyTorch needs the weights: the generated models hand their state dicts to
the PyTorch peers; for an ONNX file the initializers are loaded into the d2l
module when their names and shapes fit it (any tools/export-golden.py export
does), else the PyTorch peers are unavailable.

ONNX Runtime and OpenVINO come from PyPI; Debian 12's pip is externally
managed, so they live in a virtual environment: --make-venv PATH creates one
(if need be) with this interpreter's venv module, pip-installs numpy,
onnxruntime and openvino into it and uses it as --venv PATH. Add torch and
torchvision there (pip install torch torchvision --index-url
https://download.pytorch.org/whl/cpu) for the pytorch-pypi peers.

Every peer but clgooglenet runs in its own worker process (this script with
--worker, under this interpreter or the --venv one), so imports, thread pools
and OpenCL runtimes do not mix. Per batch size, every peer gets --warmup
untimed runs, then the timed runs are split into --rounds rounds and each
round gives every peer its share in a rotating order, so machine noise hits
all peers alike. A peer whose warm-up shows it would need more than --budget
seconds for --runs runs gets fewer (at least 3).

Outputs are checked: after the timing, each peer's output for the same input
(clgooglenet's through `clgooglenet infer ... --output`) is compared with
PyTorch eager's (else the first peer that has one) as max |diff| / max |ref|;
float32 peers above 1e-3 are flagged, openvino-default(bf16)'s larger error
is reported, not flagged.

The headline ratios, per batch size: clgooglenet against the best float32
peer (the fair comparison) and against the best peer of any precision.

Exit status 0; 1 when clgooglenet failed (the other peers are still reported);
2 on usage errors.
"""

import argparse
import importlib.util
import json
import os
import select
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TAG = "@@peer-bench@@ "     # prefix of the worker's protocol lines

# name -> (kind, spec fields); order is the table's order after clgooglenet.
PEER_ORDER = ["opencv-dnn", "opencv-ocl", "pytorch", "pytorch-jit",
              "pytorch-pypi", "pytorch-pypi-jit", "onnxruntime",
              "openvino-f32", "openvino-default", "pytorch-cuda",
              "onnxruntime-cuda"]
SLOW_PEERS = {"opencv-ocl"}
OCL_ENV = {"OPENCV_OPENCL_DEVICE": ":CPU:",
           "OPENCV_DNN_OPENCL_ALLOW_ALL_DEVICES": "1"}
GENERATED = ("d2l-googlenet", "torchvision-googlenet")   # --model names
VENV_PACKAGES = ["numpy", "onnxruntime", "openvino"]    # what --make-venv installs
REFERENCES = ["pytorch", "pytorch-pypi", "pytorch-cuda", "onnxruntime",
              "opencv-dnn"]


# --------------------------------------------------------------------------
# Runners: they live in a worker process and do one inference per run().

class Unavailable(Exception):
    """The peer cannot run here (a missing module, no device)."""


def _import(name):
    try:
        return importlib.import_module(name)
    except ImportError as e:
        raise Unavailable("%s (%s)" % (e, sys.executable))


class TorchRunner:
    def __init__(self, spec):
        torch = _import("torch")
        self.torch = torch
        if spec.get("threads"):
            torch.set_num_threads(spec["threads"])
        arch = spec["arch"]
        if arch.get("family") == "torchvision":
            tv = _import("torchvision")
            module = tv.models.googlenet(
                weights=None, aux_logits=False, transform_input=False,
                init_weights=False, num_classes=arch["num_classes"])
        else:
            sys.path.insert(0, HERE)
            from d2l_googlenet import googlenet
            module = googlenet(in_channels=arch["in_channels"],
                               num_classes=arch["num_classes"],
                               divisor=arch["divisor"])
        with np.load(spec["weights"]) as w:
            state = {k: torch.from_numpy(np.array(w[k])) for k in w.files}
        try:
            module.load_state_dict(state, strict=True)
        except RuntimeError as e:
            raise Unavailable("the model's weights do not fit the %s "
                              "GoogLeNet module: %s" % (
                                  arch.get("family", "d2l"), str(e)[:300]))
        module.eval()
        self.device = spec.get("device", "cpu")
        mode = spec.get("mode", "eager")
        if self.device == "cuda":
            if not torch.cuda.is_available():
                raise Unavailable("torch %s: no CUDA device"
                                  % torch.__version__)
            torch.backends.cudnn.benchmark = True
            torch.backends.cudnn.allow_tf32 = False
            torch.backends.cuda.matmul.allow_tf32 = False
            module = module.to("cuda")
            self.info = "torch %s, %s, cuDNN %s, fp32 (TF32 off)" % (
                torch.__version__, torch.cuda.get_device_name(0),
                torch.backends.cudnn.version())
        else:
            self.info = "torch %s, %d threads" % (torch.__version__,
                                                  torch.get_num_threads())
        if mode == "jit":
            with torch.no_grad():
                module = torch.jit.optimize_for_inference(
                    torch.jit.script(module))
            self.info += ", frozen jit"
        elif mode != "eager":
            raise ValueError("unknown torch mode %r" % mode)
        self.module = module

    def set_input(self, x):
        self.x = self.torch.from_numpy(x)

    def run(self):
        with self.torch.no_grad():
            if self.device == "cuda":
                y = self.module(self.x.to("cuda"))
            else:
                y = self.module(self.x)
            if isinstance(y, tuple):    # scripted torchvision GoogLeNet:
                y = y[0]                # GoogLeNetOutputs(logits, aux2, aux1)
            return y.cpu().numpy()


class OpenCVRunner:
    def __init__(self, spec):
        self.target = spec.get("target", "cpu")
        if self.target == "opencl":
            for k, v in OCL_ENV.items():    # must precede the cv2 import
                os.environ[k] = v
        cv2 = _import("cv2")
        self.cv2 = cv2
        if spec.get("threads"):
            cv2.setNumThreads(spec["threads"])
        self.net = cv2.dnn.readNetFromONNX(spec["model"])
        self.net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        self.info = "opencv %s" % cv2.__version__
        if self.target == "opencl":
            if not cv2.ocl.haveOpenCL():
                raise Unavailable("opencv %s has no OpenCL" % cv2.__version__)
            cv2.ocl.setUseOpenCL(True)
            dev = cv2.ocl.Device.getDefault()
            if not cv2.ocl.useOpenCL() or not dev.name():
                raise Unavailable("opencv %s: no OpenCL CPU device "
                                  "(OPENCV_OPENCL_DEVICE=:CPU:)"
                                  % cv2.__version__)
            self.net.setPreferableTarget(cv2.dnn.DNN_TARGET_OPENCL)
            self.info += ", DNN_TARGET_OPENCL on %s (%s)" % (
                dev.name(), dev.version())
        else:
            self.net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
            self.info += ", CPU target, %d threads" % cv2.getNumThreads()

    def set_input(self, x):
        self.x = x

    def run(self):
        self.net.setInput(self.x)
        return self.net.forward()


class OrtRunner:
    def __init__(self, spec):
        ort = _import("onnxruntime")
        so = ort.SessionOptions()
        if spec.get("threads"):
            so.intra_op_num_threads = spec["threads"]
        provider = ("CUDAExecutionProvider" if spec.get("device") == "cuda"
                    else "CPUExecutionProvider")
        if provider not in ort.get_available_providers():
            raise Unavailable("onnxruntime %s has no %s" % (ort.__version__,
                                                            provider))
        self.sess = ort.InferenceSession(spec["model"], so,
                                         providers=[provider])
        if self.sess.get_providers()[0] != provider:
            raise Unavailable("onnxruntime %s: %s did not load"
                              % (ort.__version__, provider))
        self.input_name = self.sess.get_inputs()[0].name
        self.info = "onnxruntime %s, %s" % (ort.__version__, provider)

    def set_input(self, x):
        self.x = x

    def run(self):
        return self.sess.run(None, {self.input_name: self.x})[0]


class OpenVINORunner:
    """OpenVINO's CPU plugin, one synchronous infer request, the model
    reshaped to each input's shape (a static shape compiles faster code than
    a dynamic batch axis). spec["precision"]: "default" (the plugin's own
    choice: bfloat16 on CPUs with AMX) or "f32" (INFERENCE_PRECISION_HINT)."""

    def __init__(self, spec):
        ov = _import("openvino")
        self.core = ov.Core()
        self.model = self.core.read_model(spec["model"])
        self.config = {"PERFORMANCE_HINT": "LATENCY"}
        if spec.get("threads"):
            self.config["INFERENCE_NUM_THREADS"] = spec["threads"]
        if spec.get("precision") == "f32":
            self.config["INFERENCE_PRECISION_HINT"] = "f32"
        shape = self.model.inputs[0].get_partial_shape()
        self._compile([1] + [d.get_length() for d in list(shape)[1:]])
        prec = self.compiled.get_property("INFERENCE_PRECISION_HINT")
        self.precision = getattr(prec, "get_type_name", lambda: str(prec))()
        self.info = "openvino %s, CPU (%s), inference precision %s, %s" % (
            ov.get_version().split("-")[0],
            self.core.get_property("CPU", "FULL_DEVICE_NAME"),
            self.precision, ", ".join("%s=%s" % kv
                                      for kv in self.config.items()))

    def _compile(self, shape):
        self.model.reshape(list(shape))
        self.compiled = self.core.compile_model(self.model, "CPU", self.config)
        self.request = self.compiled.create_infer_request()
        self.shape = tuple(shape)

    def set_input(self, x):
        if x.shape != self.shape:
            self._compile(x.shape)
        self.x = x

    def run(self):
        res = self.request.infer({0: self.x}, share_inputs=True)
        return next(iter(res.values()))


RUNNERS = {"torch": TorchRunner, "opencv": OpenCVRunner, "ort": OrtRunner,
           "openvino": OpenVINORunner}


def worker_main(spec_json):
    """--worker SPEC: load one runner, then answer requests on stdin.

    Requests and replies are one JSON object per line; replies go to the
    original stdout with TAG in front, everything else the libraries print
    goes to stderr (the parent's log file).
    """
    proto = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def reply(obj):
        proto.write(TAG + json.dumps(obj) + "\n")
        proto.flush()

    spec = json.loads(spec_json)
    try:
        runner = RUNNERS[spec["kind"]](spec)
    except Unavailable as e:
        reply({"unavailable": str(e)})
        return 0
    except Exception as e:
        reply({"error": "load failed: %s: %s" % (type(e).__name__, e)})
        return 1
    reply({"ok": True, "info": runner.info, "python": sys.executable,
           "precision": getattr(runner, "precision", "f32")})
    last = None
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        cmd = req.get("cmd")
        try:
            if cmd == "input":
                runner.set_input(np.ascontiguousarray(np.load(req["path"]),
                                                      dtype=np.float32))
                last = None
                reply({"ok": True})
            elif cmd == "run":
                times = []
                for _ in range(int(req["n"])):
                    t0 = time.perf_counter()
                    last = runner.run()
                    times.append((time.perf_counter() - t0) * 1e3)
                reply({"ok": True, "times_ms": times})
            elif cmd == "output":
                if last is None:
                    last = runner.run()
                np.save(req["path"], np.asarray(last, dtype=np.float32))
                reply({"ok": True})
            elif cmd == "quit":
                reply({"ok": True})
                return 0
            else:
                reply({"error": "unknown request %r" % cmd})
        except Exception as e:
            reply({"error": "%s failed: %s: %s" % (cmd, type(e).__name__, e)})
    return 0


# --------------------------------------------------------------------------
# The parent's view of the peers.

class WorkerPeer:
    """A peer in a worker process; times are kept per batch size."""

    def __init__(self, name, python, spec, env_extra, logdir, timeout):
        self.name, self.python, self.timeout = name, python, timeout
        self.slow = name in SLOW_PEERS
        self.precision = "f32"   # what the worker reports it computes in
        self.label = name        # the table's name for it
        self.times = {}          # batch -> [ms]
        self.errors = {}         # batch -> message (that batch only)
        self.error = None        # fatal: the worker is gone
        self.unavailable = None
        self.info = ""
        self.log = os.path.join(logdir, name + ".log")
        env = dict(os.environ)
        env.update(env_extra)
        env["PYTHONUNBUFFERED"] = "1"
        with open(self.log, "w") as logf:
            try:
                self.proc = subprocess.Popen(
                    [python, os.path.abspath(__file__), "--worker",
                     json.dumps(spec)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=logf, env=env, text=True, cwd=ROOT)
            except OSError as e:
                self.proc = None
                self.unavailable = "%s: %s" % (python, e)
                return
        hello = self._read()
        if hello is None:
            return
        if "unavailable" in hello:
            self.unavailable = hello["unavailable"]
            self.close()
        elif "error" in hello:
            self.error = hello["error"] + self._log_tail()
            self.close()
        else:
            self.info = hello.get("info", "")
            self.precision = hello.get("precision", "f32")
            if name.endswith("-default"):   # precision of the library's choice
                self.label = "%s(%s)" % (name, self.precision)
            if python != sys.executable:
                self.info += " [%s]" % python

    def _log_tail(self, n=600):
        try:
            with open(self.log, errors="replace") as f:
                tail = f.read()[-n:].strip()
        except OSError:
            return ""
        return ("\n    " + tail.replace("\n", "\n    ")) if tail else ""

    def _read(self):
        deadline = time.monotonic() + self.timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                self._die("no answer in %d s" % self.timeout)
                return None
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            line = self.proc.stdout.readline()
            if not line:
                self.proc.wait()
                self._die("worker exited with status %s"
                          % self.proc.returncode)
                return None
            if line.startswith(TAG):
                return json.loads(line[len(TAG):])

    def _die(self, why):
        self.error = why + self._log_tail()
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def alive(self):
        return self.proc is not None and not self.error and \
            not self.unavailable

    def call(self, batch, **req):
        if not self.alive() or batch in self.errors:
            return None
        try:
            self.proc.stdin.write(json.dumps(req) + "\n")
            self.proc.stdin.flush()
        except OSError as e:
            self._die("worker pipe: %s" % e)
            return None
        rep = self._read()
        if rep is not None and "error" in rep:
            self.errors[batch] = rep["error"]
            return None
        return rep

    def prepare(self, batch, xpath):
        self.times.setdefault(batch, [])
        self.call(batch, cmd="input", path=xpath)

    def warm(self, batch, n):
        rep = self.call(batch, cmd="run", n=n) if n > 0 else None
        return rep["times_ms"] if rep else []

    def timed(self, batch, n):
        if n > 0:
            rep = self.call(batch, cmd="run", n=n)
            if rep:
                self.times[batch].extend(rep["times_ms"])

    def output(self, batch, path):
        rep = self.call(batch, cmd="output", path=path)
        return np.load(path) if rep else None

    def close(self):
        if self.proc and self.proc.poll() is None:
            try:
                self.proc.stdin.write(json.dumps({"cmd": "quit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except (OSError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait()

    def summary(self, batch):
        if self.error:
            return {"error": self.error}
        if batch in self.errors:
            return {"error": self.errors[batch] + self._log_tail(300)}
        t = self.times.get(batch)
        if not t:
            return {"error": "no timed runs"}
        med = statistics.median(t)
        return {"median_ms": med, "min_ms": min(t),
                "throughput_img_s": batch * 1e3 / med, "runs": len(t)}


class ClgooglenetPeer:
    """clgooglenet as a subprocess, one `bench` invocation per round."""

    def __init__(self, exe, model, device, warmup, timeout):
        self.name = self.label = "clgooglenet"
        self.slow = False
        self.precision = "f32"
        self.exe, self.model, self.warmup = exe, model, warmup
        self.pre = ["--device", device] if device else []
        self.timeout = timeout
        self.times = {}          # batch -> per-run times
        self.rounds = {}         # batch -> the JSON object of each round
        self.errors = {}
        self.error = None
        self.unavailable = None
        self.info = exe

    def alive(self):
        return not self.error

    def prepare(self, batch, xpath):
        self.times.setdefault(batch, [])
        self.rounds.setdefault(batch, [])

    def _run(self, batch, args):
        cmd = [self.exe] + self.pre + args
        try:
            p = subprocess.run(cmd, capture_output=True, text=True,
                               timeout=self.timeout)
        except (OSError, subprocess.SubprocessError) as e:
            self.errors[batch] = "%s: %s" % (" ".join(cmd), e)
            return None
        if p.returncode != 0:
            tail = (p.stderr.strip() or p.stdout.strip())[-800:]
            self.errors[batch] = "%s: exit status %d%s" % (
                " ".join(cmd), p.returncode, ("\n    " + tail) if tail else "")
            return None
        return p

    def timed(self, batch, n):
        if n <= 0 or batch in self.errors:
            return
        p = self._run(batch, ["bench", self.model, "--batch", str(batch),
                              "--runs", str(n), "--warmup", str(self.warmup),
                              "--json"])
        if p is None:
            return
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        try:
            res = json.loads(lines[-1])
            for k in ("latency_ms_median", "latency_ms_min"):
                float(res[k])
        except (ValueError, IndexError, KeyError, TypeError) as e:
            self.errors[batch] = "bench --json: unreadable result: %s: %s" % (
                e, (lines[-1] if lines else "")[:300])
            return
        if "batch" in res and res["batch"] != batch:
            print("warning: clgooglenet reports batch %r, asked for %d"
                  % (res["batch"], batch), file=sys.stderr)
        self.rounds[batch].append(res)
        if "device" in res:
            self.info = "%s [%s]" % (self.exe, res["device"])
        if isinstance(res.get("latencies_ms"), list):
            self.times[batch].extend(float(t) for t in res["latencies_ms"])

    def output(self, batch, xpath, path):
        if batch in self.errors:
            return None
        p = self._run(batch, ["infer", self.model, xpath, "--output", path])
        return np.load(path) if p is not None else None

    def close(self):
        pass

    def summary(self, batch):
        if batch in self.errors:
            return {"error": self.errors[batch]}
        rounds = self.rounds.get(batch)
        if not rounds:
            return {"error": "no results"}
        t = self.times[batch]
        if t:
            med, mn = statistics.median(t), min(t)
        else:   # only per-round statistics: median of medians, min of mins
            med = statistics.median(r["latency_ms_median"] for r in rounds)
            mn = min(r["latency_ms_min"] for r in rounds)
        out = {"median_ms": med, "min_ms": mn,
               "throughput_img_s": batch * 1e3 / med,
               "runs": len(t) or None, "rounds": len(rounds)}
        for k in ("device", "device_memory_bytes", "cold_start_ms"):
            if k in rounds[-1]:
                out[k] = rounds[-1][k]
        return out


# --------------------------------------------------------------------------

def load_tool(filename):
    """Import a script of tools/ (their names have dashes) as a module."""
    path = os.path.join(HERE, filename)
    name = filename[:-3].replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def generate_model(which, seed, divisor, tmpdir):
    """Build a seeded GENERATED model in PyTorch and export it to tmpdir:
    (ONNX path, input shape per item, arch for TorchRunner, state dict as
    numpy, description)."""
    if which == "d2l-googlenet":
        eg = load_tool("export-golden.py")
        module = eg.build_model(seed, divisor)
        path = os.path.join(tmpdir, "d2l_googlenet_div%d.onnx" % divisor)
        eg.export_onnx(module, eg.make_input(seed, 1), path)
        arch = {"divisor": divisor, "in_channels": 1, "num_classes": 10}
        item_shape = (1, 96, 96)
        desc = "d2l GoogLeNet (generated: divisor %d, seed %d)" % (divisor,
                                                                  seed)
    else:
        # tools/make-imagenet-models.py's tv_googlenet_folded at full size.
        mim = load_tool("make-imagenet-models.py")
        item_shape = (3, 224, 224)
        module = mim.tv_build(seed, 1, 1000, False, item_shape[1:])
        path = os.path.join(tmpdir, "torchvision_googlenet.onnx")
        mim.tv_export(module, mim.tv_input(seed, 1, item_shape[1:]), path,
                      keep_bn=False)
        arch = {"family": "torchvision", "num_classes": 1000}
        desc = ("torchvision GoogLeNet (generated: seed %d, aux_logits=False,"
                " transform_input=False, BN folded)" % seed)
    weights = {k: v.detach().numpy() for k, v in module.state_dict().items()}
    return path, item_shape, arch, weights, desc


def make_venv(path):
    """Create the virtual environment PATH with this interpreter's venv
    module (once) and pip-install VENV_PACKAGES into it (a no-op when they
    are there); returns PATH."""
    python = os.path.join(path, "bin", "python")
    steps = [[python, "-m", "pip", "install", "-q"] + VENV_PACKAGES]
    if not os.access(python, os.X_OK):
        steps.insert(0, [sys.executable, "-m", "venv", path])
    for cmd in steps:
        print("+ " + " ".join(cmd), file=sys.stderr, flush=True)
        if subprocess.run(cmd).returncode != 0:
            raise SystemExit(
                "error: --make-venv failed; make it by hand:\n  python3 -m "
                "venv %s && %s/bin/pip install %s\nthen pass --venv %s"
                % (path, path, " ".join(VENV_PACKAGES), path))
    return path


def default_clgooglenet():
    for rel in ("build/tools/clgooglenet", "build/clgooglenet"):
        p = os.path.join(ROOT, rel)
        if os.path.exists(p):
            return p
    return os.path.join(ROOT, "build/clgooglenet")


def onnx_model_info(path):
    """(C, H, W) of the ONNX graph input and its initializers as numpy."""
    try:
        import onnx
        from onnx import numpy_helper
    except ImportError as e:
        raise SystemExit("error: --model needs the onnx module (%s)" % e)
    m = onnx.load(path)
    inits = {t.name: t for t in m.graph.initializer}
    inp = [i for i in m.graph.input if i.name not in inits][0]
    dims = inp.type.tensor_type.shape.dim
    shape = [d.dim_value if d.HasField("dim_value") else None for d in dims]
    if len(shape) != 4 or any(s is None for s in shape[1:]):
        raise SystemExit("error: %s: input %r has shape %s; need NCHW with "
                         "static C, H, W" % (path, inp.name, shape))
    static_batch = shape[0]
    weights = {k: numpy_helper.to_array(t) for k, t in inits.items()}
    return tuple(shape[1:]), static_batch, weights


def d2l_arch(weights):
    """googlenet() arguments that fit these weights, or None."""
    w0, fc = weights.get("0.0.weight"), weights.get("5.weight")
    if w0 is None or fc is None or w0.ndim != 4 or fc.ndim != 2:
        return None
    out = int(w0.shape[0])
    divisor = max(1, 64 // out)
    if max(1, 64 // divisor) != out:
        return None
    return {"divisor": divisor, "in_channels": int(w0.shape[1]),
            "num_classes": int(fc.shape[0])}


def split(total, rounds, r):
    return total // rounds + (1 if r < total % rounds else 0)


def parse_batches(text):
    try:
        out = [int(b) for b in text.split(",") if b.strip()]
    except ValueError:
        out = []
    if not out or any(b < 1 for b in out):
        raise argparse.ArgumentTypeError("need a comma-separated list of "
                                         "batch sizes >= 1, not %r" % text)
    return out


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        return worker_main(sys.argv[2])
    ap = argparse.ArgumentParser(
        description="Batch-1 latency and batch-32 throughput of clgooglenet "
                    "vs OpenCV DNN, PyTorch, ONNX Runtime and OpenVINO on "
                    "the same ONNX model, measured interleaved.")
    ap.add_argument("--model", default="d2l-googlenet",
                    help="comma-separated models, each benchmarked in turn: "
                         "an ONNX file, or d2l-googlenet (the default) or "
                         "torchvision-googlenet, built seeded and exported "
                         "to a temp dir")
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the generated model and input (default 1)")
    ap.add_argument("--divisor", type=int, default=1,
                    help="channel divisor of the generated d2l model "
                         "(default 1)")
    ap.add_argument("--batches", type=parse_batches, default=[1, 32],
                    help="comma-separated batch sizes (default 1,32)")
    ap.add_argument("--batch", type=int,
                    help="one batch size (same as --batches B)")
    ap.add_argument("--runs", type=int, default=20,
                    help="timed runs per peer and batch size (default 20)")
    ap.add_argument("--slow-runs", type=int, default=3,
                    help="timed runs of the slow peers (opencv-ocl; "
                         "default 3)")
    ap.add_argument("--warmup", type=int, default=3,
                    help="warm-up runs per peer and batch size, and per "
                         "clgooglenet invocation (default 3; slow peers 1)")
    ap.add_argument("--rounds", type=int, default=4,
                    help="split the timed runs into this many interleaved "
                         "rounds (default 4)")
    ap.add_argument("--budget", type=float, default=60,
                    help="seconds of timed runs one peer may take per batch "
                         "size, judged from its warm-up; slower peers get "
                         "fewer runs, at least 3 (default 60; 0: no limit)")
    ap.add_argument("--threads", type=int,
                    default=len(os.sched_getaffinity(0)),
                    help="threads of the CPU peers (torch.set_num_threads, "
                         "cv2.setNumThreads, ONNX Runtime intra-op); default: "
                         "the CPUs this process may use (%(default)s), as "
                         "PoCL uses them all; 0: each library's own choice")
    ap.add_argument("--skip", default="",
                    help="comma-separated peers to leave out, e.g. "
                         "opencv-ocl,pytorch-jit")
    ap.add_argument("--venv",
                    help="a virtual environment whose python runs "
                         "pytorch-pypi(-jit) and, when this interpreter "
                         "lacks them, onnxruntime and openvino-*")
    ap.add_argument("--make-venv", metavar="PATH",
                    help="create the virtual environment PATH if need be, "
                         "pip-install %s into it and use it as --venv" %
                         " ".join(VENV_PACKAGES))
    ap.add_argument("--cuda", action="store_true",
                    help="also PyTorch (and ONNX Runtime, if it can) on CUDA")
    ap.add_argument("--clgooglenet", default=default_clgooglenet(),
                    help="clgooglenet binary (default build/tools/clgooglenet "
                         "or build/clgooglenet, whichever exists)")
    ap.add_argument("--device",
                    help="clgooglenet --device SPEC (default: "
                         "CLGOOGLENET_DEVICE or its own choice)")
    ap.add_argument("--no-clgooglenet", action="store_true",
                    help="benchmark the peers only")
    ap.add_argument("--timeout", type=int, default=900,
                    help="seconds one request to a peer may take (default "
                         "900: first runs compile kernels)")
    ap.add_argument("--json", action="store_true",
                    help="print a JSON summary object as the last line")
    args = ap.parse_args()
    if args.batch is not None:
        if args.batch < 1:
            ap.error("--batch must be >= 1")
        args.batches = [args.batch]
    for name in ("runs", "rounds", "divisor", "slow_runs"):
        if getattr(args, name) < 1:
            ap.error("--%s must be >= 1" % name.replace("_", "-"))
    if args.warmup < 0 or args.threads < 0:
        ap.error("--warmup and --threads must be >= 0")
    args.threads = args.threads or None
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    known = set(PEER_ORDER) | {"clgooglenet"}
    if skip - known:
        ap.error("--skip: unknown peer(s) %s; peers: %s" % (
            ", ".join(sorted(skip - known)), ", ".join(sorted(known))))
    if args.no_clgooglenet:
        skip.add("clgooglenet")
    if args.make_venv:
        if args.venv and os.path.abspath(args.venv) != os.path.abspath(
                args.make_venv):
            ap.error("--make-venv and --venv name different directories")
        args.venv = make_venv(args.make_venv)
    venv_python = None
    if args.venv:
        venv_python = os.path.join(args.venv, "bin", "python")
        if not os.access(venv_python, os.X_OK):
            ap.error("--venv: %s is not executable" % venv_python)

    summaries, failed = [], False
    for which in args.model.split(","):
        if summaries:
            print()
        summary, model_failed = run_model(args, which.strip(), venv_python,
                                          skip)
        summaries.append(summary)
        failed = failed or model_failed
    if args.json:
        print(json.dumps(summaries[0] if len(summaries) == 1
                         else {"models": summaries}))
    return 1 if failed else 0


def run_model(args, which, venv_python, skip):
    """Benchmark one model (a name in GENERATED or an ONNX file) and print
    its report: (JSON summary, whether clgooglenet failed)."""
    tmp = tempfile.TemporaryDirectory(prefix="peer-bench-")
    t_start = time.monotonic()

    # The model, its input shape and (when PyTorch can build it) weights.
    if which in GENERATED:
        model, item_shape, arch, weights, model_desc = generate_model(
            which, args.seed, args.divisor, tmp.name)
    else:
        model = os.path.abspath(which)
        if not os.path.exists(model):
            raise SystemExit("error: %s: no such file (or a model name: %s)"
                             % (which, ", ".join(GENERATED)))
        item_shape, static_batch, weights = onnx_model_info(model)
        if static_batch and any(b != static_batch for b in args.batches):
            raise SystemExit("error: %s has a static batch of %d; --batches "
                             "%s" % (which, static_batch,
                                     ",".join(map(str, args.batches))))
        arch = d2l_arch(weights)
        model_desc = which
    wpath = None
    torch_why = None
    if arch is not None:
        wpath = os.path.join(tmp.name, "weights.npz")
        np.savez(wpath, **weights)
    else:
        torch_why = ("the model's initializers are not a d2l GoogLeNet "
                     "state dict (PyTorch needs the module)")
    weights = None

    # The peers: (name, python, spec, extra environment).
    here = sys.executable
    torch_spec = {"kind": "torch", "weights": wpath, "arch": arch,
                  "threads": args.threads}
    plan = {
        "opencv-dnn": (here, {"kind": "opencv", "target": "cpu"}, {}),
        "opencv-ocl": (here, {"kind": "opencv", "target": "opencl"}, OCL_ENV),
        "pytorch": (here, dict(torch_spec, mode="eager"), {}),
        "pytorch-jit": (here, dict(torch_spec, mode="jit"), {}),
    }
    if venv_python:
        plan["pytorch-pypi"] = (venv_python, dict(torch_spec, mode="eager"),
                                {})
        plan["pytorch-pypi-jit"] = (venv_python, dict(torch_spec, mode="jit"),
                                    {})
    ort_python = here
    if importlib.util.find_spec("onnxruntime") is None and venv_python:
        ort_python = venv_python
    plan["onnxruntime"] = (ort_python, {"kind": "ort", "device": "cpu"}, {})
    ov_python = here
    if importlib.util.find_spec("openvino") is None and venv_python:
        ov_python = venv_python
    plan["openvino-f32"] = (ov_python, {"kind": "openvino",
                                        "precision": "f32"}, {})
    plan["openvino-default"] = (ov_python, {"kind": "openvino",
                                            "precision": "default"}, {})
    if args.cuda:
        plan["pytorch-cuda"] = (here, dict(torch_spec, mode="eager",
                                           device="cuda"), {})
        plan["onnxruntime-cuda"] = (ort_python, {"kind": "ort",
                                                 "device": "cuda"}, {})

    unavailable = {}
    peers = []
    clg = None
    if "clgooglenet" not in skip:
        clg = ClgooglenetPeer(args.clgooglenet, model, args.device,
                              args.warmup, args.timeout)
        if not os.access(args.clgooglenet, os.X_OK):
            clg.error = "%s: not found or not executable" % args.clgooglenet
        peers.append(clg)
    for name in PEER_ORDER:
        if name not in plan or name in skip:
            continue
        python, spec, env = plan[name]
        if spec["kind"] == "torch" and torch_why:
            unavailable[name] = torch_why
            continue
        spec = dict(spec, model=model, threads=args.threads)
        print("starting %s ..." % name, file=sys.stderr, flush=True)
        p = WorkerPeer(name, python, spec, env, tmp.name, args.timeout)
        if p.unavailable:
            unavailable[name] = p.unavailable
            if spec["kind"] in ("ort", "openvino") and not venv_python:
                unavailable[name] += "; --make-venv PATH installs it"
        else:
            peers.append(p)

    results, ratios, headline, agreement, runs_used = {}, {}, {}, {}, {}
    for batch in args.batches:
        shape = (batch,) + tuple(item_shape)
        rng = np.random.default_rng([args.seed, batch])
        x = rng.random(shape, dtype=np.float32)
        xpath = os.path.join(tmp.name, "input_b%d.npy" % batch)
        np.save(xpath, x)
        print("batch %d: warming up ..." % batch, file=sys.stderr, flush=True)
        nruns = {}
        for p in peers:
            p.prepare(batch, xpath)
            if p is clg:
                nruns[p.name] = args.runs
                continue
            warm = p.warm(batch, 1 if p.slow else args.warmup)
            n = args.slow_runs if p.slow else args.runs
            if warm and args.budget > 0 and not p.slow:
                n = max(min(3, n), min(n, int(args.budget * 1e3 / warm[-1])))
            nruns[p.name] = n
        rounds = min(args.rounds, max(nruns.values()) if nruns else 1)
        for r in range(rounds):
            print("batch %d: round %d/%d ..." % (batch, r + 1, rounds),
                  file=sys.stderr, flush=True)
            k = r % len(peers) if peers else 0
            for p in peers[k:] + peers[:k]:
                if p.alive():
                    p.timed(batch, split(nruns[p.name], rounds, r))
        runs_used[str(batch)] = {"rounds": rounds, "runs": nruns}

        # Outputs for the same input, against the reference.
        outs = {}
        for p in peers:
            if not p.alive():
                continue
            path = os.path.join(tmp.name, "out_%s_b%d.npy" % (p.name, batch))
            try:
                y = (p.output(batch, xpath, path) if p is clg
                     else p.output(batch, path))
            except (OSError, ValueError) as e:
                y = None
                print("%s: output: %s" % (p.name, e), file=sys.stderr)
            if y is not None:
                outs[p.name] = y
        ref = next((n for n in REFERENCES if n in outs), None)
        if ref is None:     # another peer, float32 ones first
            ref = next((p.name for p in sorted(peers, key=lambda p:
                                               p.precision != "f32")
                        if p.name in outs and p is not clg), None)
        errs = {}
        if ref:
            scale = max(float(np.abs(outs[ref]).max()), 1e-30)
            for name, y in outs.items():
                if name == ref:
                    continue
                if y.shape != outs[ref].shape:
                    errs[name] = "shape %s vs %s" % (y.shape, outs[ref].shape)
                else:
                    errs[name] = float(np.abs(y - outs[ref]).max() / scale)
        agreement[str(batch)] = {"reference": ref, "max_rel_err": errs}

        res = {}
        for p in peers:
            res[p.name] = p.summary(batch)
            if "median_ms" in res[p.name]:
                res[p.name]["precision"] = p.precision
        results[str(batch)] = res
        c = res.get("clgooglenet", {})
        rat = {}
        if "median_ms" in c:
            for name, r in res.items():
                if name != "clgooglenet" and "median_ms" in r:
                    rat[name] = (c["median_ms"] / r["median_ms"]
                                 if batch == 1 else
                                 c["throughput_img_s"] / r["throughput_img_s"])
        ratios[str(batch)] = rat
        h = {"metric": "latency_ms_median" if batch == 1
             else "throughput_img_s"}
        if "median_ms" in c:
            h["clgooglenet"] = (c["median_ms"] if batch == 1
                                else c["throughput_img_s"])
        for suffix, f32_only in (("", False), ("_f32", True)):
            others = [(n, r) for n, r in res.items()
                      if n != "clgooglenet" and "median_ms" in r
                      and (r["precision"] == "f32" or not f32_only)]
            if others:
                name, best = min(others, key=lambda t: t[1]["median_ms"])
                h["best_peer" + suffix] = name
                h["best" + suffix] = (best["median_ms"] if batch == 1
                                      else best["throughput_img_s"])
                if name in rat:
                    h["ratio" + suffix] = rat[name]
        if "best_peer" in h:
            headline[str(batch)] = h
    for p in peers:
        p.close()

    # Report.
    label = {p.name: p.label for p in peers}
    print("model: %s, input %s per item" % (model_desc, "x".join(
        map(str, item_shape))))
    print("peers:")
    for p in peers:
        print("  %-22s %s" % (p.label, p.info))
    for name, why in unavailable.items():
        print("  %-22s unavailable: %s" % (name, why))
    for batch in args.batches:
        b = str(batch)
        slow = [n for n in runs_used[b]["runs"] if n in SLOW_PEERS]
        print("\nbatch %d: up to %d timed runs in %d rounds, "
              "%d warm-up%s" % (batch, args.runs, runs_used[b]["rounds"],
                                args.warmup,
                                "; slow peers (%s): %d runs, 1 warm-up" % (
                                    ", ".join(slow), args.slow_runs)
                                if slow else ""))
        col = "clg/peer ms" if batch == 1 else "clg/peer img/s"
        print("%-22s %10s %10s %10s %5s %15s %11s" % (
            "peer", "median ms", "min ms", "img/s", "runs", col,
            "max rel err"))
        ag = agreement[b]
        for name, r in results[b].items():
            if "error" in r:
                print("%-22s error: %s" % (label[name], r["error"]))
                continue
            err = ag["max_rel_err"].get(name)
            if name == ag["reference"]:
                errs = "(ref)"
            elif isinstance(err, float):
                flag = err > 1e-3 and r["precision"] == "f32"
                errs = "%.2g%s" % (err, " !" if flag else "")
            else:
                errs = err or "-"
            ratio = ratios[b].get(name)
            print("%-22s %10.3f %10.3f %10.1f %5s %15s %11s" % (
                label[name], r["median_ms"], r["min_ms"],
                r["throughput_img_s"], r["runs"] if r.get("runs") else "-",
                "%.3f" % ratio if ratio is not None else "-", errs))
    print("\nclg/peer ms: clgooglenet's median latency / the peer's (< 1: "
          "clgooglenet faster);\nclg/peer img/s: clgooglenet's throughput / "
          "the peer's (> 1: clgooglenet faster);\nmax rel err: max |output - "
          "reference| / max |reference| for the same input (! above 1e-3 "
          "for\nfloat32 peers; a peer in another precision, e.g. "
          "openvino-default(bf16), is not flagged)\n")
    for batch in args.batches:
        h = headline.get(str(batch))
        c = results[str(batch)].get("clgooglenet", {})
        what = ("batch-1 latency" if batch == 1
                else "batch-%d throughput" % batch)
        unit = "%.2f ms" if batch == 1 else "%.1f img/s"
        if h is None:
            print("%s: no peer measured" % what)
            continue
        for suffix, kind in (("_f32", "best float32 peer"),
                             ("", "best peer, any precision")):
            if "best_peer" + suffix not in h:
                print("%s: no float32 peer measured" % what)
                continue
            best = "%s %s" % (label[h["best_peer" + suffix]],
                              unit % h["best" + suffix])
            if "ratio" + suffix in h:
                print("%s: clgooglenet %s = %.2f x %s (%s)" % (
                    what, unit % h["clgooglenet"], h["ratio" + suffix], kind,
                    best))
            else:
                print("%s: clgooglenet %s; %s %s" % (
                    what, "failed" if "error" in c else "not run", kind,
                    best))
    print("(%.0f s)" % (time.monotonic() - t_start))

    summary = {
        "model": ("generated:" + which.replace("-", "_")
                  if which in GENERATED else which),
        "divisor": args.divisor if which == "d2l-googlenet" else None,
        "seed": args.seed, "batches": args.batches,
        "input_shape_per_item": list(item_shape),
        "runs": args.runs, "slow_runs": args.slow_runs,
        "warmup": args.warmup, "runs_used": runs_used,
        "threads": args.threads,
        "peers": {p.name: p.info for p in peers},
        "precision": {p.name: p.precision for p in peers},
        "unavailable": unavailable,
        "results": results, "ratios_clgooglenet_per_peer": ratios,
        "headline": headline, "agreement": agreement}
    tmp.cleanup()
    failed = clg is not None and any(
        "error" in results[str(b)].get("clgooglenet", {})
        for b in args.batches)
    return summary, failed


if __name__ == "__main__":
    sys.exit(main())
