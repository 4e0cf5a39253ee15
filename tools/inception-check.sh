#!/bin/bash
# The slow full-size check of Inception-v3, Inception-v4, Inception-ResNet-v2
# and Xception (the goldens in tests/data/inception are small versions of the
# same networks):
#
#   1. tools/make-inception-models.py --size full --batch 4 --save-float64
#      makes, into DIR, torchvision's Inception-v3 and timm's Inception-v4,
#      Inception-ResNet-v2 and legacy Xception, 3x299x299, 1000 classes,
#      with their references (PyTorch float32, or float64 where float32 is
#      off it by more than 1e-5 of the largest logit) and float64 outputs;
#      a batch-1 case is the first item of each;
#   2. build/clgooglenet infer MODEL INPUT.npy --output OUT.npy for each model
#      and batch (CLGOOGLENET_DEVICE, default cpu; other CLGOOGLENET_*
#      variables pass through: CLGOOGLENET_CONV=kvec runs every convolution
#      direct, without Winograd);
#   3. compares (numpy): every row within 1e-4 of the row's largest |value|
#      of the reference, and the same top-1; prints a table with the error
#      against the float64 output too.
#
# The steps are tools/full-size-check.sh's, shared with tools/imagenet-check.sh.
#
# usage: tools/inception-check.sh [--dir DIR] [--build DIR] [--seed N]
#            [--models LIST] [--python PY] [--skip-generate] [--keep]
#   --dir DIR        work directory (kept); default a temporary one, removed
#                    at the end unless --keep (~600 MB: models of 91-223 MB
#                    and their inputs)
#   --build DIR      build directory with the clgooglenet CLI (default build)
#   --seed N         weights and inputs (default 1)
#   --models LIST    comma-separated subset (default all four:
#                    tv_inception_v3, timm_inception_v4,
#                    timm_inception_resnet_v2, timm_legacy_xception)
#   --python PY      interpreter with torch 1.13+, torchvision, onnx and timm
#                    (default /usr/bin/python3; tools/setup-debian.sh --tools
#                    installs timm); ONNX Runtime is found as
#                    make-inception-models.py describes ($ORT_PYTHON, ...)
#   --skip-generate  reuse the models and references already in --dir
#   --keep           keep the temporary directory
#
# Exit status: 0 all match; 1 a mismatch or a failed run; 2 usage or
# generation error. Per image: Inception-v3 5.7 GMAC, Inception-v4 12.3,
# Inception-ResNet-v2 13.2, Xception 8.4; generation (float32, float64 and
# ONNX Runtime runs) takes minutes on 2 cores.
set -euo pipefail
exec bash "$(dirname "$0")/full-size-check.sh" --name inception-check \
    --generator make-inception-models.py --generator-arg --save-float64 --help-from "$0" \
    --models-all tv_inception_v3,timm_inception_v4,timm_inception_resnet_v2,timm_legacy_xception \
    "$@"
