#include "reference_misc.h"

#include <math.h>

int ref_pool_out_size(int in, int k, int stride, int pad_begin, int pad_end, int ceil_mode)
{
    int span = in + pad_begin + pad_end - k;
    if (span < 0) return 0;
    int out = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil_mode && (out - 1) * stride >= in + pad_begin) out--;
    return out;
}

/* Visits one output window: max, sum and the two counts the pools need. */
typedef struct window_stats {
    double max, sum;
    int valid;  /* positions inside the input */
    int padded; /* positions inside the padded extent */
} window_stats;

static window_stats pool_window(const float *plane, int h, int w, int kh, int kw, int y0,
                                int x0, const int pads[4])
{
    window_stats s = {-INFINITY, 0.0, 0, 0};
    for (int ky = 0; ky < kh; ky++) {
        for (int kx = 0; kx < kw; kx++) {
            int iy = y0 + ky, ix = x0 + kx;
            if (iy >= -pads[0] && iy < h + pads[2] && ix >= -pads[1] && ix < w + pads[3])
                s.padded++;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            double v = plane[iy * w + ix];
            if (v > s.max) s.max = v;
            s.sum += v;
            s.valid++;
        }
    }
    return s;
}

void ref_maxpool2d(const float *x, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
                   const int pads[4], int oh, int ow, float *y)
{
    for (int p = 0; p < n * c; p++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                window_stats s = pool_window(x + (size_t)p * h * w, h, w, kh, kw,
                                             oy * sh - pads[0], ox * sw - pads[1], pads);
                y[((size_t)p * oh + oy) * ow + ox] = (float)s.max;
            }
}

void ref_avgpool2d(const float *x, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
                   const int pads[4], int count_include_pad, int oh, int ow, float *y)
{
    for (int p = 0; p < n * c; p++)
        for (int oy = 0; oy < oh; oy++)
            for (int ox = 0; ox < ow; ox++) {
                window_stats s = pool_window(x + (size_t)p * h * w, h, w, kh, kw,
                                             oy * sh - pads[0], ox * sw - pads[1], pads);
                int count = count_include_pad ? s.padded : s.valid;
                y[((size_t)p * oh + oy) * ow + ox] = count ? (float)(s.sum / count) : 0.0f;
            }
}

void ref_global_avgpool(const float *x, int n, int c, int h, int w, float *y)
{
    for (int p = 0; p < n * c; p++) {
        double sum = 0.0;
        for (int i = 0; i < h * w; i++) sum += x[(size_t)p * h * w + i];
        y[p] = (float)(sum / (h * w));
    }
}

void ref_concat(const float *const *inputs, const int64_t (*dims)[8], int n_inputs, int rank,
                int axis, float *y)
{
    size_t outer = 1, inner = 1, out_axis = 0;
    for (int d = 0; d < axis; d++) outer *= (size_t)dims[0][d];
    for (int d = axis + 1; d < rank; d++) inner *= (size_t)dims[0][d];
    for (int i = 0; i < n_inputs; i++) out_axis += (size_t)dims[i][axis];
    for (size_t o = 0; o < outer; o++) {
        size_t at = 0; /* position along the output axis */
        for (int i = 0; i < n_inputs; i++) {
            size_t len = (size_t)dims[i][axis];
            for (size_t a = 0; a < len; a++)
                for (size_t k = 0; k < inner; k++)
                    y[(o * out_axis + at + a) * inner + k] = inputs[i][(o * len + a) * inner + k];
            at += len;
        }
    }
}

void ref_relu(const float *x, size_t count, float *y)
{
    for (size_t i = 0; i < count; i++) y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void ref_leaky_relu(const float *x, size_t count, float alpha, float *y)
{
    for (size_t i = 0; i < count; i++) y[i] = x[i] < 0.0f ? alpha * x[i] : x[i];
}

static double binop(ref_binop op, double a, double b)
{
    switch (op) {
    case REF_SUB: return a - b;
    case REF_MUL: return a * b;
    case REF_DIV: return a / b;
    case REF_MAX: return isnan(a) || isnan(b) ? NAN : a > b ? a : b;
    case REF_MIN: return isnan(a) || isnan(b) ? NAN : a < b ? a : b;
    default: return a + b;
    }
}

int ref_binary(ref_binop op, const float *a, int ra, const int64_t *a_dims, const float *b, int rb,
               const int64_t *b_dims, float *y, int *y_rank, int64_t *y_dims)
{
    int rank = ra > rb ? ra : rb;
    int64_t ad[8], bd[8]; /* right-aligned, padded with leading 1s */
    for (int d = 0; d < rank; d++) {
        ad[d] = d - (rank - ra) >= 0 ? a_dims[d - (rank - ra)] : 1;
        bd[d] = d - (rank - rb) >= 0 ? b_dims[d - (rank - rb)] : 1;
        if (ad[d] != bd[d] && ad[d] != 1 && bd[d] != 1) return 0;
        y_dims[d] = ad[d] == 1 ? bd[d] : ad[d];
    }
    *y_rank = rank;
    if (!y) return 1;
    size_t count = 1;
    for (int d = 0; d < rank; d++) count *= (size_t)y_dims[d];
    for (size_t i = 0; i < count; i++) {
        /* Unravel i over the output dims, then ravel into each input. */
        size_t rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
        for (int d = rank - 1; d >= 0; d--) {
            size_t idx = rem % (size_t)y_dims[d];
            rem /= (size_t)y_dims[d];
            if (ad[d] != 1) ia += idx * sa;
            if (bd[d] != 1) ib += idx * sb;
            sa *= (size_t)ad[d];
            sb *= (size_t)bd[d];
        }
        y[i] = (float)binop(op, a[ia], b[ib]);
    }
    return 1;
}

void ref_clip(const float *x, size_t count, float lo, float hi, float *y)
{
    for (size_t i = 0; i < count; i++) {
        float v = x[i] < lo ? lo : x[i];
        y[i] = v > hi ? hi : v;
    }
}

void ref_batchnorm(const float *x, int n, int c, size_t inner, const float *scale,
                   const float *bias, const float *mean, const float *var, float eps, float *y)
{
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++) {
            const double sd = sqrt((double)var[ch] + (double)eps);
            const size_t at = ((size_t)b * c + ch) * inner;
            for (size_t i = 0; i < inner; i++)
                y[at + i] = (float)(((double)x[at + i] - mean[ch]) / sd * scale[ch] + bias[ch]);
        }
}

void ref_gather(const float *x, int rank, const int64_t *dims, int axis, const int64_t *indices,
                size_t n_indices, float *y)
{
    size_t outer = 1, inner = 1;
    const int64_t extent = dims[axis];
    for (int d = 0; d < axis; d++) outer *= (size_t)dims[d];
    for (int d = axis + 1; d < rank; d++) inner *= (size_t)dims[d];
    for (size_t o = 0; o < outer; o++)
        for (size_t j = 0; j < n_indices; j++) {
            const size_t src = (size_t)(indices[j] < 0 ? indices[j] + extent : indices[j]);
            for (size_t i = 0; i < inner; i++)
                y[(o * n_indices + j) * inner + i] = x[(o * (size_t)extent + src) * inner + i];
        }
}

void ref_softmax(const float *x, int rank, const int64_t *dims, int axis, int legacy, float *y)
{
    size_t outer = 1, len = 1, inner = 1;
    for (int d = 0; d < axis; d++) outer *= (size_t)dims[d];
    if (legacy) {
        for (int d = axis; d < rank; d++) len *= (size_t)dims[d];
    } else {
        len = (size_t)dims[axis];
        for (int d = axis + 1; d < rank; d++) inner *= (size_t)dims[d];
    }
    for (size_t o = 0; o < outer; o++)
        for (size_t k = 0; k < inner; k++) {
            const float *src = x + o * len * inner + k;
            float *dst = y + o * len * inner + k;
            double m = -INFINITY, sum = 0.0;
            for (size_t a = 0; a < len; a++)
                if (src[a * inner] > m) m = src[a * inner];
            for (size_t a = 0; a < len; a++) sum += exp(src[a * inner] - m);
            for (size_t a = 0; a < len; a++) dst[a * inner] = (float)(exp(src[a * inner] - m) / sum);
        }
}

void ref_lrn(const float *x, int n, int c, int p, int size, float alpha, float beta, float bias,
             float *y)
{
    int before = (size - 1) / 2, after = size / 2; /* floor and ceil of (size-1)/2 */
    for (int b = 0; b < n; b++)
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < p; i++) {
                double sq = 0.0;
                for (int k = ch - before; k <= ch + after; k++) {
                    if (k < 0 || k >= c) continue;
                    double v = x[((size_t)b * c + k) * p + i];
                    sq += v * v;
                }
                size_t at = ((size_t)b * c + ch) * p + i;
                y[at] = (float)(x[at] / pow(bias + (double)alpha / size * sq, beta));
            }
}

/* Cropped-axis coordinate c (may be outside [0, n)) mapped into it, or -1 for the constant. */
static int64_t pad_index(int64_t c, int64_t n, int mode)
{
    if (c >= 0 && c < n) return c;
    switch (mode) {
    case 1: /* reflect: period 2(n-1), as numpy */
        if (n == 1) return 0;
        while (c < 0 || c >= n) c = c < 0 ? -c : 2 * (n - 1) - c;
        return c;
    case 2: return c < 0 ? 0 : n - 1;
    case 3: return ((c % n) + n) % n;
    default: return -1;
    }
}

int ref_pad(const float *x, int rank, const int64_t *dims, const int64_t *begin, const int64_t *end,
            int mode, float value, float *y)
{
    int64_t lo[8], kept[8], out[8];
    size_t total = 1;
    for (int d = 0; d < rank; d++) {
        lo[d] = begin[d] < 0 ? -begin[d] : 0;
        kept[d] = dims[d] - lo[d] - (end[d] < 0 ? -end[d] : 0);
        out[d] = dims[d] + begin[d] + end[d];
        if (out[d] < 1 || (kept[d] < 1 && mode != 0)) return 0;
        total *= (size_t)out[d];
    }
    for (size_t o = 0; o < total; o++) {
        size_t rest = o, src = 0, stride = 1;
        int inside = 1;
        for (int d = rank - 1; d >= 0; d--) {
            const int64_t coord = (int64_t)(rest % (size_t)out[d]);
            rest /= (size_t)out[d];
            /* cropped coordinate: the output starts begin[d] (when positive) before the kept part */
            const int64_t c = pad_index(coord - (begin[d] > 0 ? begin[d] : 0), kept[d], mode);
            if (c < 0) inside = 0;
            else src += (size_t)(c + lo[d]) * stride;
            stride *= (size_t)dims[d];
        }
        y[o] = inside ? x[src] : value;
    }
    return 1;
}

float ref_round_float(float x, int mantissa, int min_exp, double max)
{
    if (isnan(x) || isinf(x)) return x;
    const double a = fabs((double)x);
    if (a == 0) return x;
    int e;
    frexp(a, &e); /* a = f * 2^e, f in [0.5, 1): the leading bit is 2^(e-1) */
    const int lead = e - 1 < min_exp ? min_exp : e - 1;
    const double quantum = ldexp(1.0, lead - mantissa);
    const double r = nearbyint(a / quantum) * quantum; /* the default rounding: to nearest, ties to even */
    const double ulp_max = ldexp(1.0, (int)floor(log2(max)) - mantissa);
    if (r > max) return (float)copysign(r >= max + ulp_max ? INFINITY : max, (double)x);
    return (float)copysign(r, (double)x);
}
