import os

import pytest

ROOT = os.environ.get("CLGOOGLENET_SOURCE_ROOT",
                      os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..")))


@pytest.fixture
def root():
    return ROOT


@pytest.fixture
def data_dir():
    return os.path.join(ROOT, "tests", "data")


@pytest.fixture
def bundled():
    return os.path.join(ROOT, "models", "googlenet-fashion-mnist.onnx")
