#!/bin/bash
# The body of the slow full-size checks (tools/imagenet-check.sh,
# tools/inception-check.sh), which call it as
#
#   tools/full-size-check.sh --generator SCRIPT --models-all LIST --name NAME
#       [--generator-arg ARG]... [--help-from FILE] [their options]
#
#   1. tools/SCRIPT --size full --batch 4 --seed N --models LIST --out DIR
#      makes the full-size models with their references (NAME.onnx,
#      NAME.input.npy, NAME.output.npy; NAME.output64.npy, the float64
#      output, where the generator writes one); a batch-1 case is the first
#      item of each;
#   2. build/clgooglenet infer MODEL INPUT.npy --output OUT.npy for each model
#      and batch (CLGOOGLENET_DEVICE, default cpu; every other CLGOOGLENET_*
#      variable, such as CLGOOGLENET_CONV, passes through);
#   3. compares (numpy): every row within 1e-4 of the row's largest |value|
#      of the reference, and the same top-1; prints a table (with the error
#      against the float64 output too where there is one).
#
# Options (the wrappers take these):
#   --dir DIR        work directory (kept); default a temporary one, removed
#                    at the end unless --keep
#   --build DIR      build directory with the clgooglenet CLI (default build)
#   --seed N         weights and inputs (default 1)
#   --models LIST    comma-separated subset (default all)
#   --python PY      interpreter with torch 1.13+, torchvision and onnx
#                    (default /usr/bin/python3); ONNX Runtime is found as the
#                    generator describes ($ORT_PYTHON, ...)
#   --skip-generate  reuse the models and references already in --dir
#   --keep           keep the temporary directory
#
# Exit status: 0 all match; 1 a mismatch or a failed run; 2 usage or
# generation error.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

DIR="" BUILD=build SEED=1 MODELS="" PY=/usr/bin/python3 GENERATE=1 KEEP=0
GEN="" ALL="" NAME=full-size-check HELP_FROM=$0 GEN_ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --generator) GEN=$2; shift 2 ;;
        --generator-arg) GEN_ARGS+=("$2"); shift 2 ;;
        --models-all) ALL=$2; shift 2 ;;
        --name) NAME=$2; shift 2 ;;
        --help-from) HELP_FROM=$2; shift 2 ;;
        --dir) DIR=$2; shift 2 ;;
        --build) BUILD=$2; shift 2 ;;
        --seed) SEED=$2; shift 2 ;;
        --models) MODELS=$2; shift 2 ;;
        --python) PY=$2; shift 2 ;;
        --skip-generate) GENERATE=0; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) sed -n '2,/^set -euo/p' "$HELP_FROM" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) echo "$NAME: unknown argument '$1' (--help)" >&2; exit 2 ;;
    esac
done
[ -n "$GEN" ] && [ -n "$ALL" ] || { echo "$NAME: --generator and --models-all are required" >&2; exit 2; }

CLI=$BUILD/clgooglenet
[ -x "$CLI" ] || { echo "$NAME: no $CLI (build first: tools/build.sh)" >&2; exit 2; }
if [ -z "$DIR" ]; then
    DIR=$(mktemp -d "/tmp/$NAME.XXXXXX")
    [ "$KEEP" = 1 ] || trap 'rm -rf "$DIR"' EXIT
fi
mkdir -p "$DIR"
export CLGOOGLENET_DEVICE=${CLGOOGLENET_DEVICE:-cpu}
MODELS=${MODELS:-$ALL}

if [ "$GENERATE" = 1 ]; then
    echo "== generating full-size models into $DIR (seed $SEED)"
    t0=$EPOCHREALTIME
    "$PY" "$ROOT/tools/$GEN" --size full --batch 4 --seed "$SEED" ${GEN_ARGS[@]+"${GEN_ARGS[@]}"} \
        --models "$MODELS" --out "$DIR" 2> >(grep -v -i warning >&2) \
        || { echo "$NAME: generation failed" >&2; exit 2; }
    awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "== generated in %.1f s\n", b - a }'
fi

# Batch-1 cases: the first item of each batch-4 input and reference.
"$PY" - "$DIR" "$MODELS" <<'EOF' || exit 2
import os, sys, numpy as np
d, models = sys.argv[1], sys.argv[2].split(",")
for m in models:
    for kind in ("input", "output", "output64"):
        p = "%s/%s.%s.npy" % (d, m, kind)
        if kind == "output64" and not os.path.exists(p):
            continue
        a = np.load(p)
        np.save("%s/%s.b1.%s.npy" % (d, m, kind), np.ascontiguousarray(a[:1]))
        np.save("%s/%s.b4.%s.npy" % (d, m, kind), a)
EOF

echo "== running $CLI on CLGOOGLENET_DEVICE=$CLGOOGLENET_DEVICE" \
     "$(env | grep '^CLGOOGLENET_' | grep -v '^CLGOOGLENET_DEVICE=' | tr '\n' ' ')"
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
import os, sys, numpy as np
d, results = sys.argv[1], sys.argv[2]
TOL = 1e-4
bad = 0


def rows_rel(got, ref):
    return (np.abs(got - ref).max(1) / np.maximum(np.abs(ref).max(1), 1e-30)).max()


print("%-26s %5s %9s %12s %12s %8s  %s" % ("model", "batch", "infer s", "max err/row",
                                          "vs float64", "top-1", "result"))
for line in open(results):
    m, b, t, st = line.split()
    ref = np.load("%s/%s.b%s.output.npy" % (d, m, b)).astype(np.float64)
    ref = ref.reshape(len(ref), -1)
    p64 = "%s/%s.b%s.output64.npy" % (d, m, b)
    ref64 = np.load(p64).reshape(ref.shape) if os.path.exists(p64) else None
    err, err64, top, res = "-", "-", "-", "FAIL (run failed)"
    if st == "ran":
        got = np.load("%s/%s.b%s.got.npy" % (d, m, b)).astype(np.float64)
        if got.size != ref.size or got.shape[0] != ref.shape[0]:
            res = "FAIL (shape %s, want %s)" % (got.shape, ref.shape)
        else:
            got = got.reshape(ref.shape)
            rel = rows_rel(got, ref)
            same = int((got.argmax(1) == ref.argmax(1)).sum())
            err, top = "%.2e" % rel, "%d/%d" % (same, len(ref))
            if ref64 is not None:
                err64 = "%.2e" % rows_rel(got, ref64)
            res = "ok" if rel <= TOL and same == len(ref) else "FAIL"
    bad += res != "ok"
    print("%-26s %5s %9.2f %12s %12s %8s  %s" % (m, b, float(t), err, err64, top, res))
print("%s: %d of %d cases match (tolerance %g of each row's largest, same top-1)"
      % ("PASS" if not bad else "FAIL", sum(1 for _ in open(results)) - bad,
         sum(1 for _ in open(results)), TOL))
sys.exit(1 if bad else 0)
EOF
