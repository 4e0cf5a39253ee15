/*
 * Kernel descriptors: the -D values each cl/ program takes (name, allowed
 * range, and the default the file falls back to when a value is not
 * passed), and a builder that formats a program's build options from them:
 *
 *     clg_options o = clg_options_begin(&clg_kernel_conv1x1);
 *     clg_options_set(&o, "PB", pb);
 *     clg_options_set(&o, "KB", kb);
 *     CLG_TRY(clg_options_end(&o));   // o.text: "-DPB=8 -DKB=4"
 *
 * Values appear in the order they are set. A name the program does not take,
 * a value outside its range or options too long fail at clg_options_end,
 * naming the program, the value and the range. The defaults must equal the
 * files' own (#ifndef NAME / #define NAME value); tests/test_conv.c checks.
 */
#ifndef CLG_KERNEL_OPTIONS_H
#define CLG_KERNEL_OPTIONS_H

#include <stddef.h>

#include "clgooglenet.h"

typedef struct clg_kernel_param {
    const char *name; /* the -D name */
    int min, max;     /* the values the kernel takes */
    int fallback;     /* the file's default */
} clg_kernel_param;

typedef struct clg_kernel_desc {
    const char *file; /* "conv2d.cl" */
    const clg_kernel_param *params;
    size_t count;
} clg_kernel_desc;

extern const clg_kernel_desc clg_kernel_conv2d, clg_kernel_conv1x1, clg_kernel_winograd,
    clg_kernel_conv_grouped, clg_kernel_conv_lanes, clg_kernel_conv_plane, clg_kernel_conv_simt, clg_kernel_gemm, clg_kernel_maxpool_plane,
    clg_kernel_peak;

/* Every descriptor, NULL-terminated (for tests). */
extern const clg_kernel_desc *const clg_kernel_descs[];

/* desc's entry for name, or NULL when the program takes no such value. */
const clg_kernel_param *clg_kernel_param_find(const clg_kernel_desc *desc, const char *name);

/* 1 when the program takes name = value. */
int clg_kernel_param_allows(const clg_kernel_desc *desc, const char *name, int value);

/* The file's default for name; 0 when the program takes no such value. */
int clg_kernel_param_default(const clg_kernel_desc *desc, const char *name);

#define CLG_OPTIONS_MAX 256

typedef struct clg_options {
    const clg_kernel_desc *desc;
    char text[CLG_OPTIONS_MAX]; /* the build options so far */
    size_t length;
    clg_status status; /* the first failure, CLG_OK until then */
} clg_options;

clg_options clg_options_begin(const clg_kernel_desc *desc);
/* Appends -Dname=value. */
void clg_options_set(clg_options *o, const char *name, int value);
/* The values the convolution programs share, in their usual order:
   -DKH -DKW -DSH -DSW, and -DHAS_BIAS -DRELU. */
void clg_options_window(clg_options *o, int kh, int kw, int sh, int sw);
void clg_options_epilogue(clg_options *o, int has_bias, int relu);
/* The first failure, or CLG_OK with the options in o->text. */
clg_status clg_options_end(const clg_options *o);

#endif
