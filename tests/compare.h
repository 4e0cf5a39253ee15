/*
 * Tensors the tests make and compare with what they expect: the element
 * count of a shape, a tensor from data, a shape as text, the largest
 * magnitude and difference of arrays, and the two comparisons (element by
 * element within a relative tolerance; against a C reference within 1e-4 of
 * its largest magnitude).
 */
#ifndef CLG_TEST_COMPARE_H
#define CLG_TEST_COMPARE_H

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgooglenet.h"
#include "half.h"

static inline size_t dims_product(int rank, const int64_t *dims)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++) n *= (size_t)dims[i];
    return n;
}

/* A new tensor of that shape holding data (left zero when data is NULL). */
static inline clg_tensor *tensor_of(int rank, const int64_t *dims, const float *data)
{
    clg_tensor *t = NULL;
    ck_assert_int_eq(clg_tensor_create(rank, dims, &t), CLG_OK);
    if (data) memcpy(t->data, data, clg_tensor_element_count(t) * sizeof(float));
    return t;
}

/* "[2,3,4]" into buf. */
static inline void shape_text(int rank, const int64_t *dims, char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < rank && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? "," : "", (long long)dims[i]);
    if (used < size) snprintf(buf + used, size - used, "]");
}

/* The largest |p[i]|, 0 for none; NaN when any p[i] is NaN (so that every
   bound checked against it fails). */
static inline double max_abs(const float *p, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(p[i])) return NAN;
        m = fmax(m, fabs(p[i]));
    }
    return m;
}

/* The largest |a[i] - b[i]|; infinite where either side is NaN (fmax would
   pass a NaN over, and a NaN output would then pass every comparison). */
static inline double max_abs_diff(const float *a, const float *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) {
        const double d = fabs((double)a[i] - b[i]);
        if (isnan(d)) return INFINITY;
        m = fmax(m, d);
    }
    return m;
}

/* max_abs_diff(got, want) relative to want's largest |value| (absolute when
   want is all zero). */
static inline double relative_max_error(const float *got, const float *want, size_t n)
{
    const double largest = max_abs(want, n);
    return max_abs_diff(got, want, n) / (largest > 0 ? largest : 1);
}

/* Shape must match; each element within tol * (1 + |want|). */
static inline void expect_close(const clg_tensor *got, int rank, const int64_t *dims, const float *want,
                                float tol)
{
    ck_assert_int_eq(got->rank, rank);
    for (int i = 0; i < rank; i++) ck_assert_int_eq(got->dims[i], dims[i]);
    size_t n = dims_product(rank, dims);
    for (size_t i = 0; i < n; i++)
        if (!(fabsf(got->data[i] - want[i]) <= tol * (1.0f + fabsf(want[i]))))
            ck_abort_msg("element %zu: got %g, want %g", i, (double)got->data[i], (double)want[i]);
}

/*
 * Every suite also runs in half when CLGOOGLENET_PRECISION=fp16 (meson's
 * *-fp16 tests). Half's unit roundoff is u = 2^-11: inputs and weights are
 * rounded (2u), convolutions sum blocks of up to a few hundred products in
 * half (an error growing like sqrt(n) u: about 17u for 300) and outputs are
 * rounded (u). 32u of the largest |value| bounds that with room; float32
 * runs keep 1e-4.
 */
static inline int test_half(void)
{
    const char *p = getenv("CLGOOGLENET_PRECISION");
    return p && (strcmp(p, "fp16") == 0 || strcmp(p, "FP16") == 0);
}

/* In half runs, data the device only moves (pad, concat) is compared bit
   for bit with a reference computed on the inputs rounded to half, as the
   device stores them: this rounds x in place (a no-op in float32 runs). */
static inline void round_like_device(float *x, size_t n)
{
    if (!test_half()) return;
    for (size_t i = 0; i < n; i++) x[i] = clg_half_to_float(clg_float_to_half(x[i]));
}

static inline double reference_tolerance(void)
{
    return test_half() ? 32.0 / 2048.0 : 1e-4;
}

/* Shape must match; max abs error <= reference_tolerance() * max(1, max|ref|);
   NaN and infinities must match. */
static inline void expect_reference(const clg_tensor *got, const float *ref, int rank, const int64_t *dims,
                                    const char *what)
{
    char want[128], have[128];
    shape_text(rank, dims, want, sizeof want);
    shape_text(got->rank, got->dims, have, sizeof have);
    ck_assert_msg(strcmp(want, have) == 0, "%s: output shape %s, expected %s", what, have, want);
    size_t count = dims_product(rank, dims);
    double max_ref = 1.0, max_err = 0.0;
    size_t worst = 0;
    for (size_t i = 0; i < count; i++) {
        if (isnan(ref[i]) || isinf(ref[i])) {
            ck_assert_msg(isnan(ref[i]) ? isnan(got->data[i]) : got->data[i] == ref[i],
                          "%s: [%zu] = %g, expected %g", what, i, (double)got->data[i],
                          (double)ref[i]);
            continue;
        }
        if (fabs(ref[i]) > max_ref) max_ref = fabs(ref[i]);
        double err = fabs((double)got->data[i] - ref[i]);
        if (!(err <= max_err)) { /* also catches NaN */
            max_err = err;
            worst = i;
        }
    }
    ck_assert_msg(max_err <= reference_tolerance() * max_ref, "%s: max error %g at [%zu] (got %g, expected %g)",
                  what, max_err, worst, (double)got->data[worst], (double)ref[worst]);
}

#endif
