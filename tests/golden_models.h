/*
 * Golden checks of whole networks (tests/data/imagenet, tests/data/inception):
 * load DIR/NAME.onnx, run it on DIR/NAME.input.npy's items repeated to a
 * batch, and check every output row against its reference row in
 * DIR/NAME.output.npy: within GOLDEN_MODEL_TOL of the row's largest |value|
 * and the same argmax.
 */
#ifndef CLG_TEST_GOLDEN_MODELS_H
#define CLG_TEST_GOLDEN_MODELS_H

#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "clgooglenet.h"
#include "compare.h"
#include "context_fixture.h"
#include "golden.h"

#define GOLDEN_MODEL_TOL 1e-4

/* A batch of `batch` items: item i is item (i mod items) of src. */
static inline clg_tensor *golden_repeat_items(const clg_tensor *src, int64_t batch)
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
static inline double golden_compare_rows(const char *name, const clg_tensor *got,
                                         const clg_tensor *want, int64_t batch)
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
        double rel = relative_max_error(g, w, per);
        ck_assert_msg(rel <= GOLDEN_MODEL_TOL,
                      "%s batch %lld row %lld: error %.3g of the row's largest", name,
                      (long long)batch, (long long)b, rel);
        ck_assert_msg(golden_argmax(g, per) == golden_argmax(w, per),
                      "%s batch %lld row %lld: top-1 %zu, want %zu", name, (long long)batch,
                      (long long)b, golden_argmax(g, per), golden_argmax(w, per));
        worst = fmax(worst, rel);
    }
    return worst;
}

/* Runs PREFIX NAME.onnx (prefix "imagenet/", ...) at `batch`, `rounds` times
 * (later rounds reuse the plan), and checks every row. */
static inline void golden_run_model(const char *prefix, const char *name, int64_t batch,
                                    int rounds)
{
    char path[1024];
    golden_path(path, sizeof path, prefix, name, ".onnx");
    clg_context *ctx = require_context();
    clg_model *model = NULL;
    ck_assert_msg(clg_model_load(ctx, path, &model) == CLG_OK, "%s", clg_last_error());
    /* The zoo model lists its weights as graph inputs too: only data_0 is fed. */
    ck_assert_uint_eq(clg_model_input_count(model), 1);
    clg_tensor *src = golden_load(prefix, name, ".input.npy");
    clg_tensor *want = golden_load(prefix, name, ".output.npy");
    ck_assert_int_eq(src->dims[0], want->dims[0]);
    clg_tensor *in = golden_repeat_items(src, batch);
    const clg_tensor *inputs[] = {in};
    for (int round = 0; round < rounds; round++) {
        clg_tensor *out = NULL;
        clg_status st = clg_model_run(model, inputs, 1, &out, 1);
        ck_assert_msg(st == CLG_OK, "%s batch %lld: %s", name, (long long)batch, clg_last_error());
        double rel = golden_compare_rows(name, out, want, batch);
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

#endif
