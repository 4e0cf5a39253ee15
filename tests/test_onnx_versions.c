/*
 * ONNX opsets 18 to 22: the changes between operator versions that the
 * importer honours (attributes that became inputs, new attributes), and the
 * test models converted to opsets 18, 21 and 22 by tools/make-opset-models.py
 * (tests/data/opsets), which must load and give the originals' outputs.
 */
#include <check.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "golden.h"
#include "model_builder.h"
#include "reference_misc.h"

/* ---- Version-specific attributes --------------------------------------- */

/* A BOOL initializer holding one value (Dropout's training_mode). */
static void mb_init_bool(mb *b, const char *name, int value)
{
    Onnx__TensorProto *t = mb_alloc(b, sizeof *t);
    *t = (Onnx__TensorProto)ONNX__TENSOR_PROTO__INIT;
    t->name = mb_str(b, name);
    t->has_data_type = 1;
    t->data_type = ONNX__TENSOR_PROTO__DATA_TYPE__BOOL;
    t->has_raw_data = 1;
    t->raw_data.len = 1;
    t->raw_data.data = mb_alloc(b, 1);
    t->raw_data.data[0] = (uint8_t)value;
    MB_PUSH(b->graph.initializer, b->graph.n_initializer, t);
}

/* Loads b (freed), runs it on x (dims d) and expects want (dims od) within tol. */
static void expect_run(clg_context *ctx, mb *b, int rank, const int64_t *d, const float *x, const int64_t *od,
                       const float *want, float tol)
{
    clg_model *m = load_ok(ctx, b);
    expect_run1(m, rank, d, x, rank, od, want, tol);
    clg_model_destroy(m);
}

START_TEST(opset_range)
{
    static const int64_t d[4] = {1, 2, 3, 3};
    for (int opset = 18; opset <= 29; opset++) {
        mb *b = mb_new(opset);
        mb_input(b, "X", 4, d);
        mb_node(b, "Relu", "relu", "X", "Y");
        mb_output(b, "Y");
        if (opset <= CLG_ONNX_OPSET_MAX) {
            clg_graph_destroy(import_ok(b));
        } else {
            IMPORT_ERROR(b, CLG_ERR_UNSUPPORTED, "opset 29 of the default domain is not supported (1 to 28)");
        }
    }
}
END_TEST

/* AveragePool-19 added dilations: 1 runs (same result as without), more is refused. */
START_TEST(averagepool_dilations)
{
    static const int64_t d[4] = {1, 1, 4, 4}, od[4] = {1, 1, 3, 3};
    float x[16], want[9];
    fill(x, 16, 5);
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++)
            want[i * 3 + j] = (x[i * 4 + j] + x[i * 4 + j + 1] + x[i * 4 + j + 4] + x[i * 4 + j + 5]) / 4;
    mb *b = mb_new(19);
    mb_input(b, "X", 4, d);
    Onnx__NodeProto *n = mb_node(b, "AveragePool", "pool", "X", "Y");
    mb_attr_ints(b, n, "kernel_shape", 2, 2, 2);
    mb_attr_ints(b, n, "dilations", 2, 2, 2);
    mb_output(b, "Y");
    IMPORT_ERROR(b, CLG_ERR_UNSUPPORTED, "dilations");

    clg_context *ctx = open_context();
    if (!ctx) return;
    b = mb_new(19);
    mb_input(b, "X", 4, d);
    n = mb_node(b, "AveragePool", "pool", "X", "Y");
    mb_attr_ints(b, n, "kernel_shape", 2, 2, 2);
    mb_attr_ints(b, n, "dilations", 2, 1, 1);
    mb_output(b, "Y");
    expect_run(ctx, b, 4, d, x, od, want, 1e-6f);
    clg_context_destroy(ctx);
}
END_TEST

/* Reshape-14 allowzero=1: the same as 0 without a 0 in the target; with one, a clear refusal. */
START_TEST(reshape_allowzero)
{
    static const int64_t d[2] = {2, 6}, od[3] = {3, 2, 2}, target[3] = {3, 2, 2}, zero_target[3] = {0, 2, 6};
    clg_context *ctx = open_context();
    if (!ctx) return;
    mb *b = mb_new(14);
    mb_input(b, "X", 2, d);
    mb_init_i64(b, "T", 3, target);
    mb_attr_i(b, mb_node(b, "Reshape", "reshape", "X,T", "Y"), "allowzero", 1);
    mb_output(b, "Y");
    clg_model *m = load_ok(ctx, b);
    float x[12];
    fill(x, 12, 9);
    clg_tensor *xt = tensor_of(2, d, x), *y = run1_ok(m, xt);
    expect_close(y, 3, od, x, 0);
    clg_tensor_destroy(y);
    clg_model_destroy(m);

    b = mb_new(14);
    mb_input(b, "X", 2, d);
    mb_init_i64(b, "T", 3, zero_target);
    mb_attr_i(b, mb_node(b, "Reshape", "reshape", "X,T", "Y"), "allowzero", 1);
    mb_output(b, "Y");
    m = load_ok(ctx, b); /* shapes are known only when it runs */
    clg_tensor *bad = NULL;
    check_error(run1(m, xt, &bad), CLG_ERR_UNSUPPORTED, "allowzero=1", __LINE__);
    clg_tensor_destroy(xt);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

/* Dropout-12 takes training_mode as an input: a constant false is the
   identity; true, or a value known only at run time, is refused. */
START_TEST(dropout_training_mode)
{
    static const int64_t d[2] = {1, 4};
    mb *b = mb_new(13);
    mb_input(b, "X", 2, d);
    mb_init_bool(b, "training", 1);
    mb_node(b, "Dropout", "drop", "X,,training", "Y");
    mb_output(b, "Y");
    IMPORT_ERROR(b, CLG_ERR_UNSUPPORTED, "training_mode 'training' is true");

    b = mb_new(22);
    mb_input(b, "X", 2, d);
    mb_input_typed(b, "T", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 0, d);
    mb_node(b, "Dropout", "drop", "X,,T", "Y");
    mb_output(b, "Y");
    IMPORT_ERROR(b, CLG_ERR_UNSUPPORTED, "must be a constant");

    clg_context *ctx = open_context();
    if (!ctx) return;
    b = mb_new(22);
    mb_input(b, "X", 2, d);
    const float ratio = 0.5f;
    mb_init(b, "ratio", 0, d, &ratio);
    mb_init_bool(b, "training", 0);
    mb_node(b, "Dropout", "drop", "X,ratio,training", "Y");
    mb_output(b, "Y");
    const float x[4] = {1, -2, 3, -4};
    expect_run(ctx, b, 2, d, x, d, x, 0);
    clg_context_destroy(ctx);
}
END_TEST

/* Cast-24 added round_mode, which only float8 e8m0 targets use: a known
   value loads and casts as before, an unknown one is refused by name. */
START_TEST(cast_round_mode)
{
    static const int64_t d[2] = {1, 3};
    mb *b = mb_new(24);
    mb_input(b, "X", 2, d);
    Onnx__NodeProto *n = mb_node(b, "Cast", "cast", "X", "Y");
    mb_attr_i(b, n, "to", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    mb_attr_s(b, n, "round_mode", "sideways");
    mb_output(b, "Y");
    IMPORT_ERROR(b, CLG_ERR_UNSUPPORTED, "attribute 'round_mode' has an unknown value");

    clg_context *ctx = open_context();
    if (!ctx) return;
    b = mb_new(25);
    mb_input(b, "X", 2, d);
    n = mb_node(b, "Cast", "cast", "X", "Y");
    mb_attr_i(b, n, "to", ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT);
    mb_attr_s(b, n, "round_mode", "nearest");
    mb_output(b, "Y");
    const float x[3] = {1.25f, -2, 3e-3f};
    expect_run(ctx, b, 2, d, x, d, x, 0);
    clg_context_destroy(ctx);
}
END_TEST

/*
 * Pad across its versions: "paddings" (1), "pads" and "value" attributes
 * (2-10), pads and constant_value inputs (11), axes (18), wrap (19).
 */
static mb *pad_model_at(int opset, const char *mode)
{
    static const int64_t d[3] = {2, 3, 4};
    mb *b = mb_new(opset);
    mb_input(b, "X", 3, d);
    Onnx__NodeProto *n;
    if (opset < 11) {
        n = mb_node(b, "Pad", "pad", "X", "Y");
        mb_attr_ints(b, n, opset < 2 ? "paddings" : "pads", 6, 0, 2, -1, 0, 1, 3);
        mb_attr_f(b, n, "value", 1.5f);
    } else {
        static const int64_t all[6] = {0, 2, -1, 0, 1, 3}, some[4] = {2, -1, 1, 3}, axes[2] = {1, -1};
        static const int64_t one[1] = {1};
        const float value = 1.5f;
        mb_init(b, "value", 1, one, &value);
        if (opset < 18) {
            mb_init_i64(b, "pads", 6, all);
            n = mb_node(b, "Pad", "pad", "X,pads,value", "Y");
        } else {
            mb_init_i64(b, "pads", 4, some);
            mb_init_i64(b, "axes", 2, axes);
            n = mb_node(b, "Pad", "pad", "X,pads,value,axes", "Y");
        }
    }
    if (mode) mb_attr_s(b, n, "mode", mode);
    mb_output(b, "Y");
    return b;
}

START_TEST(pad_versions)
{
    IMPORT_ERROR(pad_model_at(18, "wrap"), CLG_ERR_UNSUPPORTED, "mode is not one of constant, reflect, edge");
    IMPORT_ERROR(pad_model_at(19, "mirror"), CLG_ERR_UNSUPPORTED, "mode is not one of");
    mb *b = pad_model_at(11, NULL);
    b->graph.node[0]->n_input = 1; /* pads became a required input */
    IMPORT_ERROR(b, CLG_ERR_PARSE, "missing input 'pads'");
    b = pad_model_at(2, NULL);
    b->graph.node[0]->attribute[0]->ints[1] = INT64_C(1) << 40;
    IMPORT_ERROR(b, CLG_ERR_UNSUPPORTED, "attribute 'pads' has a value out of the supported range");
    b = pad_model_at(2, NULL);
    b->graph.node[0]->attribute[0]->n_ints = 5;
    IMPORT_ERROR(b, CLG_ERR_UNSUPPORTED, "2 values per axis");
    b = pad_model_at(2, NULL);
    b->graph.node[0]->attribute[0]->name = mb_str(b, "paddings"); /* the opset-1 name */
    IMPORT_ERROR(b, CLG_ERR_PARSE, "missing attribute 'pads'");

    clg_context *ctx = open_context();
    if (!ctx) return;
    static const int64_t d[3] = {2, 3, 4}, begin[3] = {0, 2, -1}, end[3] = {0, 1, 3}, od[3] = {2, 6, 6};
    float x[24], want[72];
    fill(x, 24, 3);
    static const struct { int opset; const char *mode; int ref_mode; } cases[] = {
        {1, NULL, 0}, {2, "constant", 0}, {10, "edge", 2}, {11, "reflect", 1},
        {13, NULL, 0}, {18, "edge", 2}, {19, "wrap", 3}, {21, "reflect", 1}, {22, "constant", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert(ref_pad(x, 3, d, begin, end, cases[i].ref_mode, 1.5f, want));
        clg_model *m = load_ok(ctx, pad_model_at(cases[i].opset, cases[i].mode));
        expect_run1(m, 3, d, x, 3, od, want, 0);
        clg_model_destroy(m);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* ---- Converted models ---------------------------------------------------- */

/* Runs one model file on input; returns its first output. */
static clg_tensor *run_file(clg_context *ctx, const char *path, const clg_tensor *input)
{
    clg_model *m = NULL;
    ck_assert_msg(clg_model_load(ctx, path, &m) == CLG_OK, "%s: %s", path, clg_last_error());
    const clg_tensor *in[] = {input};
    clg_tensor *out = NULL;
    ck_assert_msg(clg_model_run(m, in, 1, &out, 1) == CLG_OK, "%s: %s", path, clg_last_error());
    clg_model_destroy(m);
    return out;
}

/* prefix "" or "imagenet/": where the original and its golden files are. */
static void check_converted(const char *prefix, const char *name)
{
    clg_context *ctx = open_context();
    if (!ctx) return;
    char path[1024];
    clg_tensor *input = golden_load(prefix, name, ".input.npy");
    clg_tensor *golden = golden_load(prefix, name, ".output.npy");
    golden_path(path, sizeof path, prefix, name, ".onnx");
    clg_tensor *want = run_file(ctx, path, input);
    const double scale = fmax(max_abs(golden->data, clg_tensor_element_count(golden)), 1e-30);
    static const int opsets[] = {18, 21, 22};
    for (size_t k = 0; k < sizeof opsets / sizeof opsets[0]; k++) {
        char file[256];
        snprintf(file, sizeof file, ".opset%d.onnx", opsets[k]);
        golden_path(path, sizeof path, "opsets/", name, file);
        clg_tensor *got = run_file(ctx, path, input);
        ck_assert_int_eq(got->rank, want->rank);
        for (int d = 0; d < got->rank; d++) ck_assert_int_eq(got->dims[d], want->dims[d]);
        const size_t n = clg_tensor_element_count(got);
        double vs_original = max_abs_diff(got->data, want->data, n);
        double vs_golden = max_abs_diff(got->data, golden->data, n);
        printf("%s opset %d: %.2e from the original's output, %.2e from the golden (of its largest)\n", name,
               opsets[k], vs_original / scale, vs_golden / scale);
        /* The same kernels run: only a differently ordered sum may differ. */
        ck_assert_msg(vs_original <= 1e-6 * scale, "%s opset %d differs from the original by %g", name,
                      opsets[k], vs_original);
        ck_assert_msg(vs_golden <= 1e-4 * scale, "%s opset %d differs from the golden by %g", name, opsets[k],
                      vs_golden);
        clg_tensor_destroy(got);
    }
    clg_tensor_destroy(want);
    clg_tensor_destroy(golden);
    clg_tensor_destroy(input);
    clg_context_destroy(ctx);
}

START_TEST(converted_d2l_small) { check_converted("", "d2l_small"); }
END_TEST
START_TEST(converted_tv_googlenet_bn_ti) { check_converted("imagenet/", "tv_googlenet_bn_ti"); }
END_TEST
START_TEST(converted_zoo_inception_v1) { check_converted("imagenet/", "zoo_inception_v1"); }
END_TEST

int main(void)
{
    /* Not static: Check's test handles are not constant expressions. */
    const clg_test_case cases[] = {
        {"versions:opset_range", opset_range},
        {"versions:averagepool_dilations", averagepool_dilations},
        {"versions:reshape_allowzero", reshape_allowzero},
        {"versions:dropout_training_mode", dropout_training_mode},
        {"versions:pad_versions", pad_versions},
        {"versions:cast_round_mode", cast_round_mode},
        {"versions:converted_d2l_small", converted_d2l_small},
        {"versions:converted_tv_googlenet_bn_ti", converted_tv_googlenet_bn_ti},
        {"versions:converted_zoo_inception_v1", converted_zoo_inception_v1},
    };
    return clg_run_cases("onnx_versions", cases, sizeof cases / sizeof cases[0], 300, NULL, NULL);
}
