#!/bin/bash
# Installs what clgooglenet needs on Debian 12 (run as root).
#   tools/setup-debian.sh          build, run and test
#   tools/setup-debian.sh --tools  also the Python tooling (golden data, peer benchmark),
#       including timm from PyPI for Debian's python3 (make-inception-models.py)
#   tools/setup-debian.sh --python[=VENV]  also a venv (default /opt/clgooglenet/venv)
#       with the clgooglenet Python package, pytest and ray[data]; --spark adds pyspark
#   tools/setup-debian.sh --runtimes  also the other OpenCL implementations the
#       tests run on: Intel's OpenCL CPU runtime (PyPI wheels, unpacked under
#       /opt/clgooglenet and registered with the ICD loader), Mesa's rusticl
#       and the Oclgrind simulator (never registered: tests/oclgrind.sh runs it)
set -euo pipefail

packages=(
    gcc pkg-config meson ninja-build python3
    ocl-icd-opencl-dev opencl-headers clinfo pocl-opencl-icd
    libclblast-dev
    libprotobuf-c-dev protobuf-c-compiler libonnx-dev
    check libsubunit-dev
    libonnx-testdata
    libpng-dev libturbojpeg0-dev zlib1g-dev
    dataset-fashion-mnist
)
runtimes=0
python=0 spark=0 venv=/opt/clgooglenet/venv
for arg in "$@"; do
    case "$arg" in
        --tools) ;;
        --runtimes) runtimes=1 ;;
        --python) python=1 ;;
        --python=*) python=1 venv=${arg#--python=} ;;
        --spark) python=1 spark=1 ;;
        *) echo "usage: $0 [--tools] [--runtimes] [--python[=VENV]] [--spark]" >&2; exit 2 ;;
    esac
done
if [ "$runtimes" = 1 ]; then
    packages+=(mesa-opencl-icd oclgrind python3-pip)
fi
if [[ " $* " == *" --tools "* ]]; then
    packages+=(python3-numpy python3-torch python3-torchvision python3-onnx python3-opencv python3-matplotlib)
    packages+=(python3-pil python3-pip)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "$runtimes" = 1 ]; then
    bash "$(dirname "$0")/install-intel-opencl.sh"
fi

# --tools: timm (Inception-v4, Inception-ResNet-v2, Xception for
# tools/make-inception-models.py) for Debian's /usr/bin/python3, from PyPI
# over Debian's torch 1.13 and torchvision: --no-deps, or pip would replace
# them. timm imports and builds models without its other dependencies
# (huggingface_hub, safetensors, pyyaml are needed only for pretrained
# weights and configs). Debian 12's python is externally managed, hence
# --break-system-packages. Skipped when the pinned version is there already.
TIMM_VERSION=1.0.31
if [[ " $* " == *" --tools "* ]]; then
    have=$(/usr/bin/python3 -c 'import timm; print(timm.__version__)' 2>/dev/null || true)
    if [ "$have" != "$TIMM_VERSION" ]; then
        /usr/bin/python3 -m pip install -q --break-system-packages --no-deps \
            --root-user-action=ignore "timm==$TIMM_VERSION"
    fi
fi

# --python[=VENV]: a venv for the Python package and its tests, default
# /opt/clgooglenet/venv (the Python tests look there; CLGOOGLENET_PYTHON
# names another interpreter): numpy, pytest, ray[data], onnx 1.23 (its
# node-test generators, tests/onnx-node-tests.sh) from PyPI and this
# package (pip install ., which builds the library). Debian 12's system pip
# is externally managed, hence the venv. --spark adds pyspark and a Java runtime.
if [ "$python" = 1 ]; then
    extra=(python3-venv python3-pip)
    if [ "$spark" = 1 ]; then extra+=(default-jre-headless); fi
    missing=()
    for p in "${extra[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -q
        apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip
    "$venv/bin/pip" install -q numpy pytest 'ray[data]' 'onnx==1.23.2'
    if [ "$spark" = 1 ]; then "$venv/bin/pip" install -q pyspark pandas; fi
    "$venv/bin/pip" install -q "$(cd "$(dirname "$0")/.." && pwd)"
    echo "Python venv ready: $venv (python -c 'import clgooglenet'; tools/ray-classify.py with $venv/bin/python)"
fi
