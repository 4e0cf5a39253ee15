#!/bin/bash
# Builds, tests and benchmarks clgooglenet on a GPU machine that has no
# network and none of the Debian packages: an Ubuntu-like image with gcc,
# python3 (torch with CUDA, onnx, opencv-python-headless, numpy), meson and
# ninja, and NVIDIA's driver, but maybe no OpenCL ICD loader or headers, no
# CLBlast, protobuf-c or Check.
#
# Prepare here (Debian 12, with network), once:
#     bash tools/gpu-debs.sh            # .gpu-debs/: ~6 MB of .deb files
# Then through the device tool (run), from the repository root:
#     run  command: bash tools/gpu-check.sh
#          carry:   [".gpu-debs"]
#          timeout_s: 600               # the script keeps to ~8 minutes
# Logs, the peer benchmark and two traces come back under $OUT (at most 8
# files; without $OUT they stay in a temporary directory, printed at the end).
#
# Steps, each with a banner; a failing step is reported and the later steps
# that do not depend on it still run:
#   1 deps   if `pkg-config --exists OpenCL clblast libprotobuf-c check libpng
#            libturbojpeg zlib` fails, protoc-c or the ONNX schema is missing
#            (or with --force-unpack), unpack .gpu-debs/*.deb (dpkg -x, or ar +
#            tar) into a private prefix (/tmp/clg-deps, never /) and point
#            PKG_CONFIG, PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR,
#            LD_LIBRARY_PATH and PATH (protoc-c) at it. The unpacked binaries
#            need glibc >= 2.34; where protoc-c cannot run, its output for the
#            ONNX schema made by gpu-debs.sh (.gpu-debs/pregen) stands in.
#   2 icd    register NVIDIA's OpenCL driver (libnvidia-opencl.so.1 from
#            ldconfig -p, /usr/local/nvidia/lib64, /usr/lib/x86_64-linux-gnu,
#            /usr/lib64) with the ICD loader without touching /etc: an .icd
#            file in a private directory exported as OCL_ICD_VENDORS, next to
#            copies of the vendors already registered
#   3 build  meson setup build-gpu -Donnx_proto=... -Dtest_device=gpu; ninja;
#            clgooglenet devices
#   4 test   meson test -C build-gpu --print-errorlogs, every test on the GPU
#   5 model  tools/export-golden.py --divisor 1 --seed 1 --batch 1 (full-size
#            d2l GoogLeNet) --no-verify
#   6 bench  tools/peer-bench.py --model ... --cuda --batches 1,32
#            --skip opencv-ocl --json (PyTorch CUDA included)
#   7 trace  clgooglenet bench --trace at batch 1 and 32
#
# Options:
#   --device SPEC     run tests and benchmarks on SPEC instead of gpu (a dry
#                     run on a machine without a GPU: --device pthread); the
#                     CUDA peers are left out then
#   --force-unpack    use the private prefix even where the system has the
#                     packages (to check that path on Debian)
#   --build-dir DIR   default build-gpu
#   --prefix DIR      private prefix, default /tmp/clg-deps
#   --python PY       interpreter of the Python steps, default python3
#   --bench-runs N    timed runs per peer and batch size, default 20
#   --test-limit S    seconds for meson test, default 240
#   --budget S        seconds for the whole script, default 470; each step's
#                     time limit is cut to what is left
#
# Exit status: 0 all steps passed; 1 deps, build or tests failed; 2 only the
# model, benchmark or trace steps failed.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DEVICE=gpu
DEVICE_GIVEN=0
FORCE_UNPACK=0
BUILD=build-gpu
PREFIX=/tmp/clg-deps
PYTHON=python3
BENCH_RUNS=20
BUDGET=470
TEST_LIMIT=240
while [ $# -gt 0 ]; do
    case "$1" in
        --device) DEVICE=$2; DEVICE_GIVEN=1; shift 2 ;;
        --force-unpack) FORCE_UNPACK=1; shift ;;
        --build-dir) BUILD=$2; shift 2 ;;
        --prefix) PREFIX=$2; shift 2 ;;
        --python) PYTHON=$2; shift 2 ;;
        --bench-runs) BENCH_RUNS=$2; shift 2 ;;
        --budget) BUDGET=$2; shift 2 ;;
        --test-limit) TEST_LIMIT=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "gpu-check: unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
done
case "$PREFIX" in
    /|/usr|/usr/*|/etc|/etc/*|"") echo "gpu-check: --prefix $PREFIX: must be a private directory" >&2; exit 2 ;;
esac

T0=$SECONDS
WORK=$(mktemp -d /tmp/gpu-check.XXXXXX)
OUTDIR=${OUT:-$WORK/out}
mkdir -p "$OUTDIR"
ENVFILE=$WORK/env.sh     # what steps export, sourced after each step
: > "$ENVFILE"
export CLGOOGLENET_DEVICE=$DEVICE
exec > >(tee "$OUTDIR/gpu-check.log") 2>&1

declare -A RESULT
STEPS=()
banner() { printf '\n==== [%4ds] %s\n' $((SECONDS - T0)) "$*"; }

# run_step NAME CAP_S RESERVE_S FUNC: FUNC in a subshell (set -e on) under a
# time limit of min(CAP_S, what the budget leaves after RESERVE_S for the
# steps after it); its exports reach later steps through $ENVFILE.
run_step() {
    local name=$1 cap=$2 reserve=$3 fn=$4 left rc start=$SECONDS
    STEPS+=("$name")
    left=$((BUDGET - (SECONDS - T0) - reserve))
    [ "$left" -lt "$cap" ] && cap=$left
    if [ "$cap" -lt 10 ]; then
        banner "$name: skipped, no time left in the ${BUDGET}s budget"
        RESULT[$name]="skipped (no time)"
        return 0
    fi
    banner "$name (limit ${cap}s)"
    STEP_LIMIT=$cap
    set +e
    (set -euo pipefail; "$fn")
    rc=$?
    set -e
    # shellcheck disable=SC1090
    source "$ENVFILE"
    if [ "$rc" = 0 ]; then
        RESULT[$name]="ok ($((SECONDS - start))s)"
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        RESULT[$name]="FAILED: timed out ($((SECONDS - start))s)"
    else
        RESULT[$name]="FAILED: status $rc ($((SECONDS - start))s)"
    fi
    banner "$name: ${RESULT[$name]}"
}
skip_step() {
    STEPS+=("$1")
    RESULT[$1]="skipped ($2)"
    banner "$1: skipped ($2)"
}
ok() { [[ "${RESULT[$1]:-}" == ok* ]]; }
export_env() {   # export_env VAR VALUE: now and for the later steps
    export "$1=$2"
    printf 'export %s=%q\n' "$1" "$2" >> "$ENVFILE"
}
limit() { timeout -k 10 "$STEP_LIMIT" "$@"; }

# ---------------------------------------------------------------- 0 system
banner "system"
uname -srm
(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME") || true
ldd --version 2>/dev/null | head -1 || true
echo "cpus: $(nproc)   device spec: $DEVICE   budget: ${BUDGET}s   out: $OUTDIR"
command -v nvidia-smi >/dev/null && nvidia-smi -L 2>&1 | head -4 || echo "nvidia-smi: not found"
for t in gcc meson ninja pkg-config dpkg "$PYTHON"; do
    printf '%-11s %s\n' "$t" "$(command -v "$t" >/dev/null && { "$t" --version 2>&1 | head -1; } || echo 'not found')"
done
"$PYTHON" - <<'EOF' 2>&1 || true
import importlib
for m in ("numpy", "torch", "onnx", "cv2", "onnxruntime"):
    try:
        mod = importlib.import_module(m)
        extra = ""
        if m == "torch":
            extra = ", cuda %s, %s" % (mod.version.cuda, mod.cuda.get_device_name(0)
                                       if mod.cuda.is_available() else "no CUDA device")
        print("%-11s %s%s" % (m, getattr(mod, "__version__", "?"), extra))
    except Exception as e:
        print("%-11s unavailable: %s" % (m, e))
EOF

# ---------------------------------------------------------------- 1 deps
PKGS="OpenCL clblast libprotobuf-c check libpng libturbojpeg zlib"
ONNX_PROTO=/usr/include/onnx/onnx.proto

unpack_deb() {   # unpack_deb FILE.deb DIR
    if command -v dpkg-deb >/dev/null; then
        dpkg-deb -x "$1" "$2"
        return
    fi
    local d
    d=$(mktemp -d "$WORK/deb.XXXXXX")
    (cd "$d" && ar x "$1")
    case "$(ls "$d"/data.tar.*)" in
        *.xz) tar -xJf "$d"/data.tar.xz -C "$2" ;;
        *.zst) zstd -dc "$d"/data.tar.zst | tar -x -C "$2" ;;
        *.gz) tar -xzf "$d"/data.tar.gz -C "$2" ;;
        *) echo "unknown data member in $1" >&2; return 1 ;;
    esac
    rm -rf "$d"
}

step_deps() {
    if [ "$FORCE_UNPACK" = 0 ] && command -v pkg-config >/dev/null \
        && pkg-config --exists $PKGS && command -v protoc-c >/dev/null && [ -f "$ONNX_PROTO" ]; then
        echo "the system has everything: $(pkg-config --modversion $PKGS | tr '\n' ' ')"
        export_env ONNX_PROTO "$ONNX_PROTO"
        return 0
    fi
    [ "$FORCE_UNPACK" = 1 ] && echo "--force-unpack: using the private prefix" \
        || echo "missing build dependencies on this system; using .gpu-debs/"
    local debs=("$ROOT"/.gpu-debs/*.deb)
    if [ ! -e "${debs[0]}" ]; then
        echo "no .gpu-debs/*.deb: run 'bash tools/gpu-debs.sh' on Debian 12 and carry .gpu-debs" >&2
        return 1
    fi
    rm -rf "$PREFIX"
    mkdir -p "$PREFIX"
    for f in "${debs[@]}"; do unpack_deb "$f" "$PREFIX"; done
    echo "unpacked ${#debs[@]} packages into $PREFIX ($(du -sh "$PREFIX" | cut -f1))"
    local lib=$PREFIX/usr/lib/x86_64-linux-gnu
    # Development links into the system's runtime (zlib1g is not carried) and
    # links to what is not needed (libonnx) may dangle here: repair or drop.
    local l sys
    find "$lib" -maxdepth 1 -xtype l | while read -r l; do
        case "$(basename "$l")" in
            libz.so)
                sys=$( (ldconfig -p 2>/dev/null || true) | awk '$1 == "libz.so.1" && /x86-64/ {print $NF; exit}')
                [ -n "$sys" ] || sys=$(ls /lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libz.so.1 /usr/lib64/libz.so.1 2>/dev/null | head -1)
                if [ -n "$sys" ]; then ln -sfn "$sys" "$l"; echo "libz.so -> $sys"; else rm -f "$l"; fi ;;
            *) rm -f "$l" ;;
        esac
    done
    export_env LD_LIBRARY_PATH "$lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export_env PKG_CONFIG_LIBDIR "$lib/pkgconfig:$PREFIX/usr/share/pkgconfig"
    export_env PKG_CONFIG_SYSROOT_DIR "$PREFIX"
    # pkg-config: the unpacked pkgconf, else the system's with the same settings.
    if "$PREFIX/usr/bin/pkgconf" --version >/dev/null 2>&1; then
        ln -sfn pkgconf "$PREFIX/usr/bin/pkg-config"
        export_env PKG_CONFIG "$PREFIX/usr/bin/pkgconf"
    elif command -v pkg-config >/dev/null; then
        echo "the unpacked pkgconf does not run here; using $(command -v pkg-config)"
        export_env PKG_CONFIG "$(command -v pkg-config)"
    else
        echo "neither the unpacked pkgconf nor a pkg-config runs here" >&2
        "$PREFIX/usr/bin/pkgconf" --version || true
        return 1
    fi
    # protoc-c: the unpacked one, else a stand-in that copies gpu-debs.sh's output.
    local path=$PREFIX/usr/bin
    if ! "$PREFIX/usr/bin/protoc-c" --version >/dev/null 2>&1; then
        echo "the unpacked protoc-c does not run here:"
        "$PREFIX/usr/bin/protoc-c" --version 2>&1 | head -3 || true
        [ -f "$ROOT/.gpu-debs/pregen/onnx.pb-c.c" ] || { echo "and no .gpu-debs/pregen" >&2; return 1; }
        mkdir -p "$PREFIX/wrap"
        cat > "$PREFIX/wrap/protoc-c" <<EOF
#!/bin/sh
# Stand-in for protoc-c: copies onnx.pb-c.[ch] made by tools/gpu-debs.sh.
for a; do case "\$a" in --c_out=*) out=\${a#--c_out=} ;; esac; done
cp "$ROOT/.gpu-debs/pregen/onnx.pb-c.c" "$ROOT/.gpu-debs/pregen/onnx.pb-c.h" "\$out/"
EOF
        chmod +x "$PREFIX/wrap/protoc-c"
        path=$PREFIX/wrap:$path
        echo "using the pregenerated onnx.pb-c.[ch] instead"
    fi
    export_env PATH "$path:$PATH"
    export_env ONNX_PROTO "$PREFIX/usr/include/onnx/onnx.proto"
    "$PKG_CONFIG" --exists --print-errors $PKGS
    for p in $PKGS; do printf '  %-14s %s\n' "$p" "$("$PKG_CONFIG" --modversion "$p")"; done
    echo "  cflags/libs: $("$PKG_CONFIG" --cflags --libs $PKGS)"
    echo "  protoc-c:    $(command -v protoc-c) ($(protoc-c --version 2>&1 | head -1))"
}
run_step deps 60 360 step_deps

# ---------------------------------------------------------------- 2 icd
step_icd() {
    local vend=$PREFIX-icd found="" d f
    rm -rf "$vend"
    mkdir -p "$vend"
    # Keep what is registered already (an OCL_ICD_VENDORS directory or /etc).
    local old=${OCL_ICD_VENDORS:-/etc/OpenCL/vendors}
    if [ -d "$old" ]; then
        for f in "$old"/*.icd; do [ -e "$f" ] && cp "$f" "$vend/" && echo "kept $f: $(cat "$f")"; done
    elif [ -f "$old" ]; then
        cp "$old" "$vend/" && echo "kept $old: $(cat "$old")"
    fi
    for f in $( (ldconfig -p 2>/dev/null || true) | awk '$1 == "libnvidia-opencl.so.1" {print $NF}') \
             /usr/local/nvidia/lib64/libnvidia-opencl.so.1 /usr/lib/x86_64-linux-gnu/libnvidia-opencl.so.1 \
             /usr/lib64/libnvidia-opencl.so.1; do
        if [ -e "$f" ]; then found=$f; break; fi
    done
    if [ -z "$found" ]; then
        d=$(timeout 20 find / -xdev -name 'libnvidia-opencl.so.1' -not -path '/proc/*' 2>/dev/null | head -1 || true)
        found=$d
    fi
    if [ -n "$found" ]; then
        if grep -qs "libnvidia-opencl" "$vend"/*.icd; then
            echo "NVIDIA OpenCL driver already registered; found $found"
        else
            echo "$found" > "$vend/clgooglenet-nvidia.icd"
            echo "found NVIDIA OpenCL driver: $found -> $vend/clgooglenet-nvidia.icd"
        fi
    else
        echo "no libnvidia-opencl.so.1 found (ldconfig -p, /usr/local/nvidia/lib64, /usr/lib/x86_64-linux-gnu, /usr/lib64, /)"
    fi
    export_env OCL_ICD_VENDORS "$vend"
    echo "OCL_ICD_VENDORS=$vend: $(ls "$vend" | tr '\n' ' ')"
    if [ -z "$found" ] && [ "$DEVICE" = gpu ]; then return 1; fi
}
run_step icd 30 330 step_icd

# ---------------------------------------------------------------- 3 build
step_build() {
    local opts=(-Donnx_proto="${ONNX_PROTO:-/usr/include/onnx/onnx.proto}" -Dtest_device="$DEVICE")
    # meson caches the dependencies it found: reuse a build directory only
    # when it was set up with the same ones (the same pkg-config settings).
    local stamp="${PKG_CONFIG:-pkg-config}|${PKG_CONFIG_SYSROOT_DIR:-}|${PKG_CONFIG_LIBDIR:-}|${opts[*]}"
    if [ -f "$BUILD/build.ninja" ] && [ "$(cat "$BUILD/.gpu-check-stamp" 2>/dev/null)" = "$stamp" ]; then
        limit meson setup --reconfigure "$BUILD" "${opts[@]}" \
            || { rm -rf "$BUILD"; limit meson setup "$BUILD" "${opts[@]}"; }
    else
        rm -rf "$BUILD"
        limit meson setup "$BUILD" "${opts[@]}"
    fi
    echo "$stamp" > "$BUILD/.gpu-check-stamp"
    limit ninja -C "$BUILD"
    echo "--- linked against:"
    ldd "$BUILD/clgooglenet" | grep -E 'OpenCL|clblast|protobuf-c|png|turbojpeg|libz' || true
    echo "--- clgooglenet devices (CLGOOGLENET_DEVICE=$DEVICE):"
    timeout 60 "$BUILD/clgooglenet" devices
}
if ok deps; then run_step build 200 260 step_build; else skip_step build "deps failed"; fi

# ---------------------------------------------------------------- 4 test
step_test() {
    local rc=0
    limit meson test -C "$BUILD" --print-errorlogs || rc=$?
    cp "$BUILD/meson-logs/testlog.txt" "$OUTDIR/testlog.txt" 2>/dev/null || true
    return $rc
}
if ok build; then run_step test "$TEST_LIMIT" 150 step_test; else skip_step test "build failed"; fi

# ---------------------------------------------------------------- 5-7 bench
MODEL=$WORK/d2l_full
step_model() {
    limit "$PYTHON" tools/export-golden.py --divisor 1 --seed 1 --batch 1 \
        --out-prefix "$MODEL" --no-verify
}
run_step model 90 100 step_model

step_bench() {
    local args=(--model "$MODEL.onnx" --clgooglenet "$BUILD/clgooglenet" --batches 1,32
                --skip opencv-ocl --runs "$BENCH_RUNS" --budget 15 --timeout 300 --json)
    [ "$DEVICE_GIVEN" = 0 ] && args+=(--cuda)
    local rc=0
    limit "$PYTHON" tools/peer-bench.py "${args[@]}" > "$OUTDIR/bench.txt" || rc=$?
    cat "$OUTDIR/bench.txt"
    return $rc
}
if ok model; then run_step bench 200 40 step_bench; else skip_step bench "no model"; fi

step_trace() {
    local b rc=0
    for b in 1 32; do
        echo "--- batch $b"
        limit "$BUILD/clgooglenet" bench "$MODEL.onnx" --batch $b --runs 5 --warmup 2 \
            --trace "$OUTDIR/trace-gpu-b$b.json" > "$OUTDIR/trace-gpu-b$b.txt" 2>&1 || rc=$?
        cat "$OUTDIR/trace-gpu-b$b.txt"
    done
    return $rc
}
if ok model && [ -x "$BUILD/clgooglenet" ]; then run_step trace 60 0 step_trace
else skip_step trace "no model or no clgooglenet"; fi

# ---------------------------------------------------------------- summary
banner "summary"
for s in "${STEPS[@]}"; do printf '  %-6s %s\n' "$s" "${RESULT[$s]}"; done
if [ -f "$OUTDIR/bench.txt" ]; then grep -E '^batch-[0-9]+ (latency|throughput):' "$OUTDIR/bench.txt" | sed 's/^/  /' || true; fi
[ -f "$OUTDIR/testlog.txt" ] && grep -E '^(Ok|Fail|Skipped|Timeout|Expected Fail|Unexpected Pass):' \
    "$OUTDIR/testlog.txt" | tr -s ' \n' ' ' | sed 's/^/  tests: /; s/$/\n/' || true
echo "  files in $OUTDIR: $(ls "$OUTDIR" | tr '\n' ' ')"
rc=0
for s in deps build test; do ok "$s" || rc=1; done
if [ "$rc" = 0 ]; then for s in model bench trace; do ok "$s" || rc=2; done; fi
echo "  exit status $rc"
exit $rc
