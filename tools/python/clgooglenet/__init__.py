"""clgooglenet: GoogLeNet / Inception inference from ONNX on any OpenCL device.

The API follows ONNX Runtime's, so that switching is a change of import::

    import clgooglenet as rt
    sess = rt.InferenceSession("model.onnx", device="cpu")
    name = sess.get_inputs()[0].name
    logits, = sess.run(None, {name: batch})   # batch: float32 NCHW ndarray

A thin ctypes layer over the C library (include/clgooglenet.h); the calls
release the GIL while the device works.
"""

from ._session import (ClgError, Device, InferenceSession, NodeArg, Prediction, bundled_model, devices,
                       get_library_path)
from ._session import version as _version

__version__ = _version()
__all__ = ["ClgError", "Device", "InferenceSession", "NodeArg", "Prediction", "bundled_model", "devices",
           "get_library_path", "__version__"]
