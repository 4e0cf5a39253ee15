#!/bin/bash
# The slow full-size check of the two ImageNet topologies (the goldens in
# tests/data/imagenet are the small versions of the same models):
#
#   1. tools/make-imagenet-models.py --size full --batch 4 makes, into DIR,
#      torchvision's GoogLeNet (BN kept / default export, transform_input on
#      / off) and the zoo Inception-v1, 3x224x224, 1000 classes, with
#      PyTorch's (tv) and ONNX Runtime's (zoo) outputs; a batch-1 case is the
#      first item of each;
#   2. build/clgooglenet infer MODEL INPUT.npy --output OUT.npy for each model
#      and batch (CLGOOGLENET_DEVICE, default cpu);
#   3. compares (numpy): every row within 1e-4 of the row's largest |value|
#      of the reference, and the same top-1; prints a table.
#
# usage: tools/imagenet-check.sh [--dir DIR] [--build DIR] [--seed N]
#            [--models LIST] [--python PY] [--skip-generate] [--keep]
#   --dir DIR        work directory (kept); default a temporary one, removed
#                    at the end unless --keep (~150 MB: five 27 MB models)
#   --build DIR      build directory with the clgooglenet CLI (default build)
#   --seed N         weights and inputs (default 1)
#   --models LIST    comma-separated subset (default all five; see
#                    make-imagenet-models.py --help)
#   --python PY      interpreter with torch 1.13+, torchvision and onnx
#                    (default /usr/bin/python3); ONNX Runtime is found as
#                    make-imagenet-models.py describes ($ORT_PYTHON, ...)
#   --skip-generate  reuse the models and references already in --dir
#   --keep           keep the temporary directory
#
# Exit status: 0 all match; 1 a mismatch or a failed run; 2 usage or
# generation error. Generation takes ~40 s on 2 cores; each infer call
# loads a 27 MB model and runs 1.5 GMAC per image.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DIR="" BUILD=build SEED=1 MODELS="" PY=/usr/bin/python3 GENERATE=1 KEEP=0
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) DIR=$2; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --models) MODELS=$2; shift 2 ;;
        --python) PY=$2; shift 2 ;;
        --skip-generate) GENERATE=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "imagenet-check: unknown argument '$1' (--help)" >&2; exit 2 ;;
    esac
done

CLI=$BUILD/clgooglenet
[ -x "$CLI" ] || { echo "imagenet-check: no $CLI (build first: tools/build.sh)" >&2; exit 2; }
if [ -z "$DIR" ]; then
    DIR=$(mktemp -d /tmp/imagenet-check.XXXXXX)
    [ "$KEEP" = 1 ] || trap 'rm -rf "$DIR"' EXIT
fi
mkdir -p "$DIR"
export CLGOOGLENET_DEVICE=${CLGOOGLENET_DEVICE:-cpu}

ALL=tv_googlenet_bn_ti,tv_googlenet_bn,tv_googlenet_folded_ti,tv_googlenet_folded,zoo_inception_v1
MODELS=${MODELS:-$ALL}

if [ "$GENERATE" = 1 ]; then
    echo "== generating full-size models into $DIR (seed $SEED)"
    t0=$EPOCHREALTIME
    "$PY" "$ROOT/tools/make-imagenet-models.py" --size full --batch 4 --seed "$SEED" \
        --models "$MODELS" --out "$DIR" 2> >(grep -v -i warning >&2) \
        || { echo "imagenet-check: generation failed" >&2; exit 2; }
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "== generated in %.1f s\n", b - a }'
fi

# Batch-1 cases: the first item of each batch-4 input and reference.
"$PY" - "$DIR" "$MODELS" <<'EOF' || exit 2
import sys, numpy as np
d, models = sys.argv[1], sys.argv[2].split(",")
for m in models:
    for kind in ("input", "output"):
        a = np.load("%s/%s.%s.npy" % (d, m, kind))
        np.save("%s/%s.b1.%s.npy" % (d, m, kind), np.ascontiguousarray(a[:1]))
        np.save("%s/%s.b4.%s.npy" % (d, m, kind), a)
EOF

echo "== running $CLI on CLGOOGLENET_DEVICE=$CLGOOGLENET_DEVICE"
RESULTS=$DIR/results.tsv
: > "$RESULTS"
for m in ${MODELS//,/ }; do
    for b in 1 4; do
        out=$DIR/$m.b$b.got.npy log=$DIR/$m.b$b.log
        rm -f "$out"
        t0=$EPOCHREALTIME
        if "$CLI" infer "$DIR/$m.onnx" "$DIR/$m.b$b.input.npy" --output "$out" >"$log" 2>&1; then
            st=ran
        else
            st=failed
            echo "-- $m batch $b failed:" >&2
            tail -n 5 "$log" >&2
        fi
        t=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
        printf '%s\t%s\t%s\t%s\n' "$m" "$b" "$t" "$st" >> "$RESULTS"
    done
done

"$PY" - "$DIR" "$RESULTS" <<'EOF'
import sys, numpy as np
d, results = sys.argv[1], sys.argv[2]
TOL = 1e-4
bad = 0
print("%-24s %5s %9s %12s %8s  %s" % ("model", "batch", "infer s", "max err/row", "top-1", "result"))
for line in open(results):
    m, b, t, st = line.split()
    ref = np.load("%s/%s.b%s.output.npy" % (d, m, b)).astype(np.float64)
    ref = ref.reshape(len(ref), -1)
    err, top, res = "-", "-", "FAIL (run failed)"
    if st == "ran":
        got = np.load("%s/%s.b%s.got.npy" % (d, m, b)).astype(np.float64)
        if got.size != ref.size or got.shape[0] != ref.shape[0]:
            res = "FAIL (shape %s, want %s)" % (got.shape, ref.shape)
        else:
            got = got.reshape(ref.shape)
            rel = (np.abs(got - ref).max(1) / np.maximum(np.abs(ref).max(1), 1e-30)).max()
            same = int((got.argmax(1) == ref.argmax(1)).sum())
            err, top = "%.2e" % rel, "%d/%d" % (same, len(ref))
            res = "ok" if rel <= TOL and same == len(ref) else "FAIL"
    bad += res != "ok"
    print("%-24s %5s %9.2f %12s %8s  %s" % (m, b, float(t), err, top, res))
print("%s: %d of %d cases match (tolerance %g of each row's largest, same top-1)"
      % ("PASS" if not bad else "FAIL", sum(1 for _ in open(results)) - bad,
         sum(1 for _ in open(results)), TOL))
sys.exit(1 if bad else 0)
EOF
