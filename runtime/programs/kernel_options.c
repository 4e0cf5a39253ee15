#include "kernel_options.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define ANY INT_MAX /* no upper limit but int's */

/* Values most convolution kernels take. */
#define WINDOW_PARAMS                                                                              \
    {"KH", 1, ANY, 3}, {"KW", 1, ANY, 3}, {"SH", 1, ANY, 1}, { "SW", 1, ANY, 1 }
#define EPILOGUE_PARAMS {"HAS_BIAS", 0, 1, 0}, { "RELU", 0, 1, 0 }

static const clg_kernel_param conv2d_params[] = {
    WINDOW_PARAMS,
    {"XB", 4, 16, 8},   /* conv2d: output pixels per work-item, one vector */
    {"KB", 1, 16, 4},   /* conv2d: output channels per work-item */
    {"PX", 1, 16, 4},   /* conv2d_kvec: output pixels per work-item */
    {"KV", 1, 4, 2},    /* conv2d_kvec: 16-wide channel vectors per work-item */
    EPILOGUE_PARAMS,
    {"POOL3", 0, 1, 0}, /* 3x3 max-pool fused before a 1x1 convolution */
    {"POOL3_VEC", 0, 1, 0},
    {"POOL3_PLANE_H", 0, 16, 0}, /* POOL3_VEC on a whole plane of H x W <= 16 */
    {"POOL3_PLANE_W", 0, 5, 0},
    {"CBLK", 1, ANY, 32}, /* channels a partial sum covers */
    {"CHUNKED", 0, 1, 0}, /* conv2d_kvec: one launch sums a range of input channels */
};
const clg_kernel_desc clg_kernel_conv2d = {"conv2d.cl", conv2d_params, COUNT(conv2d_params)};

static const clg_kernel_param conv1x1_params[] = {
    {"PB", 4, 16, 8}, /* pixels per work-item, one vector */
    {"KB", 1, 16, 8}, /* output channels per work-item */
    EPILOGUE_PARAMS,
};
const clg_kernel_desc clg_kernel_conv1x1 = {"conv1x1.cl", conv1x1_params, COUNT(conv1x1_params)};

static const clg_kernel_param winograd_params[] = {
    {"WM", 2, 4, 4},  /* output tile: F(2x2,3x3) or F(4x4,3x3) */
    {"PX", 1, 16, 4}, /* tiles per wino_gemm work-item */
    {"KV", 1, 4, 2},  /* 16-wide channel vectors per wino_gemm work-item */
    EPILOGUE_PARAMS,
    {"CBLK", 1, ANY, 64},
    {"WI_VECTORS", 0, 1, 0}, /* wino_input for drivers that vectorise across work-items */
    {"WORD_PAIRS", 0, 1, 0}, /* half samples as 32-bit words of two columns */
};
const clg_kernel_desc clg_kernel_winograd = {"winograd.cl", winograd_params, COUNT(winograd_params)};

static const clg_kernel_param conv_lanes_params[] = {
    {"KB", 1, 32, 16},   /* output channels per work-item */
    {"CBLK", 1, ANY, 32}, /* channels a partial sum covers */
    {"LANES", 0, 64, 0},  /* sub-group size asked of Intel's compiler (0: none) */
    EPILOGUE_PARAMS,
};
const clg_kernel_desc clg_kernel_conv_lanes = {"conv_lanes.cl", conv_lanes_params, COUNT(conv_lanes_params)};

static const clg_kernel_param conv_plane_params[] = {
    {"IH", 1, 16, 3}, {"IW", 1, 16, 3},   /* input plane, at most 16 pixels */
    {"OHP", 1, 16, 3}, {"OWP", 1, 16, 3}, /* output plane, at most 16 pixels */
    {"KH", 1, 7, 3}, {"KW", 1, 7, 3}, {"SH", 1, ANY, 1}, {"SW", 1, ANY, 1},
    {"PT", 0, ANY, 1}, {"PL", 0, ANY, 1}, /* top and left pads */
    {"KV", 1, 4, 1},      /* 16-wide channel vectors per work-item */
    {"CBLK", 1, ANY, 32}, /* channels a partial sum covers */
    EPILOGUE_PARAMS,
};
const clg_kernel_desc clg_kernel_conv_plane = {"conv_plane.cl", conv_plane_params, COUNT(conv_plane_params)};

static const clg_kernel_param conv_grouped_params[] = {
    WINDOW_PARAMS,
    {"DH", 1, ANY, 1}, /* dilation */
    {"DW", 1, ANY, 1},
    {"XB", 4, 16, 8},  /* CPU kernels: output pixels per work-item, one vector */
    {"KB", 1, 8, 1},   /* CPU kernels: output channels of one group per work-item */
    {"RY", 1, 8, 1},   /* conv_depthwise: output rows per work-item */
    {"RK", 1, 8, 1},   /* conv_grouped_simt: output channels per work-item */
    EPILOGUE_PARAMS,
};
const clg_kernel_desc clg_kernel_conv_grouped = {"conv_grouped.cl", conv_grouped_params,
                                                 COUNT(conv_grouped_params)};

static const clg_kernel_param conv_simt_params[] = {
    WINDOW_PARAMS,
    {"PW", 0, 1, 0},     /* pointwise: the im2col gather is a row read */
    {"POOL3", 0, 1, 0},  /* 3x3 max-pool fused before a 1x1 convolution */
    {"WGN", 1, 256, 16}, /* work-group: pixels x channels */
    {"WGM", 1, 256, 16},
    {"RN", 1, 16, 4},    /* register tile: pixels x channels */
    {"RM", 1, 16, 4},
    {"TK", 1, 256, 16},  /* reduction depth of a local slice */
    {"SPLIT", 0, 1, 0},  /* split-K partial sums */
    {"GROUP", 0, 1, 0},  /* up to three outputs (a 1x1 group) */
    EPILOGUE_PARAMS,
    {"WM", 2, 4, 4},     /* Winograd output tile */
};
const clg_kernel_desc clg_kernel_conv_simt = {"conv_simt.cl", conv_simt_params,
                                              COUNT(conv_simt_params)};

static const clg_kernel_param gemm_params[] = {
    {"TA", 0, 1, 0}, /* op(A) = A^T */
    {"TB", 0, 1, 0}, /* op(B) = B^T */
    /* gemm_rows: rows per work-item. The host reads the default for the
       launch size and never passes it. */
    {"ROWS", 1, 16, 4},
};
const clg_kernel_desc clg_kernel_gemm = {"gemm.cl", gemm_params, COUNT(gemm_params)};

static const clg_kernel_param maxpool_plane_params[] = {
    {"KH", 1, ANY, 3}, {"KW", 1, 16, 3}, {"SH", 1, ANY, 2}, {"SW", 1, ANY, 2},
    {"PT", 0, ANY, 0}, {"PL", 0, 15, 0}, /* top and left pads */
};
const clg_kernel_desc clg_kernel_maxpool_plane = {"maxpool_plane.cl", maxpool_plane_params,
                                                  COUNT(maxpool_plane_params)};

static const clg_kernel_param peak_params[] = {
    {"ITERS", 1, ANY, 4096}, /* multiply-adds per work-item */
    {"VW", 4, 16, 16},       /* lanes per accumulator: the device's SIMD width */
};
const clg_kernel_desc clg_kernel_peak = {"peak.cl", peak_params, COUNT(peak_params)};

const clg_kernel_desc *const clg_kernel_descs[] = {
    &clg_kernel_conv2d,      &clg_kernel_conv1x1,    &clg_kernel_winograd, &clg_kernel_conv_grouped,
    &clg_kernel_conv_lanes,  &clg_kernel_conv_plane, &clg_kernel_conv_simt, &clg_kernel_gemm,
    &clg_kernel_maxpool_plane, &clg_kernel_peak,     NULL,
};

const clg_kernel_param *clg_kernel_param_find(const clg_kernel_desc *desc, const char *name)
{
    for (size_t i = 0; i < desc->count; i++)
        if (strcmp(desc->params[i].name, name) == 0) return &desc->params[i];
    return NULL;
}

int clg_kernel_param_allows(const clg_kernel_desc *desc, const char *name, int value)
{
    const clg_kernel_param *p = clg_kernel_param_find(desc, name);
    return p && value >= p->min && value <= p->max;
}

int clg_kernel_param_default(const clg_kernel_desc *desc, const char *name)
{
    const clg_kernel_param *p = clg_kernel_param_find(desc, name);
    return p ? p->fallback : 0;
}

clg_options clg_options_begin(const clg_kernel_desc *desc)
{
    clg_options o = {.desc = desc, .length = 0, .status = CLG_OK};
    o.text[0] = '\0';
    return o;
}

void clg_options_set(clg_options *o, const char *name, int value)
{
    if (o->status != CLG_OK) return;
    const clg_kernel_param *p = clg_kernel_param_find(o->desc, name);
    if (!p) {
        o->status = clg_fail(CLG_ERR_UNSUPPORTED, "%s takes no -D%s", o->desc->file, name);
        return;
    }
    if (value < p->min || value > p->max) {
        o->status = clg_fail(CLG_ERR_UNSUPPORTED, "%s: -D%s=%d is outside %d..%d", o->desc->file,
                             name, value, p->min, p->max);
        return;
    }
    const size_t room = sizeof o->text - o->length;
    const int len = snprintf(o->text + o->length, room, "%s-D%s=%d", o->length ? " " : "", name, value);
    if (len < 0 || (size_t)len >= room) {
        o->status = clg_fail(CLG_ERR_UNSUPPORTED, "%s: build options longer than %d characters",
                             o->desc->file, CLG_OPTIONS_MAX - 1);
        return;
    }
    o->length += (size_t)len;
}

void clg_options_window(clg_options *o, int kh, int kw, int sh, int sw)
{
    clg_options_set(o, "KH", kh);
    clg_options_set(o, "KW", kw);
    clg_options_set(o, "SH", sh);
    clg_options_set(o, "SW", sw);
}

void clg_options_epilogue(clg_options *o, int has_bias, int relu)
{
    clg_options_set(o, "HAS_BIAS", has_bias);
    clg_options_set(o, "RELU", relu);
}

clg_status clg_options_end(const clg_options *o)
{
    return o->status;
}
