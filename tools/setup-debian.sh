#!/bin/bash
# Installs what clgooglenet needs on Debian 12 (run as root).
#   tools/setup-debian.sh          build, run and test
#   tools/setup-debian.sh --tools  also the Python tooling (golden data, peer benchmark)
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
for arg in "$@"; do
    case "$arg" in
        --tools) ;;
        --runtimes) runtimes=1 ;;
        *) echo "usage: $0 [--tools] [--runtimes]" >&2; exit 2 ;;
    esac
done
if [ "$runtimes" = 1 ]; then
    packages+=(mesa-opencl-icd oclgrind python3-pip)
fi
if [[ " $* " == *" --tools "* ]]; then
    packages+=(python3-numpy python3-torch python3-torchvision python3-onnx python3-opencv python3-matplotlib)
    packages+=(python3-pil)
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
