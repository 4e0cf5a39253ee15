#!/bin/bash
# ONNX 1.23's node tests through `clgooglenet conformance`: written by
# tools/make-onnx-node-tests.py from the onnx wheel's case generators (the
# wheel holds no test data) into a temporary folder, then run with
# tests/onnx-node-required.txt as the list that must PASS.
#
# usage: tests/onnx-node-tests.sh CLGOOGLENET
# The interpreter is $ONNX_PYTHON, else the Python package's venv
# (/opt/clgooglenet/venv, which tools/setup-debian.sh --python makes with
# onnx 1.23); without onnx >= 1.23 there the test is a skip (exit 77).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cli=$1
py=${ONNX_PYTHON:-/opt/clgooglenet/venv/bin/python}
if ! [ -x "$py" ] || ! "$py" -c 'import onnx, sys; sys.exit(tuple(map(int, onnx.__version__.split(".")[:2])) < (1, 23))' 2>/dev/null; then
    echo "SKIP: no onnx >= 1.23 for $py (tools/setup-debian.sh --python installs it)"
    exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" "$here/../tools/make-onnx-node-tests.py" "$tmp"
"$cli" conformance "$tmp" --required "$here/onnx-node-required.txt"
