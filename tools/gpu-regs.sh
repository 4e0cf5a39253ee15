#!/bin/bash
# Register report for the SIMT kernel family, without a GPU.
#
#   tools/gpu-regs.sh [--batch N[,N...]] [--device SPEC] [--all] [MODEL.onnx...]
#
# Runs each model once with CLGOOGLENET_KERNELS=simt and a trace (default: the
# bundled models/googlenet-fashion-mnist.onnx and
# tests/data/imagenet/tv_googlenet_folded.onnx, batch 1, on PoCL's pthread
# device), takes every (program, build options) pair the planner launched
# from the trace (args.program / args.options), and compiles each
#   - for NVIDIA sm_90: clang-15 OpenCL C -> PTX (libclc nvptx64--nvidiacl),
#     then ptxas -v (when ptxas is found: $PTXAS, PATH, /usr/local/cuda/bin);
#   - for AMD gfx1030: clang-15 -> AMDGCN assembly (libclc amdgcn--amdhsa),
#     read from the kernel metadata.
# Prints registers, stack, spills / scratch per kernel entry and exits 1 when
# any has spills, scratch, or more than 128 registers on sm_90.
# Only the convolutions' launches are reported (with CLGOOGLENET_KERNELS=simt
# all of them are the SIMT family's: cl/conv_simt.cl, and Winograd's input
# transform from cl/winograd.cl); --all reports every program launched.
# The variants depend a little on the device (compute units, work-group
# limits): --device picks the one that plans (any CLGOOGLENET_DEVICE spec).
set -euo pipefail
cd "$(dirname "$0")/.."

batches=1
device=pthread
all=0
models=()
while [ $# -gt 0 ]; do
    case "$1" in
        --batch) batches="$2"; shift 2 ;;
        --device) device="$2"; shift 2 ;;
        --all) all=1; shift ;;
        -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "gpu-regs.sh: unknown option $1" >&2; exit 2 ;;
        *) models+=("$1"); shift ;;
    esac
done
[ ${#models[@]} -gt 0 ] || models=(models/googlenet-fashion-mnist.onnx tests/data/imagenet/tv_googlenet_folded.onnx)

cli=${CLGOOGLENET_CLI:-build/clgooglenet}
clang=${CLANG:-clang-15}
clc=${CLC_DIR:-/usr/lib/clc}
ptxas=${PTXAS:-}
if [ -z "$ptxas" ]; then
    ptxas=$(command -v ptxas || true)
    [ -n "$ptxas" ] || { [ -x /usr/local/cuda/bin/ptxas ] && ptxas=/usr/local/cuda/bin/ptxas; } || true
fi
[ -x "$cli" ] || { echo "gpu-regs.sh: $cli not found (build first: tools/build.sh)" >&2; exit 2; }
command -v "$clang" >/dev/null || { echo "gpu-regs.sh: $clang not found (apt install clang-15)" >&2; exit 2; }
for bc in nvptx64--nvidiacl.bc amdgcn--amdhsa.bc; do
    [ -f "$clc/$bc" ] || { echo "gpu-regs.sh: $clc/$bc not found (apt install libclc-15)" >&2; exit 2; }
done
[ -n "$ptxas" ] || echo "gpu-regs.sh: no ptxas: NVIDIA figures skipped (set PTXAS=...)" >&2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The variants: every launch of a traced run.
: > "$tmp/variants"
: > "$tmp/launches"
for model in "${models[@]}"; do
    [ -f "$model" ] || { echo "gpu-regs.sh: $model not found" >&2; exit 2; }
    for b in ${batches//,/ }; do
        if ! CLGOOGLENET_KERNELS=simt CLGOOGLENET_DEVICE="$device" "$cli" bench "$model" --batch "$b" \
                --runs 1 --warmup 0 --trace "$tmp/trace.json" > "$tmp/bench.log" 2>&1; then
            cat "$tmp/bench.log" >&2
            echo "gpu-regs.sh: running $model at batch $b failed" >&2
            exit 2
        fi
        python3 - "$tmp/trace.json" "$all" "$b" "$model" >> "$tmp/variants" 2>> "$tmp/launches" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1], encoding='utf-8'))
smallest = None
for e in doc['traceEvents']:
    a = e.get('args', {})
    if a.get('op') == 'Conv' and a.get('global'):
        items = 1
        for g in a['global'].split('x'):
            items *= int(g)
        if smallest is None or items < smallest[0]:
            smallest = (items, e['name'], a.get('variant', ''))
    a = e.get('args', {})
    p = a.get('program', '')
    if p and (sys.argv[2] == '1' or a.get('op') == 'Conv'):
        print('%s\t%s\t%s' % (p, a.get('kernel', ''), a.get('options', '')))
if smallest:
    sys.stderr.write('%s batch %s: smallest convolution launch %d work-items (%s, %s)\n'
                     % (sys.argv[4], sys.argv[3], smallest[0], smallest[1], smallest[2]))
EOF
    done
done
sort -u "$tmp/variants" > "$tmp/unique"
count=$(wc -l < "$tmp/unique")
[ "$count" -gt 0 ] || { echo "gpu-regs.sh: no convolution launches in the traces" >&2; exit 2; }
echo "$count variant(s) from ${models[*]} (batch $batches, device $device, CLGOOGLENET_KERNELS=simt)"

# 2. Compile each for sm_90 and gfx1030; collect one line per kernel entry.
: > "$tmp/report"
i=0
while IFS=$'\t' read -r program kernel options; do
    i=$((i + 1))
    read -ra defs <<< "$options"
    src="cl/$program"
    nv="-"
    if [ -n "$ptxas" ]; then
        "$clang" -x cl -cl-std=CL1.2 -target nvptx64-nvidia-nvcl -Xclang -finclude-default-header \
            -Xclang -mlink-builtin-bitcode -Xclang "$clc/nvptx64--nvidiacl.bc" -O3 -S \
            -o "$tmp/k.ptx" "$src" "${defs[@]}" 2> "$tmp/clang.log" || { cat "$tmp/clang.log" >&2; exit 2; }
        "$ptxas" -arch=sm_90 -v "$tmp/k.ptx" -o /dev/null > "$tmp/ptxas.log" 2>&1 ||
            { cat "$tmp/ptxas.log" >&2; exit 2; }
        nv="$tmp/ptxas.log"
    fi
    "$clang" -x cl -cl-std=CL1.2 -target amdgcn-amd-amdhsa -mcpu=gfx1030 -nogpulib \
        -Xclang -finclude-default-header -Xclang -mlink-builtin-bitcode -Xclang "$clc/amdgcn--amdhsa.bc" \
        -O3 -S -o "$tmp/k.s" "$src" "${defs[@]}" 2> "$tmp/clang.log" || { cat "$tmp/clang.log" >&2; exit 2; }
    python3 - "$i" "$kernel" "$options" "$nv" "$tmp/k.s" >> "$tmp/report" <<'EOF'
import re, sys
idx, launched, options, nv, amd = sys.argv[1:6]
kernels = {}
if nv != '-':
    cur = None
    for line in open(nv):
        m = re.search(r"Compiling entry function '([^']+)'", line)
        if m:
            cur = kernels.setdefault(m.group(1), {})
            continue
        m = re.search(r'(\d+) bytes stack frame, (\d+) bytes spill stores, (\d+) bytes spill loads', line)
        if m and cur is not None:
            cur['stack'], cur['spill'] = int(m.group(1)), int(m.group(2)) + int(m.group(3))
        m = re.search(r'Used (\d+) registers', line)
        if m and cur is not None:
            cur['regs'] = int(m.group(1))
cur = None
for line in open(amd):
    m = re.match(r'\s+\.name:\s+(\S+)', line)
    if m:
        cur = kernels.setdefault(m.group(1), {})
        continue
    m = re.match(r'\s+\.(vgpr_count|sgpr_count|private_segment_fixed_size|vgpr_spill_count|sgpr_spill_count):\s+(\d+)', line)
    if m and cur is not None:
        cur[m.group(1)] = int(m.group(2))
for name, k in sorted(kernels.items()):
    if ('vgpr_count' not in k and 'regs' not in k) or (launched and name != launched):
        continue
    nvtxt = ('%4s %6s %6s' % (k['regs'], k['stack'], k['spill'])) if 'regs' in k else '%4s %6s %6s' % ('-', '-', '-')
    amdspill = k.get('vgpr_spill_count', 0) + k.get('sgpr_spill_count', 0)
    scratch = k.get('private_segment_fixed_size', 0)
    bad = k.get('spill', 0) > 0 or k.get('regs', 0) > 128 or scratch > 0 or amdspill > 0
    print('%-4s %-18s %s   %5s %5s %7s %6s  %s' % (
        'FAIL' if bad else 'ok', name, nvtxt, k.get('vgpr_count', '-'), k.get('sgpr_count', '-'),
        scratch, amdspill, options))
EOF
done < "$tmp/unique"

cat "$tmp/launches"
printf '%-4s %-18s %-18s   %-27s\n' "" "" "NVIDIA sm_90" "AMD gfx1030"
printf '%-4s %-18s %4s %6s %6s   %5s %5s %7s %6s  %s\n' "" "kernel" "regs" "stack" "spill" "vgpr" "sgpr" "scratch" "spill" "build options"
cat "$tmp/report"
fails=$(grep -c '^FAIL' "$tmp/report" || true)
if [ "$fails" -gt 0 ]; then
    echo "gpu-regs.sh: $fails kernel(s) spill, use scratch or exceed 128 registers on sm_90" >&2
    exit 1
fi
echo "gpu-regs.sh: all $(wc -l < "$tmp/report") kernel builds: no spills, no scratch, <= 128 registers on sm_90"
