/*
 * Plain C references for pooling, Concat, Relu, the broadcasting binary ops
 * (Add, Sub, Mul, Div, Max, Min), Clip, BatchNormalization, Gather, Softmax
 * and LRN, written for clarity, not speed. Sums accumulate in double.
 * Layout is NCHW / C order.
 */
#ifndef CLG_REFERENCE_MISC_H
#define CLG_REFERENCE_MISC_H

#include <stddef.h>
#include <stdint.h>

/*
 * Output extent of one pooled axis: floor (or ceil with ceil_mode) of
 * (in + pad_begin + pad_end - k) / stride, plus 1; with ceil_mode a last
 * window starting at or past in + pad_begin is dropped (as in PyTorch).
 */
int ref_pool_out_size(int in, int k, int stride, int pad_begin, int pad_end, int ceil_mode);

/*
 * y[N][C][OH][OW] = max over the window positions inside the input (padding
 * never takes part; a window with none gives -INFINITY). pads are
 * {top, left, bottom, right}; OH/OW are given (from shape inference).
 */
void ref_maxpool2d(const float *x, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
                   const int pads[4], int oh, int ow, float *y);

/*
 * Average pooling. count_include_pad: divide by the window positions inside
 * the padded extent [-pad_begin, size + pad_end) (positions past it, made by
 * ceil_mode, do not count); otherwise by the positions inside the input.
 * A window with nothing to count gives 0.
 */
void ref_avgpool2d(const float *x, int n, int c, int h, int w, int kh, int kw, int sh, int sw,
                   const int pads[4], int count_include_pad, int oh, int ow, float *y);

/* y[N][C] = mean of each h x w plane. */
void ref_global_avgpool(const float *x, int n, int c, int h, int w, float *y);

/*
 * Concatenates n_inputs tensors of rank `rank` along axis; dims[i] is input
 * i's shape (all equal off the axis).
 */
void ref_concat(const float *const *inputs, const int64_t (*dims)[8], int n_inputs, int rank,
                int axis, float *y);

void ref_relu(const float *x, size_t count, float *y);

/* ONNX LeakyRelu: alpha * x where x < 0. */
void ref_leaky_relu(const float *x, size_t count, float alpha, float *y);

typedef enum ref_binop { REF_ADD, REF_SUB, REF_MUL, REF_DIV, REF_MAX, REF_MIN } ref_binop;

/*
 * y = a (op) b with numpy broadcasting. Writes the output shape to y_rank /
 * y_dims (room for 8 dims, not aliasing a_dims or b_dims); returns 0 when
 * the shapes do not broadcast. y may be NULL to get the shape only. Each
 * element is computed in double and rounded to float once, which gives
 * the IEEE float result of + - * /; Max and Min give NaN when either
 * operand is NaN (NumPy's maximum / minimum).
 */
int ref_binary(ref_binop op, const float *a, int ra, const int64_t *a_dims, const float *b, int rb,
               const int64_t *b_dims, float *y, int *y_rank, int64_t *y_dims);

/* y = min(max(x, lo), hi) as ONNX Clip: lo > hi gives hi; NaN stays NaN. */
void ref_clip(const float *x, size_t count, float lo, float hi, float *y);

/*
 * BatchNormalization in inference form on x[N][C][inner], in double:
 * y = (x - mean[c]) / sqrt(var[c] + eps) * scale[c] + bias[c].
 */
void ref_batchnorm(const float *x, int n, int c, size_t inner, const float *scale,
                   const float *bias, const float *mean, const float *var, float eps, float *y);

/*
 * Gather along axis (0 <= axis < rank): y[o][j][i] = x[o][indices[j]][i]
 * with x viewed as [outer, dims[axis], inner]; a negative index counts from
 * the end. Indices must be in range.
 */
void ref_gather(const float *x, int rank, const int64_t *dims, int axis, const int64_t *indices,
                size_t n_indices, float *y);

/*
 * Softmax of x (rank, dims) at axis. legacy (opset < 13): over the input
 * flattened to 2-D at axis, i.e. over all of dims[axis:] together;
 * otherwise over dims[axis] alone.
 */
void ref_softmax(const float *x, int rank, const int64_t *dims, int axis, int legacy, float *y);

/*
 * ONNX LRN on x[N][C][P] (P = product of the spatial dims): square sums over
 * channels [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to [0, C),
 * y = x / (bias + alpha / size * sum)^beta.
 */
void ref_lrn(const float *x, int n, int c, int p, int size, float alpha, float beta, float bias,
             float *y);

/*
 * ONNX Pad of x (rank <= 8, dims) as numpy.pad does it after cropping:
 * negative begin[d] / end[d] first cut that many elements off the axis,
 * then positive ones add elements: mode 0 constant (value), 1 reflect
 * (mirror without repeating the edge, repeatedly when the pad is long),
 * 2 edge (repeat the edge element), 3 wrap (periodic). The output has
 * dims[d] + begin[d] + end[d] elements per axis. Returns 0 when an axis is
 * left empty.
 */
int ref_pad(const float *x, int rank, const int64_t *dims, const int64_t *begin, const int64_t *end,
            int mode, float value, float *y);

/*
 * x rounded to the nearest value (ties to even) of a binary type with
 * `mantissa` stored bits, exponents down to min_exp (its smallest normal
 * is 2^min_exp; below it the quantum stays 2^(min_exp - mantissa)) and
 * largest finite value max: IEEE half is (10, -14, 65504), bfloat16
 * (7, -126, 0x1.fep127). Beyond max + half an ulp: infinity. NaN and
 * infinities stay. Computed in double.
 */
float ref_round_float(float x, int mantissa, int min_exp, double max);

#endif
