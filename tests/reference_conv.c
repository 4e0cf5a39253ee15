#include "reference_conv.h"

#include <stddef.h>

int ref_conv_out_size(int in, int k, int stride, int pad_begin, int pad_end)
{
    return (in + pad_begin + pad_end - k) / stride + 1;
}

void ref_conv2d(const float *x, int n, int c, int h, int w, const float *weight, int k, int kh,
                int kw, const float *bias, int sh, int sw, const int pads[4], int relu, float *y)
{
    ref_conv2d_grouped(x, n, c, h, w, weight, k, kh, kw, bias, sh, sw, 1, 1, 1, pads, relu, y);
}

void ref_conv2d_grouped(const float *x, int n, int c, int h, int w, const float *weight, int k,
                        int kh, int kw, const float *bias, int sh, int sw, int dh, int dw,
                        int group, const int pads[4], int relu, float *y)
{
    const int oh = ref_conv_out_size(h, (kh - 1) * dh + 1, sh, pads[0], pads[2]);
    const int ow = ref_conv_out_size(w, (kw - 1) * dw + 1, sw, pads[1], pads[3]);
    const int cg = c / group, kg = k / group; /* channels per group: in, out */
    for (int b = 0; b < n; b++)
        for (int o = 0; o < k; o++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double sum = bias ? bias[o] : 0.0;
                    for (int i = 0; i < cg; i++) {
                        const int ci = o / kg * cg + i;
                        for (int ky = 0; ky < kh; ky++)
                            for (int kx = 0; kx < kw; kx++) {
                                int iy = oy * sh - pads[0] + ky * dh, ix = ox * sw - pads[1] + kx * dw;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue; /* zero pad */
                                sum += (double)x[((size_t)(b * c + ci) * h + iy) * w + ix] *
                                       weight[((size_t)(o * cg + i) * kh + ky) * kw + kx];
                            }
                    }
                    if (relu && sum < 0) sum = 0;
                    y[((size_t)(b * k + o) * oh + oy) * ow + ox] = (float)sum;
                }
}

void ref_gemm(const float *a, const float *b, const float *c, int c_rank, const int64_t *c_dims,
              int m, int n, int k, int trans_a, int trans_b, float alpha, float beta, float *y)
{
    /* C's right-aligned dims; a missing or size-1 dim repeats. */
    int64_t cm = c && c_rank >= 2 ? c_dims[c_rank - 2] : 1;
    int64_t cn = c && c_rank >= 1 ? c_dims[c_rank - 1] : 1;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double sum = 0;
            for (int p = 0; p < k; p++) {
                float av = trans_a ? a[(size_t)p * m + i] : a[(size_t)i * k + p];
                float bv = trans_b ? b[(size_t)j * k + p] : b[(size_t)p * n + j];
                sum += (double)av * bv;
            }
            double r = alpha * sum;
            if (c) r += (double)beta * c[(cm == 1 ? 0 : i) * cn + (cn == 1 ? 0 : j)];
            y[(size_t)i * n + j] = (float)r;
        }
}

void ref_matmul(const float *a, int ra, const int64_t *a_dims, const float *b, int rb,
                const int64_t *b_dims, float *y, int *y_rank, int64_t *y_dims)
{
    /* numpy: 1-D a is [1, K], 1-D b is [K, 1]; those dims are dropped from y. */
    const int a_vec = ra == 1, b_vec = rb == 1;
    const int64_t m = a_vec ? 1 : a_dims[ra - 2], k = a_dims[ra - 1];
    const int64_t n = b_vec ? 1 : b_dims[rb - 1];
    const int abr = a_vec ? 0 : ra - 2, bbr = b_vec ? 0 : rb - 2;
    const int br = abr > bbr ? abr : bbr;
    int64_t bd[8], ad[8], bdd[8];
    size_t batch = 1;
    for (int i = 0; i < br; i++) {
        ad[i] = i - (br - abr) >= 0 ? a_dims[i - (br - abr)] : 1;
        bdd[i] = i - (br - bbr) >= 0 ? b_dims[i - (br - bbr)] : 1;
        bd[i] = ad[i] > bdd[i] ? ad[i] : bdd[i];
        batch *= (size_t)bd[i];
    }
    *y_rank = 0;
    for (int i = 0; i < br; i++) y_dims[(*y_rank)++] = bd[i];
    if (!a_vec) y_dims[(*y_rank)++] = m;
    if (!b_vec) y_dims[(*y_rank)++] = n;
    if (!y) return;
    for (size_t t = 0; t < batch; t++) {
        /* Batch index t -> offsets of a's and b's matrices (size-1 dims repeat). */
        size_t rest = t, aoff = 0, boff = 0, astr = 1, bstr = 1;
        for (int i = br - 1; i >= 0; i--) {
            size_t idx = rest % (size_t)bd[i];
            rest /= (size_t)bd[i];
            aoff += (ad[i] == 1 ? 0 : idx) * astr;
            boff += (bdd[i] == 1 ? 0 : idx) * bstr;
            astr *= (size_t)ad[i];
            bstr *= (size_t)bdd[i];
        }
        const float *am = a + aoff * (size_t)(m * k), *bm = b + boff * (size_t)(k * n);
        float *ym = y + t * (size_t)(m * n);
        for (int64_t i = 0; i < m; i++)
            for (int64_t j = 0; j < n; j++) {
                double sum = 0;
                for (int64_t p = 0; p < k; p++) sum += (double)am[i * k + p] * bm[p * n + j];
                ym[i * n + j] = (float)sum;
            }
    }
}
