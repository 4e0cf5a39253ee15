/*
 * Pass 6, Pad folding (runtime/passes/pass_fold_pad.c): which Pads fold into the
 * Conv / AveragePool / MaxPool that reads them, and that a folded model
 * gives the same outputs as the unfolded one (the Pad kernel, then the op),
 * on inputs with negative values, at batch 1 and 3; and PyTorch's own
 * export of its padding patterns against PyTorch's output; a zero Pad into
 * a dilated depthwise convolution that also takes a BatchNormalization.
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
#include "passes.h"
#include "reference_conv.h"
#include "tensor_io.h"

/* What the Pad looks like. */
typedef struct pad_spec {
    int opset;            /* < 11: pads attribute; >= 18 with axes: only the spatial axes */
    int use_axes;
    int64_t pads[8];      /* N, C, H, W begins then ends */
    const char *mode;     /* NULL: constant */
    float value;
    int relu_before;      /* the Pad reads a Relu's output */
    int second_reader;    /* a Relu also reads the Pad's output */
} pad_spec;

/* What reads it. */
typedef enum { READ_CONV, READ_AVG, READ_MAX } reader_kind;

typedef struct reader_spec {
    reader_kind kind;
    int k;                /* kernel size */
    int pads;             /* its own pads, all four */
    int count_include_pad;
    int ceil_mode;
    const char *auto_pad; /* NULL: not set */
} reader_spec;

static const int64_t x_dims[4] = {-1, 3, 7, 6};

static mb *pad_model(const pad_spec *p, const reader_spec *r)
{
    mb *b = mb_new(p->opset);
    mb_input(b, "X", 4, x_dims);
    const char *pad_in = "X";
    if (p->relu_before) {
        mb_node(b, "Relu", "relu_in", "X", "R");
        pad_in = "R";
    }
    char inputs[64];
    Onnx__NodeProto *pad;
    if (p->opset < 11) {
        snprintf(inputs, sizeof inputs, "%s", pad_in);
        pad = mb_node(b, "Pad", "pad", inputs, "P");
        mb_attr_ints(b, pad, "pads", 8, (int)p->pads[0], (int)p->pads[1], (int)p->pads[2], (int)p->pads[3],
                     (int)p->pads[4], (int)p->pads[5], (int)p->pads[6], (int)p->pads[7]);
        if (p->value != 0.0f || signbit(p->value)) mb_attr_f(b, pad, "value", p->value);
    } else {
        if (p->use_axes) {
            const int64_t spatial[4] = {p->pads[2], p->pads[3], p->pads[6], p->pads[7]}, axes[2] = {-2, -1};
            mb_init_i64(b, "pads", 4, spatial);
            mb_init_i64(b, "axes", 2, axes);
        } else {
            mb_init_i64(b, "pads", 8, p->pads);
        }
        static const int64_t none[1] = {0};
        mb_init(b, "value", 0, none, &p->value);
        snprintf(inputs, sizeof inputs, "%s,pads,value%s", pad_in, p->use_axes ? ",axes" : "");
        pad = mb_node(b, "Pad", "pad", inputs, "P");
    }
    if (p->mode) mb_attr_s(b, pad, "mode", p->mode);
    Onnx__NodeProto *n;
    if (r->kind == READ_CONV) {
        const int64_t wd[4] = {4, 3, r->k, r->k}, bd[1] = {4};
        float w[4 * 3 * 7 * 7], bias[4];
        fill(w, (size_t)(4 * 3 * r->k * r->k), 21);
        fill(bias, 4, 22);
        mb_init(b, "W", 4, wd, w);
        mb_init(b, "B", 1, bd, bias);
        n = mb_node(b, "Conv", "reader", "P,W,B", "Y");
    } else {
        n = mb_node(b, r->kind == READ_AVG ? "AveragePool" : "MaxPool", "reader", "P", "Y");
        mb_attr_ints(b, n, "kernel_shape", 2, r->k, r->k);
        if (r->kind == READ_AVG) mb_attr_i(b, n, "count_include_pad", r->count_include_pad);
        if (r->ceil_mode) mb_attr_i(b, n, "ceil_mode", 1);
    }
    if (r->auto_pad) mb_attr_s(b, n, "auto_pad", r->auto_pad);
    else mb_attr_ints(b, n, "pads", 4, r->pads, r->pads, r->pads, r->pads);
    mb_output(b, "Y");
    if (p->second_reader) {
        mb_node(b, "Relu", "other", "P", "Z");
        mb_output(b, "Z");
    }
    return b;
}

/* Imports the model and runs the pass alone; returns the number folded and the reader's window. */
static size_t fold_count(const pad_spec *p, const reader_spec *r, clg_window *win)
{
    clg_graph *g = import_ok(pad_model(p, r));
    size_t folded = 99;
    ck_assert_int_eq(clg_pass_fold_pad(g, &folded), CLG_OK);
    for (size_t i = 0; i < g->n_nodes; i++)
        if (strcmp(g->nodes[i].name, "reader") == 0) *win = g->nodes[i].attrs.win;
    clg_graph_destroy(g);
    return folded;
}

static clg_context *context_with(const char *passes_off)
{
    clg_context_options o;
    clg_context_options_init(&o);
    o.passes_off = passes_off;
    clg_context *ctx = NULL;
    clg_status st = clg_context_create_with_options(&o, &ctx);
    if (st == CLG_ERR_DEVICE_NOT_FOUND) {
        printf("SKIP: no OpenCL device: %s\n", clg_last_error());
        return NULL;
    }
    ck_assert_msg(st == CLG_OK, "%s", clg_last_error());
    return ctx;
}

/* The model with every pass (folded as `want_folded` says) and with none: the same outputs. */
static void check_same(const pad_spec *p, const reader_spec *r, size_t want_folded, const char *what)
{
    clg_window win;
    ck_assert_msg(fold_count(p, r, &win) == want_folded, "%s: folded %s", what, want_folded ? "none" : "one");
    clg_context *on = context_with(""), *off = on ? context_with("all") : NULL;
    if (!on) return;
    clg_model *folded = load_ok(on, pad_model(p, r)), *plain = load_ok(off, pad_model(p, r));
    for (int batch = 1; batch <= 3; batch += 2) {
        const int64_t dims[4] = {batch, 3, 7, 6};
        float x[3 * 3 * 7 * 6];
        fill(x, (size_t)batch * 3 * 7 * 6, (unsigned)batch + 40); /* about half negative */
        clg_tensor *xt = tensor_of(4, dims, x);
        const clg_tensor *in[1] = {xt};
        clg_tensor *a[2] = {NULL, NULL}, *b[2] = {NULL, NULL};
        const size_t n_out = p->second_reader ? 2 : 1;
        ck_assert_msg(clg_model_run(folded, in, 1, a, n_out) == CLG_OK, "%s: %s", what, clg_last_error());
        ck_assert_msg(clg_model_run(plain, in, 1, b, n_out) == CLG_OK, "%s: %s", what, clg_last_error());
        ck_assert_int_eq(a[0]->rank, 4);
        for (int d = 0; d < 4; d++) ck_assert_int_eq(a[0]->dims[d], b[0]->dims[d]);
        const size_t n = clg_tensor_element_count(b[0]);
        double scale = fmax(1e-30, max_abs(b[0]->data, n)), err = max_abs_diff(a[0]->data, b[0]->data, n);
        ck_assert_msg(err <= 1e-5 * scale, "%s batch %d: folded differs by %g (largest %g)", what, batch, err,
                      scale);
        for (size_t k = 0; k < n_out; k++) {
            clg_tensor_destroy(a[k]);
            clg_tensor_destroy(b[k]);
        }
        clg_tensor_destroy(xt);
    }
    clg_model_destroy(folded);
    clg_model_destroy(plain);
    clg_context_destroy(on);
    clg_context_destroy(off);
}

#define SPATIAL(t, l, b, r) {0, 0, (t), (l), 0, 0, (b), (r)}

START_TEST(fold_into_conv)
{
    /* Asymmetric, added to the conv's own pads; the attribute form, the input form, axes. */
    const pad_spec attr = {9, 0, SPATIAL(1, 2, 2, 0), NULL, 0.0f, 0, 0};
    const pad_spec inputs = {13, 0, SPATIAL(0, 1, 3, 1), NULL, 0.0f, 0, 0};
    const pad_spec axes = {18, 1, SPATIAL(2, 1, 1, 2), "constant", 0.0f, 0, 0};
    const reader_spec conv3 = {READ_CONV, 3, 1, 0, 0, NULL}, conv1 = {READ_CONV, 1, 0, 0, 0, NULL};
    clg_window w;
    ck_assert_uint_eq(fold_count(&attr, &conv3, &w), 1);
    ck_assert_int_eq(w.pads[0], 2);
    ck_assert_int_eq(w.pads[1], 3);
    ck_assert_int_eq(w.pads[2], 3);
    ck_assert_int_eq(w.pads[3], 1);
    check_same(&attr, &conv3, 1, "conv3 attr");
    check_same(&inputs, &conv1, 1, "conv1 inputs");
    check_same(&axes, &conv3, 1, "conv3 axes");
    /* VALID is pads 0. */
    const reader_spec valid = {READ_CONV, 3, 0, 0, 0, "VALID"};
    check_same(&inputs, &valid, 1, "conv VALID");
}
END_TEST

START_TEST(fold_into_avgpool)
{
    /* PyTorch's Pad + AveragePool(pads 0): counted zeros, so count_include_pad becomes 1. */
    const pad_spec p = {13, 0, SPATIAL(1, 1, 1, 1), NULL, 0.0f, 0, 0};
    const reader_spec plain = {READ_AVG, 3, 0, 0, 0, NULL}, include = {READ_AVG, 3, 1, 1, 0, NULL};
    clg_window w;
    ck_assert_uint_eq(fold_count(&p, &plain, &w), 1);
    ck_assert_int_eq(w.count_include_pad, 1);
    ck_assert_int_eq(w.pads[0], 1);
    check_same(&p, &plain, 1, "avgpool pads 0");
    check_same(&p, &include, 1, "avgpool count_include_pad");
    /* Its own pads not counted, or ceil_mode: not exact, so not folded. */
    const reader_spec exclude = {READ_AVG, 3, 1, 0, 0, NULL}, ceil = {READ_AVG, 2, 0, 1, 1, NULL};
    check_same(&p, &exclude, 0, "avgpool own pads excluded");
    const pad_spec odd = {13, 0, SPATIAL(0, 1, 0, 0), NULL, 0.0f, 0, 0};
    check_same(&odd, &ceil, 0, "avgpool ceil_mode");
}
END_TEST

START_TEST(fold_into_maxpool)
{
    /* After a Relu the zeros cannot win while each window keeps a real element. */
    const pad_spec relu = {13, 0, SPATIAL(1, 0, 1, 1), NULL, 0.0f, 1, 0};
    const reader_spec max3 = {READ_MAX, 3, 0, 0, 0, NULL}, max2 = {READ_MAX, 2, 1, 0, 0, NULL};
    check_same(&relu, &max3, 1, "maxpool after relu");
    check_same(&relu, &max2, 0, "maxpool: total pad reaches the kernel");
    /* Without the Relu a zero beats negative inputs: kept. */
    const pad_spec raw = {13, 0, SPATIAL(1, 0, 1, 1), NULL, 0.0f, 0, 0};
    check_same(&raw, &max3, 0, "maxpool of signed input");
}
END_TEST

START_TEST(not_folded)
{
    const reader_spec conv = {READ_CONV, 3, 0, 0, 0, NULL};
    const pad_spec cases[] = {
        {13, 0, SPATIAL(1, 1, 1, 1), NULL, 0.5f, 0, 0},      /* not zero */
        {13, 0, SPATIAL(1, 1, 1, 1), NULL, -0.0f, 0, 0},     /* -0 */
        {13, 0, SPATIAL(1, 1, 1, 1), "reflect", 0.0f, 0, 0}, /* another mode */
        {13, 0, {0, 1, 0, 0, 0, 0, 0, 0}, NULL, 0.0f, 0, 0}, /* a channel pad */
        {13, 0, SPATIAL(2, -1, 0, 1), NULL, 0.0f, 0, 0},     /* a crop */
        {13, 0, SPATIAL(1, 1, 1, 1), NULL, 0.0f, 0, 1},      /* read twice */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "case %zu", i);
        if (cases[i].pads[1]) { /* the conv cannot take 4 channels: only the pass */
            clg_window w;
            ck_assert_uint_eq(fold_count(&cases[i], &conv, &w), 0);
            continue;
        }
        check_same(&cases[i], &conv, 0, what);
    }
    const pad_spec p = {13, 0, SPATIAL(1, 1, 1, 1), NULL, 0.0f, 0, 0};
    const reader_spec same = {READ_CONV, 3, 0, 0, 0, "SAME_UPPER"};
    check_same(&p, &same, 0, "SAME_UPPER");
}
END_TEST

/* PyTorch's own export (tests/data/pad, tools/make-pad-model.py): its four
   Pads, two folded, against PyTorch's output, with every pass and with none. */
START_TEST(pytorch_export)
{
    char path[1024];
    golden_path(path, sizeof path, "pad/", "pytorch_pads", ".onnx");
    unsigned char *bytes = NULL;
    size_t len = 0;
    ck_assert_msg(clg_read_file(path, &bytes, &len) == CLG_OK, "%s", clg_last_error());
    clg_graph *g = NULL;
    ck_assert_msg(clg_onnx_import(bytes, len, &g) == CLG_OK, "%s", clg_last_error());
    free(bytes);
    size_t folded = 0, pads = 0;
    for (size_t i = 0; i < g->n_nodes; i++) pads += g->nodes[i].op == CLG_OP_PAD;
    ck_assert_int_eq(clg_pass_fold_pad(g, &folded), CLG_OK);
    ck_assert_uint_eq(pads, 4);
    ck_assert_uint_eq(folded, 2); /* before the Conv and the AveragePool */
    clg_graph_destroy(g);

    clg_tensor *in = golden_load("pad/", "pytorch_pads", ".input.npy");
    clg_tensor *want = golden_load("pad/", "pytorch_pads", ".output.npy");
    for (int all_off = 0; all_off < 2; all_off++) {
        clg_context *ctx = context_with(all_off ? "all" : "");
        if (!ctx) break;
        clg_model *m = NULL;
        ck_assert_msg(clg_model_load(ctx, path, &m) == CLG_OK, "%s", clg_last_error());
        const clg_tensor *inputs[1] = {in};
        clg_tensor *out = NULL;
        ck_assert_msg(clg_model_run(m, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
        ck_assert_int_eq(out->rank, 4);
        for (int d = 0; d < 4; d++) ck_assert_int_eq(out->dims[d], want->dims[d]);
        const size_t n = clg_tensor_element_count(want);
        double scale = max_abs(want->data, n), err = max_abs_diff(out->data, want->data, n);
        printf("PyTorch's pads, passes %s: %.2e of the largest |value|\n", all_off ? "off" : "on", err / scale);
        ck_assert_msg(err <= 1e-5 * scale, "passes %s: off by %g (largest %g)", all_off ? "off" : "on", err, scale);
        clg_tensor_destroy(out);
        clg_model_destroy(m);
        clg_context_destroy(ctx);
    }
    clg_tensor_destroy(in);
    clg_tensor_destroy(want);
}
END_TEST

/*
 * X[N,4,7,6] -> zero Pad (top 1, left 2, bottom 1) -> Conv W[8,1,3,3], group 4
 * (depthwise, multiplier 2), dilations 2, pads 1 -> BatchNormalization -> Relu.
 * Pass 6 folds the Pad into the dilated convolution, pass 0 the normalisation
 * into its grouped weights, pass 1 the Relu; the result matches the C
 * reference on the explicitly padded input, with every pass and with none.
 */
static mb *depthwise_model(const float *w, const float *bias, const float *bn)
{
    static const int64_t xd[4] = {-1, 4, 7, 6}, wd[4] = {8, 1, 3, 3}, kd[1] = {8};
    static const int64_t pads[8] = {0, 0, 1, 2, 0, 0, 1, 0};
    mb *b = mb_new(13);
    mb_input(b, "X", 4, xd);
    mb_init_i64(b, "pads", 8, pads);
    mb_node(b, "Pad", "pad", "X,pads", "P");
    mb_init(b, "W", 4, wd, w);
    mb_init(b, "B", 1, kd, bias);
    Onnx__NodeProto *conv = mb_node(b, "Conv", "conv", "P,W,B", "C");
    mb_attr_i(b, conv, "group", 4);
    mb_attr_ints(b, conv, "dilations", 2, 2, 2);
    mb_attr_ints(b, conv, "pads", 4, 1, 1, 1, 1);
    static const char *const names[4] = {"scale", "shift", "mean", "var"};
    for (int i = 0; i < 4; i++) mb_init(b, names[i], 1, kd, bn + 8 * i);
    mb_attr_f(b, mb_node(b, "BatchNormalization", "bn", "C,scale,shift,mean,var", "N"), "epsilon", 1e-3f);
    mb_node(b, "Relu", "relu", "N", "Y");
    mb_output(b, "Y");
    return b;
}

/* The model in plain C for batch n: pad, grouped dilated conv, normalisation, ReLU. */
static void depthwise_reference(const float *x, int n, const float *w, const float *bias, const float *bn,
                                float *y)
{
    float *padded = calloc((size_t)n * 4 * 9 * 8, sizeof(float)), *conv = malloc((size_t)n * 8 * 7 * 6 * sizeof(float));
    ck_assert(padded && conv);
    for (int p = 0; p < n * 4; p++)
        for (int r = 0; r < 7; r++)
            for (int c = 0; c < 6; c++) padded[(p * 9 + r + 1) * 8 + c + 2] = x[(p * 7 + r) * 6 + c];
    static const int pads[4] = {1, 1, 1, 1};
    ref_conv2d_grouped(padded, n, 4, 9, 8, w, 8, 3, 3, bias, 1, 1, 2, 2, 4, pads, 0, conv);
    for (int i = 0; i < n * 8 * 42; i++) {
        const int k = i / 42 % 8;
        const double v = ((double)conv[i] - bn[16 + k]) / sqrt((double)bn[24 + k] + 1e-3f) * bn[k] + bn[8 + k];
        y[i] = v > 0 ? (float)v : 0.0f;
    }
    free(padded);
    free(conv);
}

START_TEST(depthwise_dilated_folds)
{
    float w[72], bias[8], bn[32], x[3 * 4 * 7 * 6], want[3 * 8 * 7 * 6];
    fill(w, 72, 61);
    fill(bias, 8, 62);
    fill(bn, 32, 63);
    for (int k = 0; k < 8; k++) bn[24 + k] = 0.25f + fabsf(bn[24 + k]); /* var > 0 */
    fill(x, sizeof x / sizeof x[0], 64);
    for (int all_off = 0; all_off < 2; all_off++) {
        clg_context *ctx = context_with(all_off ? "all" : "");
        if (!ctx) return;
        clg_model *m = load_ok(ctx, depthwise_model(w, bias, bn));
        const clg_graph *g = clg_model_graph(m);
        for (size_t i = 0; i < g->n_nodes; i++)
            if (strcmp(g->nodes[i].name, "pad") == 0 || strcmp(g->nodes[i].name, "bn") == 0)
                ck_assert_msg((g->nodes[i].op == CLG_OP_IDENTITY) != all_off, "%s: passes %s", g->nodes[i].name,
                              all_off ? "off" : "on");
        for (int batch = 1; batch <= 3; batch += 2) {
            const int64_t xd[4] = {batch, 4, 7, 6}, yd[4] = {batch, 8, 7, 6};
            depthwise_reference(x, batch, w, bias, bn, want);
            expect_run1(m, 4, xd, x, 4, yd, want, 1e-5f);
        }
        clg_model_destroy(m);
        clg_context_destroy(ctx);
    }
}
END_TEST

int main(void)
{
    /* Not static: Check's test handles are not constant expressions. */
    const clg_test_case cases[] = {
        {"pad_fold:conv", fold_into_conv},
        {"pad_fold:avgpool", fold_into_avgpool},
        {"pad_fold:maxpool", fold_into_maxpool},
        {"pad_fold:not_folded", not_folded},
        {"pad_fold:pytorch_export", pytorch_export},
        {"pad_fold:depthwise_dilated_folds", depthwise_dilated_folds},
    };
    return clg_run_cases("pad_fold", cases, sizeof cases / sizeof cases[0], 300, NULL, NULL);
}
