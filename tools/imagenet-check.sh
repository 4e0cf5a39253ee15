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
# The steps are tools/full-size-check.sh's, shared with tools/inception-check.sh.
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
exec bash "$(dirname "$0")/full-size-check.sh" --name imagenet-check \
    --generator make-imagenet-models.py --help-from "$0" \
    --models-all tv_googlenet_bn_ti,tv_googlenet_bn,tv_googlenet_folded_ti,tv_googlenet_folded,zoo_inception_v1 \
    "$@"
