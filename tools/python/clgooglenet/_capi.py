"""ctypes declarations of include/clgooglenet.h (the public C API only)."""

import ctypes
import ctypes.util
import glob
import os

MAX_RANK = 8
MAX_BATCH_BUCKETS = 16
CONTEXT_PROFILING = 1

STATUS_NAMES = {
    0: "CLG_OK",
    -1001: "CLG_ERR_INVALID_ARGUMENT",
    -1002: "CLG_ERR_IO",
    -1003: "CLG_ERR_PARSE",
    -1004: "CLG_ERR_UNSUPPORTED",
    -1005: "CLG_ERR_SHAPE",
    -1006: "CLG_ERR_DEVICE_NOT_FOUND",
    -1007: "CLG_ERR_OPENCL",
    -1008: "CLG_ERR_OUT_OF_MEMORY",
    -1009: "CLG_ERR_KERNEL_BUILD",
}

TUNING_MODES = {"default": 0, "off": 1, "cached": 2, "on": 3, "force": 4}
PRECISIONS = {"default": 0, "fp32": 1, "fp16": 2}
ELEM_TYPES = {0: "tensor(undefined)", 1: "tensor(float)", 10: "tensor(float16)", 16: "tensor(bfloat16)"}
DEVICE_TYPES = {1: "cpu", 2: "gpu", 4: "accelerator", 8: "other"}


class Tensor(ctypes.Structure):
    _fields_ = [("rank", ctypes.c_int),
                ("dims", ctypes.c_int64 * MAX_RANK),
                ("data", ctypes.POINTER(ctypes.c_float))]


class IoInfo(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p),
                ("rank", ctypes.c_int),
                ("dims", ctypes.c_int64 * MAX_RANK),
                ("type", ctypes.c_int),
                ("dim_names", ctypes.c_char_p * MAX_RANK)]


class DeviceInfo(ctypes.Structure):
    _fields_ = [("index", ctypes.c_int),
                ("platform_index", ctypes.c_int),
                ("device_index", ctypes.c_int),
                ("platform_name", ctypes.c_char * 128),
                ("device_name", ctypes.c_char * 128),
                ("driver_version", ctypes.c_char * 64),
                ("opencl_c_version", ctypes.c_char * 64),
                ("type", ctypes.c_int),
                ("compute_units", ctypes.c_uint),
                ("global_memory_bytes", ctypes.c_uint64),
                ("local_memory_bytes", ctypes.c_uint64),
                ("has_fp16", ctypes.c_int),
                ("fp16_emulated", ctypes.c_int)]


class ContextOptions(ctypes.Structure):
    _fields_ = [("device", ctypes.c_char_p),
                ("flags", ctypes.c_uint),
                ("queues", ctypes.c_int),
                ("tuning", ctypes.c_int),
                ("kernel_family", ctypes.c_char_p),
                ("conv_algorithm", ctypes.c_char_p),
                ("gemm", ctypes.c_char_p),
                ("passes_off", ctypes.c_char_p),
                ("kernel_dir", ctypes.c_char_p),
                ("program_cache", ctypes.c_int),
                ("max_plans", ctypes.c_size_t),
                ("precision", ctypes.c_int)]


class Image(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int),
                ("height", ctypes.c_int),
                ("channels", ctypes.c_int),
                ("pixels", ctypes.POINTER(ctypes.c_ubyte))]


class Preprocess(ctypes.Structure):
    _fields_ = [("channels", ctypes.c_int),
                ("height", ctypes.c_int),
                ("width", ctypes.c_int),
                ("bgr", ctypes.c_int),
                ("scale", ctypes.c_double),
                ("mean", ctypes.c_float * 3),
                ("std", ctypes.c_float * 3),
                ("resize_shorter", ctypes.c_int)]


c_void_pp = ctypes.POINTER(ctypes.c_void_p)
status = ctypes.c_int
TensorP = ctypes.POINTER(Tensor)

# name: (restype, argtypes)
_PROTOTYPES = {
    "clg_version": (ctypes.c_char_p, []),
    "clg_status_to_string": (ctypes.c_char_p, [ctypes.c_int]),
    "clg_last_error": (ctypes.c_char_p, []),
    "clg_free": (None, [ctypes.c_void_p]),
    "clg_devices_list": (status, [ctypes.POINTER(ctypes.POINTER(DeviceInfo)), ctypes.POINTER(ctypes.c_size_t)]),
    "clg_context_options_init": (None, [ctypes.POINTER(ContextOptions)]),
    "clg_context_create_with_options": (status, [ctypes.POINTER(ContextOptions), c_void_pp]),
    "clg_context_destroy": (None, [ctypes.c_void_p]),
    "clg_context_device": (ctypes.POINTER(DeviceInfo), [ctypes.c_void_p]),
    "clg_context_peak_gflops": (status, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_double)]),
    "clg_model_load": (status, [ctypes.c_void_p, ctypes.c_char_p, c_void_pp]),
    "clg_model_load_memory": (status, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, c_void_pp]),
    "clg_model_destroy": (None, [ctypes.c_void_p]),
    "clg_model_input_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "clg_model_output_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "clg_model_input_info": (status, [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(IoInfo)]),
    "clg_model_output_info": (status, [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(IoInfo)]),
    "clg_model_output_shapes": (status, [ctypes.c_void_p, ctypes.POINTER(TensorP), ctypes.c_size_t,
                                         ctypes.POINTER(IoInfo), ctypes.c_size_t]),
    "clg_model_run_into": (status, [ctypes.c_void_p, ctypes.POINTER(TensorP), ctypes.c_size_t,
                                    ctypes.POINTER(TensorP), ctypes.c_size_t]),
    "clg_model_set_plan_limit": (status, [ctypes.c_void_p, ctypes.c_size_t]),
    "clg_model_plan_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "clg_model_set_batch_buckets": (status, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_int64), ctypes.c_size_t]),
    "clg_model_metadata": (ctypes.c_char_p, [ctypes.c_void_p, ctypes.c_char_p]),
    "clg_model_class_names": (status, [ctypes.c_void_p, ctypes.POINTER(ctypes.POINTER(ctypes.c_char_p)),
                                       ctypes.POINTER(ctypes.c_size_t)]),
    "clg_model_set_trace": (status, [ctypes.c_void_p, ctypes.c_void_p]),
    "clg_trace_create": (status, [c_void_pp]),
    "clg_trace_destroy": (None, [ctypes.c_void_p]),
    "clg_trace_event_count": (ctypes.c_size_t, [ctypes.c_void_p]),
    "clg_trace_write_json": (status, [ctypes.c_void_p, ctypes.c_char_p]),
    "clg_trace_total_ms": (ctypes.c_double, [ctypes.c_void_p]),
    "clg_trace_table": (status, [ctypes.c_void_p, ctypes.c_double, ctypes.POINTER(ctypes.c_void_p)]),
    "clg_preprocess_from_model": (status, [ctypes.c_void_p, ctypes.POINTER(Preprocess)]),
    "clg_preprocess_images": (status, [ctypes.POINTER(Preprocess), ctypes.POINTER(ctypes.POINTER(Image)),
                                       ctypes.c_size_t, ctypes.POINTER(TensorP)]),
    "clg_preprocess_files": (status, [ctypes.POINTER(Preprocess), ctypes.POINTER(ctypes.c_char_p),
                                      ctypes.c_size_t, ctypes.POINTER(TensorP)]),
    "clg_tensor_destroy": (None, [TensorP]),
    "clg_tensor_element_count": (ctypes.c_size_t, [TensorP]),
}

LIBRARY_ENV = "CLGOOGLENET_LIBRARY"


def _candidates():
    env = os.environ.get(LIBRARY_ENV)
    if env:
        yield env
        return
    here = os.path.dirname(os.path.abspath(__file__))
    # Installed by pip: the library sits next to this file.
    for path in sorted(glob.glob(os.path.join(here, "libclgooglenet.so*"))):
        yield path
    found = ctypes.util.find_library("clgooglenet")
    if found:
        yield found


def load_library():
    errors = []
    for path in _candidates():
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            errors.append(f"{path}: {e}")
            continue
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
        lib.path = path
        return lib
    hint = "; ".join(errors) if errors else "no libclgooglenet.so next to the package or on the library path"
    raise ImportError(f"clgooglenet: cannot load the C library ({hint}); "
                      f"set {LIBRARY_ENV} to its path or reinstall with 'pip install .'")
