/*
 * Plain C references for the convolution and matrix-product ops, written for
 * clarity, not speed. Sums accumulate in double. Layout is NCHW / C order.
 */
#ifndef CLG_REFERENCE_CONV_H
#define CLG_REFERENCE_CONV_H

#include <stdint.h>

/* Output extent of one axis: (in + pad_begin + pad_end - k) / stride + 1. */
int ref_conv_out_size(int in, int k, int stride, int pad_begin, int pad_end);

/*
 * y[N][K][OH][OW] = conv(x[N][C][H][W], w[K][C][KH][KW]) + bias[K] (bias may
 * be NULL), stride (sh, sw), pads {top, left, bottom, right}, then ReLU when
 * relu is set. OH/OW follow ref_conv_out_size.
 */
void ref_conv2d(const float *x, int n, int c, int h, int w, const float *weight, int k, int kh,
                int kw, const float *bias, int sh, int sw, const int pads[4], int relu, float *y);

/*
 * The same with ONNX Conv's group and dilations: weight is [K][C / group][KH][KW],
 * output channel o reads input channels (o / (K / group)) * (C / group) onwards,
 * tap (ky, kx) samples the input at (oy * sh - pads[0] + ky * dh, ox * sw - pads[1] + kx * dw).
 * OH/OW follow ref_conv_out_size with the dilated kernel (KH - 1) * dh + 1.
 */
void ref_conv2d_grouped(const float *x, int n, int c, int h, int w, const float *weight, int k,
                        int kh, int kw, const float *bias, int sh, int sw, int dh, int dw,
                        int group, const int pads[4], int relu, float *y);

/*
 * ONNX Gemm: y[M][N] = alpha * op(a) * op(b) + beta * C. a is [M,K] (or
 * [K,M] when trans_a), b is [K,N] (or [N,K] when trans_b). C (may be NULL)
 * has rank c_rank <= 2 and dims c_dims, broadcast to [M, N].
 */
void ref_gemm(const float *a, const float *b, const float *c, int c_rank, const int64_t *c_dims,
              int m, int n, int k, int trans_a, int trans_b, float alpha, float beta, float *y);

/*
 * numpy matmul of a (rank ra >= 1) and b (rank rb >= 1) with broadcast batch
 * dims. Writes the output shape to y_rank / y_dims (room for 8 dims) and, when
 * y is not NULL, the result.
 */
void ref_matmul(const float *a, int ra, const int64_t *a_dims, const float *b, int rb,
                const int64_t *b_dims, float *y, int *y_rank, int64_t *y_dims);

#endif
