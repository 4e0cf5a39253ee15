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

static TCase *golden_case(const char *name, const TTest *b2, const TTest *b1, const TTest *b64)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, b2);
    tcase_add_test(tc, b1);
    tcase_add_test(tc, b64);
    return tc;
}

int main(void)
{
    Suite *s = suite_create("imagenet_models");
    suite_add_tcase(s, golden_case("imagenet:tv_googlenet_bn_ti", tv_bn_ti_batch2,
                                   tv_bn_ti_batch1, tv_bn_ti_batch64));
    suite_add_tcase(s, golden_case("imagenet:tv_googlenet_folded", tv_folded_batch2,
                                   tv_folded_batch1, tv_folded_batch64));
    suite_add_tcase(s, golden_case("imagenet:zoo_inception_v1", zoo_batch2, zoo_batch1,
                                   zoo_batch64));
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
