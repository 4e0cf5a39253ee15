/*
 * Float32 error of the convolution paths on an Inception-v4-sized 3x3 layer
 * (384 channels of ReLU activations into 384, He-normal weights), against
 * the plain C reference, which sums in double. On PoCL:
 *
 * - the direct kernel (conv2d_kvec) sums blocks of channels and adds the
 *   blocks' sums: 3.1e-7 RMS and 1.8e-6 largest error (relative to the
 *   output's RMS), against 1.0e-6 and 1.4e-5 as one chain of 3,456 products;
 * - Winograd F(4x4, 3x3) at the points of cl/winograd_transforms.cl: 7.3e-7
 *   and 5.5e-6, 2.3x and 3.0x the direct kernel's; at the usual points 0,
 *   +-1, +-2 it measured 1.1e-6 and 1.3e-5 (3.5x and 7.5x), which deep
 *   networks paid for; networks deeper than CLG_WINOGRAD_DEEP take F(2x2)
 *   (winograd_tile_policy).
 *
 * CLGOOGLENET_CONV picks the path.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "model_builder.h"
#include "reference_conv.h"
#include "winograd_points.h"

enum { N = 1, C = 384, H = 17, W = 17, K = 384 };

/* |N(0, 1)| (ReLU outputs) or N(0, sigma), from a seeded Box-Muller. */
static void normal_fill(float *p, size_t n, unsigned seed, float sigma, int folded)
{
    uint32_t s = seed * 2654435761u + 7u;
    for (size_t i = 0; i < n; i++) {
        const double u1 = ((lcg_next(&s) >> 8) + 1.0) / 16777217.0;
        const double u2 = lcg_unit(&s);
        const double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
        p[i] = (float)(folded ? fabs(z) : z * sigma);
    }
}

typedef struct error_stats {
    double rms, max; /* relative to the reference's RMS */
} error_stats;

/* Runs the layer with CLGOOGLENET_CONV=path and measures it against ref. */
static error_stats run_path(const char *path, const float *x, const float *w, const float *ref)
{
    setenv("CLGOOGLENET_CONV", path, 1);
    clg_context *ctx = open_context();
    error_stats e = {0, 0};
    if (!ctx) return e;
    mb *b = mb_new(13);
    const int64_t xd[4] = {N, C, H, W}, wd[4] = {K, C, 3, 3};
    mb_input(b, "x", 4, xd);
    mb_init(b, "w", 4, wd, w);
    Onnx__NodeProto *conv = mb_node(b, "Conv", "conv", "x,w", "y");
    mb_attr_ints(b, conv, "pads", 4, 1, 1, 1, 1);
    mb_output(b, "y");
    clg_model *m = load_ok(ctx, b);
    clg_tensor *xt = tensor_of(4, xd, x);
    clg_tensor *y = run1_ok(m, xt);
    const size_t count = (size_t)N * K * H * W;
    ck_assert_uint_eq(clg_tensor_element_count(y), count);
    double sq = 0, ref_sq = 0;
    for (size_t i = 0; i < count; i++) {
        const double d = (double)y->data[i] - ref[i];
        sq += d * d;
        ref_sq += (double)ref[i] * ref[i];
        if (fabs(d) > e.max) e.max = fabs(d);
    }
    const double ref_rms = sqrt(ref_sq / (double)count);
    e.rms = sqrt(sq / (double)count) / ref_rms;
    e.max /= ref_rms;
    clg_tensor_destroy(y);
    clg_tensor_destroy(xt);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
    unsetenv("CLGOOGLENET_CONV");
    return e;
}

START_TEST(error_against_double)
{
    const size_t xn = (size_t)N * C * H * W, wn = (size_t)K * C * 9;
    float *x = malloc(xn * sizeof(float)), *w = malloc(wn * sizeof(float));
    float *ref = malloc((size_t)N * K * H * W * sizeof(float));
    ck_assert(x && w && ref);
    normal_fill(x, xn, 1, 1.0f, 1);
    normal_fill(w, wn, 2, (float)sqrt(2.0 / (9.0 * C)), 0);
    const int pads[4] = {1, 1, 1, 1};
    ref_conv2d(x, N, C, H, W, w, K, 3, 3, NULL, 1, 1, pads, 0, ref);

    const error_stats direct = run_path("kvec", x, w, ref);
    const error_stats wino = run_path("wino", x, w, ref);
    fprintf(stderr, "direct: rms %.3e max %.3e; winograd F(4x4,3x3): rms %.3e max %.3e\n", direct.rms, direct.max,
           wino.rms, wino.max);
    fflush(stderr);
    if (direct.rms > 0) {
        ck_assert_msg(direct.rms <= 6e-7 && direct.max <= 5e-6, "direct kernel error: rms %.3e, max %.3e",
                      direct.rms, direct.max);
        ck_assert_msg(wino.rms <= 3.0 * direct.rms, "Winograd RMS error %.3e > 3 x direct %.3e", wino.rms,
                      direct.rms);
        ck_assert_msg(wino.max <= 4.5 * direct.max, "Winograd largest error %.3e > 4.5 x direct %.3e",
                      wino.max, direct.max);
    }
    free(x);
    free(w);
    free(ref);
}
END_TEST

/* The tile policy: F(4x4) from 12x12 maps, F(2x2) from 6x6, and F(2x2) only
   in networks with more than CLG_WINOGRAD_DEEP convolutions on a path. */
START_TEST(winograd_tile_policy)
{
    ck_assert_int_eq(clg_winograd_default_tile(12, 12, 21), 4);
    ck_assert_int_eq(clg_winograd_default_tile(35, 35, CLG_WINOGRAD_DEEP), 4);
    ck_assert_int_eq(clg_winograd_default_tile(35, 35, CLG_WINOGRAD_DEEP + 1), 2);
    ck_assert_int_eq(clg_winograd_default_tile(11, 40, 1), 2);
    ck_assert_int_eq(clg_winograd_default_tile(6, 6, 100), 2);
    ck_assert_int_eq(clg_winograd_default_tile(5, 64, 1), 0);

    /* A chain of 45 convolutions beside a short branch of 2 (joined by an
       Add): the depth is the chain's, whatever the node order. */
    static const int64_t xd[4] = {1, 2, 4, 4}, wd[4] = {2, 2, 1, 1};
    float w[4] = {1, 0, 0, 1};
    mb *b = mb_new(13);
    mb_input(b, "x", 4, xd);
    mb_init(b, "w", 4, wd, w);
    mb_node(b, "Conv", "s0", "x,w", "s0");
    mb_node(b, "Conv", "s1", "s0,w", "s1");
    char in[16] = "x", out[16];
    for (int i = 0; i < 45; i++) {
        snprintf(out, sizeof out, "c%d", i);
        char inputs[40];
        snprintf(inputs, sizeof inputs, "%s,w", in);
        mb_node(b, "Conv", out, inputs, out);
        memcpy(in, out, sizeof in);
    }
    mb_node(b, "Add", "join", "s1,c44", "y");
    mb_output(b, "y");
    clg_graph *g = import_ok(b);
    int *order = malloc(g->n_nodes * sizeof(int));
    ck_assert_ptr_nonnull(order);
    ck_assert_int_eq(clg_graph_topo_order(g, order), CLG_OK);
    ck_assert_int_eq(clg_graph_conv_depth(g, order), 45);
    free(order);
    clg_graph_destroy(g);
}
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"conv-accuracy:error_against_double", error_against_double},
        {"conv-accuracy:winograd_tile_policy", winograd_tile_policy},
    };
    return clg_run_cases("conv-accuracy", cases, sizeof cases / sizeof cases[0], 300, NULL, NULL);
}
