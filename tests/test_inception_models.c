/*
 * Four more Inception networks, small (tests/data/inception, made by
 * tools/make-inception-models.py --size small; see the README there):
 *
 *   tv_inception_v3           torchvision's Inception-v3: Pad before each
 *                             branch AveragePool, 1x7/7x1 and 1x3/3x1
 *                             convolutions
 *   timm_inception_v4         timm's Inception-v4: AveragePool with pads and
 *                             count_include_pad 0, stem Concats of pool and
 *                             conv branches
 *   timm_inception_resnet_v2  timm's Inception-ResNet-v2: residual blocks
 *                             x + scale * conv(concat), Mul by a Constant, Add
 *   timm_legacy_xception      timm's legacy_xception (Chollet's Xception):
 *                             depthwise 3x3 convolutions (group = channels)
 *                             followed by 1x1s, residual Adds
 *
 * All with channels / 16, each run of identical blocks cut to two, a 3x75x91
 * input (float16 in the file), 32 classes, BN folded at export. Each runs at
 * batch 4 (the golden input: "random normal" and image-range items, four
 * different top-1 classes; twice, the second run reusing the plan) and batch
 * 1 (the first item); every output row must match its reference within 1e-4
 * of the row's largest |value| and have the same argmax
 * (tests/golden_models.h).
 */
#include "check_main.h"
#include "golden_models.h"

#define INCEPTION_TESTS(id, name)                                                                  \
    START_TEST(id##_batch4) { golden_run_model("inception/", name, 4, 2); }                       \
    END_TEST                                                                                       \
    START_TEST(id##_batch1) { golden_run_model("inception/", name, 1, 1); }                       \
    END_TEST

INCEPTION_TESTS(v3, "tv_inception_v3")
INCEPTION_TESTS(v4, "timm_inception_v4")
INCEPTION_TESTS(irv2, "timm_inception_resnet_v2")
INCEPTION_TESTS(xception, "timm_legacy_xception")

int main(void)
{
    const clg_test_case cases[] = {
        {"inception:tv_inception_v3_batch4", v3_batch4},
        {"inception:tv_inception_v3_batch1", v3_batch1},
        {"inception:timm_inception_v4_batch4", v4_batch4},
        {"inception:timm_inception_v4_batch1", v4_batch1},
        {"inception:timm_inception_resnet_v2_batch4", irv2_batch4},
        {"inception:timm_inception_resnet_v2_batch1", irv2_batch1},
        {"inception:timm_legacy_xception_batch4", xception_batch4},
        {"inception:timm_legacy_xception_batch1", xception_batch1},
    };
    return clg_run_cases("inception_models", cases, sizeof cases / sizeof cases[0], 300, NULL,
                         NULL);
}
