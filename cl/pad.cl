/*
 * Pad (ONNX): the output shape is right-aligned into 8 dims (leading 1s).
 * Per dim: begin = the begin pad (negative crops), [lo, hi) = the input
 * range left after cropping, sx = the input element stride. An output
 * coordinate o reads input coordinate i = o - begin; outside [lo, hi) the
 * mode decides, as numpy.pad on the cropped input: constant writes `value`,
 * reflect mirrors about the edge elements (repeatedly for long pads), edge
 * repeats the edge element, wrap continues periodically over [lo, hi).
 * One work-item per output element. NDRange: dim 0 = dims.s7 (innermost),
 * dim 1 = the product of dims.s0 .. dims.s6.
 *
 * Takes no -D values; mode is an argument (0 constant, 1 reflect, 2 edge, 3 wrap).
 */
#include "prelude.cl"

/* The input coordinate for i, or -1 for the constant. */
static inline int clg_pad_source(int i, int lo, int hi, int mode)
{
    if (i >= lo && i < hi) return i;
    if (mode == 1) { /* numpy's reflect: period 2(n-1), also for pads longer than the axis */
        const int n = hi - lo, p = 2 * (n - 1);
        if (p == 0) return lo;
        int r = (i - lo) % p;
        r = r < 0 ? r + p : r;
        return lo + (r < n ? r : p - r);
    }
    if (mode == 2) return i < lo ? lo : hi - 1;
    if (mode == 3) {
        const int n = hi - lo, r = (i - lo) % n;
        return lo + (r < 0 ? r + n : r);
    }
    return -1;
}

#define CLG_PAD_DIM(d, o)                                                                         \
    do {                                                                                          \
        const int s = clg_pad_source((o) - begin.d, lo.d, hi.d, mode);                             \
        inside &= s >= 0;                                                                         \
        ix += s * sx.d;                                                                           \
    } while (0)

#define CLG_PAD_OUTER(d) CLG_PAD_DIM(d, clg_next_index(&r, dims.d))

__kernel void pad(__global const sreal *restrict x, __global sreal *restrict y, int8 dims,
                  int8 sx, int8 begin, int8 lo, int8 hi, float value, int mode)
{
    const int i = (int)get_global_id(0);
    const int outer = (int)get_global_id(1);
    int r = outer, ix = 0, inside = 1;
    CLG_PAD_DIM(s7, i);
    CLG_PAD_OUTER(s6);
    CLG_PAD_OUTER(s5);
    CLG_PAD_OUTER(s4);
    CLG_PAD_OUTER(s3);
    CLG_PAD_OUTER(s2);
    CLG_PAD_OUTER(s1);
    CLG_PAD_OUTER(s0);
    y[(size_t)outer * dims.s7 + i] = inside ? x[ix] : (real)value;
}
