/*
 * The two ImageNet topologies, small (tests/data/imagenet, made by
 * tools/make-imagenet-models.py --size small; see the README there):
 *
 *   tv_googlenet_bn_ti   torchvision's GoogLeNet, BatchNormalization nodes
 *                        kept, transform_input on (Gather/Unsqueeze/Mul/Add
 *                        with Constant operands), opset 13, symbolic batch
 *   tv_googlenet_folded  the same network's default export (BN folded into
 *                        Conv), transform_input off
 *   zoo_inception_v1     the ONNX model zoo's Inception-v1 (Caffe-derived:
 *                        LRN, MaxPool pads [0,0,1,1], Shape -> Gather ->
 *                        Unsqueeze -> Concat -> Reshape, Softmax), opset 9,
 *                        input declared with batch 1, weights listed as
 *                        graph inputs too
 *
 * Each runs at batch 2 (the golden input: a "random normal" item and an
 * image-range item), batch 1 (the first item) and batch 64 (the two items
 * repeated); every output row must match its reference within 1e-4 of the
 * row's largest |value| and have the same argmax (tests/golden_models.h).
 */
#include <check.h>
#include <stdlib.h>

#include "check_main.h"
#include "golden_models.h"

static void run_golden(const char *name, int64_t batch, int rounds)
{
    golden_run_model("imagenet/", name, batch, rounds);
}

#define GOLDEN_TESTS(id, name)                                                                     \
    START_TEST(id##_batch2) { run_golden(name, 2, 2); }                                            \
    END_TEST                                                                                       \
    START_TEST(id##_batch1) { run_golden(name, 1, 1); }                                            \
    END_TEST                                                                                       \
    START_TEST(id##_batch64) { run_golden(name, 64, 1); }                                          \
    END_TEST

GOLDEN_TESTS(tv_bn_ti, "tv_googlenet_bn_ti")
GOLDEN_TESTS(tv_folded, "tv_googlenet_folded")
GOLDEN_TESTS(zoo, "zoo_inception_v1")

int main(void)
{
    const clg_test_case cases[] = {
        {"imagenet:tv_googlenet_bn_ti_batch2", tv_bn_ti_batch2},
        {"imagenet:tv_googlenet_bn_ti_batch1", tv_bn_ti_batch1},
        {"imagenet:tv_googlenet_bn_ti_batch64", tv_bn_ti_batch64},
        {"imagenet:tv_googlenet_folded_batch2", tv_folded_batch2},
        {"imagenet:tv_googlenet_folded_batch1", tv_folded_batch1},
        {"imagenet:tv_googlenet_folded_batch64", tv_folded_batch64},
        {"imagenet:zoo_inception_v1_batch2", zoo_batch2},
        {"imagenet:zoo_inception_v1_batch1", zoo_batch1},
        {"imagenet:zoo_inception_v1_batch64", zoo_batch64},
    };
    return clg_run_cases("imagenet_models", cases, sizeof cases / sizeof cases[0], 300, NULL, NULL);
}
