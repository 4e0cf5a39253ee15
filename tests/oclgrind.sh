#!/bin/bash
# Runs a test program under Oclgrind, the OpenCL simulator that checks every
# memory access of every kernel, and fails on anything it reports: accesses
# out of bounds, data races, API misuse. (--uninitialized is left off: in
# Oclgrind 21.10 it hides out-of-bounds reads.)
#   tests/oclgrind.sh build/tests/test-conv         (or: meson test --setup oclgrind)
# Oclgrind is loaded in front of the ICD loader and is the only platform the
# program sees; it presents itself as a GPU, so the device is named.
set -u
if ! command -v oclgrind >/dev/null; then
    echo "SKIP: oclgrind is not installed (apt-get install oclgrind, or tools/setup-debian.sh --runtimes)"
    exit 77
fi
log=$(mktemp "${TMPDIR:-/tmp}/oclgrind.XXXXXX")
trap 'rm -f "$log"' EXIT
export CLGOOGLENET_DEVICE=oclgrind
# One process: Check's forked children would each need the simulator's state.
export CK_FORK=no
# The simulator runs kernels three orders of magnitude slower than a CPU driver.
export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-100}
oclgrind --check-api --data-races --log "$log" "$@"
rc=$?
if [ -s "$log" ]; then
    echo "oclgrind reported:" >&2
    head -c 20000 "$log" >&2
    [ "$rc" -eq 0 ] && rc=1
fi
exit $rc
