"""InferenceSession and friends over the C API (see clgooglenet/__init__.py)."""

import ctypes
import os
import threading
from collections import namedtuple

import numpy as np

from . import _capi

_lib = None
_lib_lock = threading.Lock()


def _api():
    global _lib
    with _lib_lock:
        if _lib is None:
            _lib = _capi.load_library()
        return _lib


def get_library_path():
    """The path of the C library this module drives."""
    return _api().path


def version():
    """The C library's version (clg_version())."""
    return _api().clg_version().decode()


class ClgError(RuntimeError):
    """A failed library call: .status is the status name (e.g. 'CLG_ERR_SHAPE'),
    .code its value, .message the library's message."""

    def __init__(self, code, message):
        self.code = code
        self.status = _capi.STATUS_NAMES.get(code, "CLG_ERR_UNKNOWN")
        self.message = message
        super().__init__(f"{self.status}: {message}")


def _check(code):
    if code != 0:
        raise ClgError(code, _api().clg_last_error().decode(errors="replace"))


def _fail(code_name, message):
    code = {v: k for k, v in _capi.STATUS_NAMES.items()}[code_name]
    raise ClgError(code, message)


NodeArg = namedtuple("NodeArg", "name shape type")
NodeArg.__doc__ = """An input or output: name, shape (ints; a symbolic dimension is its name,
or None when unnamed; None for the whole shape when unknown) and type ('tensor(float)')."""

Device = namedtuple("Device", "index spec name platform type driver_version opencl_c_version "
                              "compute_units global_memory_bytes has_fp16 fp16_emulated")
Device.__doc__ = "An OpenCL device; pass .spec (or .index, a name substring, 'cpu', 'gpu') as device=."

Prediction = namedtuple("Prediction", "index name probability")
Prediction.__doc__ = "A classification: class index, class name (or None) and softmax probability."


def devices():
    """Every OpenCL device the library sees."""
    lib = _api()
    arr = ctypes.POINTER(_capi.DeviceInfo)()
    count = ctypes.c_size_t()
    _check(lib.clg_devices_list(ctypes.byref(arr), ctypes.byref(count)))
    try:
        return [_device(arr[i]) for i in range(count.value)]
    finally:
        lib.clg_free(arr)


def _device(d):
    return Device(d.index, f"{d.platform_index}:{d.device_index}", d.device_name.decode(errors="replace"),
                  d.platform_name.decode(errors="replace"), _capi.DEVICE_TYPES.get(d.type, "other"),
                  d.driver_version.decode(errors="replace"), d.opencl_c_version.decode(errors="replace"),
                  d.compute_units, d.global_memory_bytes, bool(d.has_fp16), bool(d.fp16_emulated))


def bundled_model():
    """The path of the bundled Fashion-MNIST GoogLeNet, or None when it is not installed."""
    here = os.path.dirname(os.path.abspath(__file__))
    for path in (os.path.join(here, "models", "googlenet-fashion-mnist.onnx"),
                 os.path.join(here, "..", "..", "..", "models", "googlenet-fashion-mnist.onnx")):
        if os.path.isfile(path):
            return os.path.normpath(path)
    return None


def _shape_of(info):
    if info.rank < 0:
        return None
    shape = []
    for k in range(info.rank):
        if info.dims[k] >= 0:
            shape.append(int(info.dims[k]))
        else:
            name = info.dim_names[k]
            shape.append(name.decode() if name else None)
    return shape


# Accepted for ONNX Runtime compatibility and ignored (the device is device=).
_ORT_ARGUMENTS = ("sess_options", "providers", "provider_options")
_OPTION_NAMES = _ORT_ARGUMENTS + ("queues", "tuning", "kernel_family", "conv_algorithm", "gemm", "passes_off", "kernel_dir",
                 "program_cache", "max_plans", "precision", "batch_buckets", "profiling")


def _encode(value):
    return None if value is None else os.fsencode(value) if isinstance(value, os.PathLike) else str(value).encode()


class InferenceSession:
    """One model on one OpenCL device.

    InferenceSession(path_or_bytes, device=None, **options). device is a spec as
    the clgooglenet CLI takes it ('cpu', 'gpu', '0', '1:0', a name substring);
    None reads CLGOOGLENET_DEVICE. Options (clg_context_options; left out, each
    takes its CLGOOGLENET_* variable, else the default):
      queues=N              in-order queues (1 to 4)
      tuning='off'|'cached'|'on'|'force'
      kernel_family='auto'|'cpu'|'simt'
      conv_algorithm='legacy'|'kvec'|'wino'|'wino2'|'lanes'|'plane', gemm='clblast'|'kernel'
      passes_off=[0, 3] or '0,3' or 'all'
      kernel_dir=PATH       build cl/ sources from PATH
      program_cache=bool    on-disk cache of compiled programs
      max_plans=N           plans kept (one per input shape; each costs a compile)
      precision='fp32'|'fp16'  fp16: weights and activations in half (devices
                            with cl_khr_fp16; inputs and outputs stay float32),
                            computed in float on CPUs without half arithmetic
                            (CLGOOGLENET_HALF_MATH=half|float overrides)
      batch_buckets=[64]    one plan serves every batch up to 64 (zero padded)
      profiling=True        record a trace of every run (trace_table(), end_profiling())
    sess_options, providers and provider_options are accepted for ONNX Runtime
    compatibility and ignored: the device is chosen by device=.
    A session may be shared between threads: calls are serialised by a lock,
    and the GIL is released while the device runs.
    """

    def __init__(self, path_or_bytes, device=None, **options):
        unknown = sorted(set(options) - set(_OPTION_NAMES))
        if unknown:
            raise TypeError(f"InferenceSession: unknown option(s) {', '.join(unknown)} "
                            f"(known: {', '.join(_OPTION_NAMES)})")
        lib = self._lib = _api()
        self._lock = threading.RLock()
        self._ctx = ctypes.c_void_p()
        self._model = ctypes.c_void_p()
        self._trace = ctypes.c_void_p()
        self._profile_prefix = "clgooglenet_profile"

        o = _capi.ContextOptions()
        lib.clg_context_options_init(ctypes.byref(o))
        keep = []  # the encoded strings must outlive the create call

        def text(value):
            b = _encode(value)
            keep.append(b)
            return b

        if device is not None:
            o.device = text(device)
        if options.get("profiling"):
            o.flags |= _capi.CONTEXT_PROFILING
        if options.get("queues") is not None:
            o.queues = int(options["queues"])
        if options.get("tuning") is not None:
            mode = options["tuning"]
            if mode not in _capi.TUNING_MODES:
                raise ValueError(f"tuning={mode!r}: expected one of {', '.join(_capi.TUNING_MODES)}")
            o.tuning = _capi.TUNING_MODES[mode]
        for key in ("kernel_family", "conv_algorithm", "gemm", "kernel_dir"):
            if options.get(key) is not None:
                setattr(o, key, text(options[key]))
        passes = options.get("passes_off")
        if passes is not None:
            o.passes_off = text(passes if isinstance(passes, str) else ",".join(str(int(p)) for p in passes))
        if options.get("program_cache") is not None:
            o.program_cache = 1 if options["program_cache"] else -1
        if options.get("max_plans") is not None:
            if int(options["max_plans"]) < 1:
                raise ValueError("max_plans must be at least 1")
            o.max_plans = int(options["max_plans"])
        if options.get("precision") is not None:
            p = options["precision"]
            if p not in _capi.PRECISIONS:
                raise ValueError(f"precision={p!r}: expected one of {', '.join(_capi.PRECISIONS)}")
            o.precision = _capi.PRECISIONS[p]
        _check(lib.clg_context_create_with_options(ctypes.byref(o), ctypes.byref(self._ctx)))
        try:
            if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
                data = bytes(path_or_bytes)
                _check(lib.clg_model_load_memory(self._ctx, data, len(data), ctypes.byref(self._model)))
            else:
                _check(lib.clg_model_load(self._ctx, os.fsencode(path_or_bytes), ctypes.byref(self._model)))
            if options.get("batch_buckets"):
                self.set_batch_buckets(options["batch_buckets"])
            if options.get("profiling"):
                _check(lib.clg_trace_create(ctypes.byref(self._trace)))
                _check(lib.clg_model_set_trace(self._model, self._trace))
            self._inputs = [self._info(lib.clg_model_input_info, i)
                            for i in range(lib.clg_model_input_count(self._model))]
            self._outputs = [self._info(lib.clg_model_output_info, i)
                             for i in range(lib.clg_model_output_count(self._model))]
        except BaseException:
            self._release()
            raise

    # ---- lifetime -----------------------------------------------------------
    def _release(self):
        lib = self._lib
        if self._model:
            lib.clg_model_destroy(self._model)
            self._model = ctypes.c_void_p()
        if self._trace:
            lib.clg_trace_destroy(self._trace)
            self._trace = ctypes.c_void_p()
        if self._ctx:
            lib.clg_context_destroy(self._ctx)
            self._ctx = ctypes.c_void_p()

    def close(self):
        """Releases the device memory now (also done when the session is collected)."""
        with self._lock:
            self._release()

    def __del__(self):
        try:
            self._release()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _handle(self):
        if not self._model:
            raise ValueError("the session is closed")
        return self._model

    # ---- description --------------------------------------------------------
    def _info(self, fn, i):
        info = _capi.IoInfo()
        _check(fn(self._model, i, ctypes.byref(info)))
        return NodeArg(info.name.decode(), _shape_of(info), _capi.ELEM_TYPES.get(info.type, "tensor(undefined)"))

    def get_inputs(self):
        return list(self._inputs)

    def get_outputs(self):
        return list(self._outputs)

    def get_providers(self):
        """As ONNX Runtime: the one provider, this library on its OpenCL device."""
        return ["OpenCLExecutionProvider"]

    def get_device(self):
        """The device this session runs on."""
        return _device(self._lib.clg_context_device(self._ctx).contents)

    def get_modelmeta(self, key=None):
        """A metadata_props value of the model (None when absent)."""
        value = self._lib.clg_model_metadata(self._handle(), key.encode())
        return value.decode() if value is not None else None

    def class_names(self):
        """The model's class names (clgooglenet.classes metadata), or None."""
        names = ctypes.POINTER(ctypes.c_char_p)()
        count = ctypes.c_size_t()
        _check(self._lib.clg_model_class_names(self._handle(), ctypes.byref(names), ctypes.byref(count)))
        try:
            return [names[i].decode() for i in range(count.value)] if names else None
        finally:
            self._lib.clg_free(names)

    # ---- plans --------------------------------------------------------------
    def set_batch_buckets(self, sizes):
        """One plan per bucket serves every batch up to it (inputs zero padded); [] turns it off."""
        sizes = [int(s) for s in sizes]
        arr = (ctypes.c_int64 * max(1, len(sizes)))(*sizes)
        with self._lock:
            _check(self._lib.clg_model_set_batch_buckets(self._handle(), arr, len(sizes)))

    def set_plan_limit(self, max_plans):
        with self._lock:
            _check(self._lib.clg_model_set_plan_limit(self._handle(), int(max_plans)))

    def plan_count(self):
        return self._lib.clg_model_plan_count(self._handle())

    # ---- running ------------------------------------------------------------
    def _tensors(self, input_feed):
        if not isinstance(input_feed, dict):
            _fail("CLG_ERR_INVALID_ARGUMENT", "run: input_feed must be a dict {input name: ndarray}")
        names = [i.name for i in self._inputs]
        extra = sorted(set(input_feed) - set(names))
        if extra:
            _fail("CLG_ERR_INVALID_ARGUMENT",
                  f"run: unknown input(s) {', '.join(map(repr, extra))}; the model's inputs are "
                  f"{', '.join(map(repr, names))}")
        arrays, structs = [], []
        for name in names:
            if name not in input_feed:
                _fail("CLG_ERR_INVALID_ARGUMENT", f"run: input '{name}' is missing")
            a = input_feed[name]
            if not isinstance(a, np.ndarray):
                a = np.asarray(a)
            if a.dtype != np.float32:
                _fail("CLG_ERR_INVALID_ARGUMENT",
                      f"run: input '{name}' has type {a.dtype}; the model takes float32 (tensor(float))")
            if a.ndim > _capi.MAX_RANK:
                _fail("CLG_ERR_INVALID_ARGUMENT", f"run: input '{name}' has rank {a.ndim} (at most {_capi.MAX_RANK})")
            if not a.flags.c_contiguous:
                a = np.ascontiguousarray(a)  # the only copy an input can need
            arrays.append(a)
            t = _capi.Tensor()
            t.rank = a.ndim
            for k, d in enumerate(a.shape):
                t.dims[k] = d
            t.data = a.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
            structs.append(t)
        return arrays, structs

    def run(self, output_names, input_feed, run_options=None):
        """Runs the model: input_feed maps input names to float32 ndarrays; returns
        the outputs named in output_names (None: all) as new ndarrays."""
        lib = self._lib
        wanted = [o.name for o in self._outputs] if output_names is None else list(output_names)
        index = {o.name: i for i, o in enumerate(self._outputs)}
        for n in wanted:
            if n not in index:
                _fail("CLG_ERR_INVALID_ARGUMENT",
                      f"run: '{n}' is not an output; the model's outputs are "
                      f"{', '.join(repr(o.name) for o in self._outputs)}")
        arrays, structs = self._tensors(input_feed)
        n_in, n_out = len(structs), len(self._outputs)
        in_ptrs = (_capi.TensorP * max(1, n_in))(*[ctypes.pointer(t) for t in structs])
        with self._lock:
            model = self._handle()
            infos = (_capi.IoInfo * max(1, n_out))()
            _check(lib.clg_model_output_shapes(model, in_ptrs, n_in, infos, n_out))
            results, out_structs = [], []
            for i in range(n_out):
                shape = tuple(int(infos[i].dims[k]) for k in range(infos[i].rank))
                r = np.empty(shape, dtype=np.float32)
                t = _capi.Tensor()
                t.rank = r.ndim
                for k, d in enumerate(shape):
                    t.dims[k] = d
                t.data = r.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
                results.append(r)
                out_structs.append(t)
            out_ptrs = (_capi.TensorP * max(1, n_out))(*[ctypes.pointer(t) for t in out_structs])
            _check(lib.clg_model_run_into(model, in_ptrs, n_in, out_ptrs, n_out))
        del arrays  # kept alive until the run returned
        return [results[index[n]] for n in wanted]

    # ---- images -------------------------------------------------------------
    def preprocess(self, images):
        """Images as the model's first input wants them: a float32 NCHW ndarray.
        images: file paths, or uint8 arrays (HxW gray, HxWx1, HxWx3 RGB), or one
        uint8 array holding a batch (NxHxW or NxHxWxC)."""
        lib = self._lib
        pp = _capi.Preprocess()
        _check(lib.clg_preprocess_from_model(self._handle(), ctypes.byref(pp)))
        if isinstance(images, (str, bytes, os.PathLike)):
            images = [images]
        elif isinstance(images, np.ndarray):
            # HxW or HxWx{1,3}: one image; NxHxW or NxHxWxC: a batch.
            one = images.ndim == 2 or (images.ndim == 3 and images.shape[-1] in (1, 3))
            images = [images] if one else list(images)
        images = list(images)
        if not images:
            _fail("CLG_ERR_INVALID_ARGUMENT", "preprocess: no images")
        out = _capi.TensorP()
        if all(isinstance(im, (str, bytes, os.PathLike)) for im in images):
            paths = [os.fsencode(p) for p in images]
            arr = (ctypes.c_char_p * len(paths))(*paths)
            _check(lib.clg_preprocess_files(ctypes.byref(pp), arr, len(paths), ctypes.byref(out)))
        else:
            keep, structs = [], []
            for i, im in enumerate(images):
                a = np.asarray(im)
                if a.dtype != np.uint8:
                    _fail("CLG_ERR_INVALID_ARGUMENT", f"preprocess: image {i} has type {a.dtype}; expected uint8")
                if a.ndim == 3 and a.shape[2] in (1, 3):
                    h, w, c = a.shape
                elif a.ndim == 2:
                    (h, w), c = a.shape, 1
                else:
                    _fail("CLG_ERR_INVALID_ARGUMENT",
                          f"preprocess: image {i} has shape {a.shape}; expected HxW, HxWx1 or HxWx3")
                a = np.ascontiguousarray(a)
                keep.append(a)
                img = _capi.Image(w, h, c, a.ctypes.data_as(ctypes.POINTER(ctypes.c_ubyte)))
                structs.append(img)
            ptrs = (ctypes.POINTER(_capi.Image) * len(structs))(*[ctypes.pointer(s) for s in structs])
            _check(lib.clg_preprocess_images(ctypes.byref(pp), ptrs, len(structs), ctypes.byref(out)))
        try:
            t = out.contents
            shape = tuple(int(t.dims[k]) for k in range(t.rank))
            count = lib.clg_tensor_element_count(out)
            return np.ctypeslib.as_array(t.data, shape=(count,)).reshape(shape).copy()
        finally:
            lib.clg_tensor_destroy(out)

    def classify(self, images, top_k=1):
        """Classifies images (see preprocess): a list with one Prediction per image
        (top_k=1), or a list of top_k Predictions per image."""
        x = self.preprocess(images)
        logits, = self.run([self._outputs[0].name], {self._inputs[0].name: x})
        logits = logits.reshape(logits.shape[0], -1)
        z = np.exp(logits - logits.max(axis=1, keepdims=True))
        prob = z / z.sum(axis=1, keepdims=True)
        names = self.class_names()
        result = []
        for row in prob:
            order = np.argsort(-row, kind="stable")[:top_k]
            preds = [Prediction(int(c), names[c] if names and c < len(names) else None, float(row[c]))
                     for c in order]
            result.append(preds[0] if top_k == 1 else preds)
        return result

    # ---- tracing ------------------------------------------------------------
    def _need_trace(self):
        if not self._trace:
            _fail("CLG_ERR_INVALID_ARGUMENT", "no trace: create the session with profiling=True")

    def trace_event_count(self):
        self._need_trace()
        return self._lib.clg_trace_event_count(self._trace)

    def trace_total_ms(self):
        """Device time of every recorded command, in milliseconds."""
        self._need_trace()
        return self._lib.clg_trace_total_ms(self._trace)

    def trace_table(self, peak_gflops=0.0):
        """The per-layer table (node, op, variant, calls, ms, share, GFLOP/s) as text."""
        self._need_trace()
        text = ctypes.c_void_p()
        with self._lock:
            _check(self._lib.clg_trace_table(self._trace, float(peak_gflops), ctypes.byref(text)))
        try:
            return ctypes.string_at(text).decode(errors="replace")
        finally:
            self._lib.clg_free(text)

    def write_trace(self, path):
        """Writes the trace as Chrome trace-event JSON (Perfetto, chrome://tracing)."""
        self._need_trace()
        with self._lock:
            _check(self._lib.clg_trace_write_json(self._trace, os.fsencode(path)))
        return path

    def end_profiling(self):
        """As ONNX Runtime: writes the trace to a new JSON file and returns its name."""
        import time
        path = f"{self._profile_prefix}_{time.strftime('%Y-%m-%d_%H-%M-%S')}_{os.getpid()}.json"
        return self.write_trace(path)

    def peak_gflops(self):
        """The device's measured float32 FMA peak (cached per device)."""
        g = ctypes.c_double()
        with self._lock:
            _check(self._lib.clg_context_peak_gflops(self._ctx, ctypes.byref(g)))
        return g.value
