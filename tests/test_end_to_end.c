/*
 * End to end: the d2l GoogLeNet exported by tools/export-golden.py runs
 * through the whole library and matches PyTorch's logits (max error within
 * 1e-4 of the largest logit, same top-1 for every item).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "compare.h"
#include "context_fixture.h"
#include "golden.h"
#include "kernels.h"

/* Compares logits item by item; returns the max error relative to max |ref|. */
static double compare_logits(const clg_tensor *got, const clg_tensor *want)
{
    ck_assert_int_eq(got->rank, want->rank);
    for (int i = 0; i < got->rank; i++) ck_assert_int_eq(got->dims[i], want->dims[i]);
    size_t n = clg_tensor_element_count(want), items = (size_t)want->dims[0], per = n / items;
    for (size_t b = 0; b < items; b++)
        ck_assert_uint_eq(golden_argmax(got->data + b * per, per), golden_argmax(want->data + b * per, per));
    return relative_max_error(got->data, want->data, n);
}

/* Runs NAME.onnx on its first `batch` items (0 = all) and checks the output. */
static void run_golden(const char *name, int64_t batch)
{
    char path[1024];
    golden_path(path, sizeof path, "", name, ".onnx");
    clg_context *ctx = require_context();
    clg_model *model = NULL;
    ck_assert_msg(clg_model_load(ctx, path, &model) == CLG_OK, "%s", clg_last_error());
    clg_tensor *in = golden_load("", name, ".input.npy"), *want = golden_load("", name, ".output.npy");
    if (batch > 0 && batch < in->dims[0]) { /* keep the first items only */
        in->dims[0] = batch;
        want->dims[0] = batch;
    }
    clg_tensor *out = NULL;
    const clg_tensor *inputs[] = {in};
    /* Twice: the second run reuses the plan and must give the same answer. */
    for (int round = 0; round < 2; round++) {
        clg_status st = clg_model_run(model, inputs, 1, &out, 1);
        ck_assert_msg(st == CLG_OK, "%s", clg_last_error());
        double rel = compare_logits(out, want);
        ck_assert_msg(rel <= 1e-4, "%s batch %lld: relative error %g", name, (long long)in->dims[0], rel);
        printf("%s batch %lld on %s: max error %.2e of the largest logit\n", name,
               (long long)in->dims[0], clg_context_device(ctx)->device_name, rel);
        clg_tensor_destroy(out);
        /* The first plan built every kernel variant it needs as one program. */
        ck_assert_uint_eq(clg_program_cache_builds(ctx), 1);
    }
    clg_tensor_destroy(in);
    clg_tensor_destroy(want);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}

START_TEST(batch_three) { run_golden("d2l_small", 0); }
END_TEST

START_TEST(batch_one) { run_golden("d2l_small", 1); }
END_TEST

START_TEST(size_112x80) { run_golden("d2l_small_112x80", 0); }
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"end_to_end:batch_one", batch_one},
        {"end_to_end:batch_three", batch_three},
        {"end_to_end:size_112x80", size_112x80},
    };
    return clg_run_cases("end_to_end", cases, sizeof cases / sizeof cases[0], 300, NULL, NULL);
}
