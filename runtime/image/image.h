/*
 * Internal pieces of image decoding and preprocessing (runtime/image/image.c,
 * runtime/image/preprocess.c), exposed so the tests can reach them without a model.
 */
#ifndef CLG_IMAGE_H
#define CLG_IMAGE_H

#include "clgooglenet.h"

/* Looks up a metadata value by key; NULL when absent. */
typedef const char *(*clg_metadata_fn)(const void *ctx, const char *key);

/*
 * clg_preprocess_from_model without a model: `input` is the shape of the
 * model's image input, `get(ctx, key)` its metadata.
 */
clg_status clg_preprocess_parse(const clg_io_info *input, clg_metadata_fn get, const void *ctx,
                                clg_preprocess *pp);

/*
 * Resizes one float plane exactly as PyTorch's
 * F.interpolate(mode='bilinear', align_corners=False, antialias=False) does
 * on float32 CPU tensors. Sizes must be at least 1.
 */
clg_status clg_resize_bilinear(const float *src, int in_h, int in_w, float *dst, int out_h,
                               int out_w);

/* The 8-bit ITU-R 601 luma of one RGB pixel, as PIL's convert('L') computes it. */
unsigned char clg_rgb_to_gray(unsigned char r, unsigned char g, unsigned char b);

#endif
