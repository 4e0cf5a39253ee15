#!/bin/bash
# Installs Intel's OpenCL CPU runtime from its PyPI wheels and registers it
# with the ICD loader (run as root; tools/setup-debian.sh --runtimes calls it).
#
# The wheels' *.data/data/lib/ folders are unpacked into one folder,
# /opt/clgooglenet/intel-opencl-VERSION/lib: libintelocl.so finds the
# libraries beside it through its RUNPATH ($ORIGIN), so nothing is added to
# the system's library path. The wheel's own libOpenCL.so (an ICD loader) is
# left out: Debian's ocl-icd stays the only one. The ICD file names the
# library by its full path.
set -euo pipefail
version=2026.2.0
prefix=${CLGOOGLENET_INTEL_OPENCL_PREFIX:-/opt/clgooglenet/intel-opencl-$version}
icd=/etc/OpenCL/vendors/clgooglenet-intel-cpu.icd
wheels=("intel-opencl-rt==$version" "tbb==2023.*" "intel-cmplr-lib-rt==$version")

if [ -f "$prefix/lib/libintelocl.so" ] && [ -f "$icd" ] && grep -qx "$prefix/lib/libintelocl.so" "$icd"; then
    exit 0 # already installed
fi
python=/usr/bin/python3
[ -x "$python" ] || python=python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "Intel OpenCL CPU runtime $version: downloading ${wheels[*]}"
"$python" -m pip download --quiet --no-deps --only-binary=:all: --dest "$work" "${wheels[@]}"
mkdir -p "$prefix/lib"
for wheel in "$work"/*.whl; do
    "$python" -m zipfile -e "$wheel" "$work/unpacked"
done
for lib in "$work"/unpacked/*.data/data/lib; do
    cp -a "$lib"/. "$prefix/lib/"
done
rm -f "$prefix"/lib/libOpenCL.so*
[ -f "$prefix/lib/libintelocl.so" ] || { echo "libintelocl.so missing from the wheels" >&2; exit 1; }
mkdir -p /etc/OpenCL/vendors
echo "$prefix/lib/libintelocl.so" > "$icd.tmp"
mv "$icd.tmp" "$icd"
echo "Intel OpenCL CPU runtime $version: $prefix, registered in $icd"
