#!/bin/bash
# Runs libFuzzer harnesses one after another, niced, each for SECONDS of
# fuzzing (restarting after a crash until the time is used up), starting from
# the committed seeds. Crashing inputs land in WORK/<harness>/; copy each one
# into tests/fuzz/regressions/<harness>/ once it is fixed.
#   usage: tests/fuzz/run-fuzzers.sh BUILD_DIR WORK SECONDS [HARNESS...]
# BUILD_DIR must be configured with -Dfuzzing=true (CC=clang).
set -u
build=$1 work=$2 seconds=$3
shift 3
src=$(cd "$(dirname "$0")" && pwd)
harnesses=${*:-onnx npy pb device image idx}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for h in $harnesses; do
    mkdir -p "$work/$h/corpus"
    start=$(date +%s)
    round=0
    while :; do
        left=$(( seconds - ($(date +%s) - start) ))
        [ "$left" -le 5 ] && break
        round=$((round + 1))
        nice -n 19 "$build/tests/fuzz/fuzz-$h" "$work/$h/corpus" "$src/corpus/$h" \
            -max_total_time="$left" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
            -artifact_prefix="$work/$h/" >"$work/$h/log.$round" 2>&1
        rc=$?
        echo "$h round $round: exit $rc, $(grep -c '' "$work/$h/log.$round") log lines"
        [ $rc -eq 0 ] && break
    done
done
