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
 * row's largest |value| and have the same argmax.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgooglenet.h"
#include "golden.h"

#define REL_TOL 1e-4

/* A batch of `batch` items: item i is item (i mod items) of src. */
static clg_tensor *repeat_items(const clg_tensor *src, int64_t batch)
{
    int64_t dims[CLG_MAX_RANK];
    memcpy(dims, src->dims, sizeof dims);
    dims[0] = batch;
    clg_tensor *t = NULL;
    ck_assert_msg(clg_tensor_create(src->rank, dims, &t) == CLG_OK, "%s", clg_last_error());
    size_t per = clg_tensor_element_count(src) / (size_t)src->dims[0];
    for (int64_t i = 0; i < batch; i++)
        memcpy(t->data + (size_t)i * per, src->data + (size_t)(i % src->dims[0]) * per,
               per * sizeof(float));
    return t;
}

/*
 * Checks each row of got against row (b mod items) of want; returns the
 * largest error relative to its row's largest |value|.
 */
static double compare_rows(const char *name, const clg_tensor *got, const clg_tensor *want,
                           int64_t batch)
{
    ck_assert_msg(got->rank == want->rank, "%s: output rank %d, want %d", name, got->rank,
                  want->rank);
    ck_assert_msg(got->dims[0] == batch, "%s: output batch %lld, want %lld", name,
                  (long long)got->dims[0], (long long)batch);
    for (int i = 1; i < got->rank; i++)
        ck_assert_msg(got->dims[i] == want->dims[i], "%s: output dim %d is %lld, want %lld", name,
                      i, (long long)got->dims[i], (long long)want->dims[i]);
    size_t per = clg_tensor_element_count(want) / (size_t)want->dims[0];
    double worst = 0;
    for (int64_t b = 0; b < batch; b++) {
        const float *g = got->data + (size_t)b * per;
        const float *w = want->data + (size_t)(b % want->dims[0]) * per;
        double max_ref = 0, max_err = 0;
        for (size_t i = 0; i < per; i++) {
            max_ref = fmax(max_ref, fabs(w[i]));
            max_err = fmax(max_err, fabs((double)g[i] - w[i]));
        }
        double rel = max_err / (max_ref > 0 ? max_ref : 1);
        ck_assert_msg(rel <= REL_TOL, "%s batch %lld row %lld: error %.3g of the row's largest",
                      name, (long long)batch, (long long)b, rel);
        ck_assert_msg(golden_argmax(g, per) == golden_argmax(w, per), "%s batch %lld row %lld: top-1 %zu, want %zu",
                      name, (long long)batch, (long long)b, golden_argmax(g, per), golden_argmax(w, per));
        worst = fmax(worst, rel);
    }
    return worst;
}

/* Runs imagenet/NAME.onnx at `batch` (rounds times) and checks every row. */
static void run_golden(const char *name, int64_t batch, int rounds)
{
    char path[1024];
    golden_path(path, sizeof path, "imagenet/", name, ".onnx");
    clg_context *ctx = NULL;
    clg_model *model = NULL;
    ck_assert_msg(clg_context_create(NULL, &ctx) == CLG_OK, "%s", clg_last_error());
    ck_assert_msg(clg_model_load(ctx, path, &model) == CLG_OK, "%s", clg_last_error());
    /* The zoo model lists its weights as graph inputs too: only data_0 is fed. */
    ck_assert_uint_eq(clg_model_input_count(model), 1);
    clg_tensor *src = golden_load("imagenet/", name, ".input.npy");
    clg_tensor *want = golden_load("imagenet/", name, ".output.npy");
    ck_assert_int_eq(src->dims[0], want->dims[0]);
    clg_tensor *in = repeat_items(src, batch);
    const clg_tensor *inputs[] = {in};
    for (int round = 0; round < rounds; round++) { /* later rounds reuse the plan */
        clg_tensor *out = NULL;
        clg_status st = clg_model_run(model, inputs, 1, &out, 1);
        ck_assert_msg(st == CLG_OK, "%s batch %lld: %s", name, (long long)batch, clg_last_error());
        double rel = compare_rows(name, out, want, batch);
        printf("%s batch %lld on %s: max error %.2e of the row's largest\n", name,
               (long long)batch, clg_context_device(ctx)->device_name, rel);
        clg_tensor_destroy(out);
    }
    clg_tensor_destroy(in);
    clg_tensor_destroy(src);
    clg_tensor_destroy(want);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
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
