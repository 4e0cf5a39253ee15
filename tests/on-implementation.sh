#!/bin/bash
# Runs a test program on one OpenCL implementation, or skips it (exit 77,
# meson's SKIP) saying why:
#   tests/on-implementation.sh IMPL CLGOOGLENET TEST [ARGS...]
# IMPL: pocl-pthread, pocl-basic (PoCL's two CPU drivers), intel (Intel's
# OpenCL CPU runtime), rusticl (Mesa's, on llvmpipe); intel-fp16 is Intel's
# runtime with every context in half (CLGOOGLENET_PRECISION=fp16; the only
# CPU runtime here with cl_khr_fp16) computing in half, intel-fp16-float the
# same computing in float on the half data (CLGOOGLENET_HALF_MATH: both
# kernel builds run on every CPU, whichever the device would pick).
# CLGOOGLENET is the CLI, used to ask whether the implementation's device
# exists.
set -u
impl=$1 cli=$2
shift 2
case "$impl" in
    pocl-pthread) export POCL_DEVICES="pthread basic" CLGOOGLENET_DEVICE=pthread ;;
    pocl-basic) export POCL_DEVICES="pthread basic" CLGOOGLENET_DEVICE=basic ;;
    intel | intel-fp16 | intel-fp16-float)
        export CLGOOGLENET_DEVICE="Intel(R) OpenCL"
        [ "$impl" = intel-fp16 ] && export CLGOOGLENET_PRECISION=fp16 CLGOOGLENET_HALF_MATH=half
        [ "$impl" = intel-fp16-float ] && export CLGOOGLENET_PRECISION=fp16 CLGOOGLENET_HALF_MATH=float
        # A cold program store compiles every variant (seconds each) inside
        # one test case: Check's per-case limits get room for that.
        export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-4}
        ;;
    rusticl)
        export RUSTICL_ENABLE=llvmpipe CLGOOGLENET_DEVICE=rusticl
        # Mesa 22.3's rusticl runs the full d2l GoogLeNet at about 2.6 s an
        # image on an idle 2-core machine (PoCL: 4.9 ms); the small test models
        # pass, but its suites add about 20 minutes: they run when asked for.
        if [ "${CLGOOGLENET_TEST_RUSTICL:-0}" != 1 ]; then
            echo "SKIP: rusticl runs only with CLGOOGLENET_TEST_RUSTICL=1 (its suites add about 20 minutes)"
            exit 77
        fi
        export CK_TIMEOUT_MULTIPLIER=${CK_TIMEOUT_MULTIPLIER:-10}
        ;;
    *) echo "unknown implementation '$impl'" >&2; exit 2 ;;
esac
if ! "$cli" devices >/dev/null 2>&1; then
    echo "SKIP: no device for $impl ($CLGOOGLENET_DEVICE): install it with tools/setup-debian.sh --runtimes"
    "$cli" devices 2>&1 | sed 's/^/  /'
    exit 77
fi
# The selected device's block of `clgooglenet devices` says "fp16 yes" or "fp16 no".
if [ "${CLGOOGLENET_PRECISION:-}" = fp16 ] &&
    ! CLGOOGLENET_PRECISION= "$cli" devices 2>/dev/null | awk '/^\*/ {sel = 1; next} /^  [0-9]/ {sel = 0} sel && /fp16 yes/ {ok = 1} END {exit !ok}'; then
    echo "SKIP: $CLGOOGLENET_DEVICE has no cl_khr_fp16"
    exit 77
fi
exec "$@"
