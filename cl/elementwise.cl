/*
 * Binary elementwise ops with NumPy broadcasting: Add, Sub, Mul, Div, Max,
 * Min (and the n-ary Sum, Max, Min as a chain of them, the output buffer
 * then being input a of the later steps: no restrict on a and out).
 *
 * -D CLG_BINOP=ADD|SUB|MUL|DIV|MAX|MIN selects the op (default ADD). Max and
 * Min propagate NaN, as NumPy's maximum/minimum (and ONNX Runtime) do.
 *
 * binary_same: both inputs have the output's shape. Each work-item does 4
 * floats (float4 with a scalar tail). NDRange: dim 0 = ceil(n / 4).
 *
 * binary_broadcast: the output shape is right-aligned into 8 dims (leading
 * 1s); sa / sb hold each input's element strides per output dim, 0 where
 * that input is broadcast. One work-item per output element. NDRange:
 * dim 0 = dims.s7 (innermost, unit stride in the output), dim 1 = the
 * product of dims.s0 .. dims.s6.
 */
#ifndef CLG_BINOP
#define CLG_BINOP ADD
#endif
#include "prelude.cl"
#define CLG_APPLY(a, b) CLG_CAT(CLG_OP_, CLG_BINOP)(a, b)

#define CLG_OP_ADD(a, b) ((a) + (b))
#define CLG_OP_SUB(a, b) ((a) - (b))
#define CLG_OP_MUL(a, b) ((a) * (b))
#define CLG_OP_DIV(a, b) ((a) / (b))
/* select(b, a, c) takes a where c is true; isnan(a) keeps a NaN a, and a NaN b
   loses every comparison, so it is kept too. Works for float and float4. */
#define CLG_OP_MAX(a, b) select((b), (a), isgreater((a), (b)) | isnan(a))
#define CLG_OP_MIN(a, b) select((b), (a), isless((a), (b)) | isnan(a))

__kernel void binary_same(__global const sreal *a, __global const sreal *restrict b,
                          __global sreal *out, int n)
{
    const int i = (int)get_global_id(0) * 4;
    if (i + 4 <= n) {
        /* float for half data too: select() on halfN takes other masks */
        const float4 x = convert_float4(vload4(0, a + i)), y = convert_float4(vload4(0, b + i));
        VSTORE_REAL(4, convert_real4(CLG_APPLY(x, y)), 0, out + i);
    } else {
        for (int j = i; j < n; j++) {
            const float x = a[j], y = b[j];
            out[j] = (real)CLG_APPLY(x, y);
        }
    }
}

/* Splits the flat index r over dim d of the outer dims, adding to both offsets. */
#define CLG_STEP_DIM(d)                                                                           \
    do {                                                                                          \
        const int idx_ = clg_next_index(&r, dims.d);                                              \
        ia += idx_ * sa.d;                                                                        \
        ib += idx_ * sb.d;                                                                        \
    } while (0)

__kernel void binary_broadcast(__global const sreal *a, __global const sreal *restrict b,
                               __global sreal *out, int8 dims, int8 sa, int8 sb)
{
    const int x = (int)get_global_id(0);
    const int outer = (int)get_global_id(1);
    int r = outer;
    int ia = x * sa.s7, ib = x * sb.s7;
    CLG_STEP_DIM(s6);
    CLG_STEP_DIM(s5);
    CLG_STEP_DIM(s4);
    CLG_STEP_DIM(s3);
    CLG_STEP_DIM(s2);
    CLG_STEP_DIM(s1);
    CLG_STEP_DIM(s0);
    const float va = a[ia], vb = b[ib];
    out[(size_t)outer * dims.s7 + x] = (real)CLG_APPLY(va, vb);
}
