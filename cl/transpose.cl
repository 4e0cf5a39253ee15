/*
 * Transpose as a strided copy: the output shape is right-aligned into 8
 * dims (leading 1s) and sx holds, per output dim, the input element stride
 * of the input dim it comes from (perm). One work-item per output element.
 * NDRange: dim 0 = dims.s7 (innermost), dim 1 = the product of dims.s0 ..
 * dims.s6.
 *
 * Takes no -D values.
 */
#include "prelude.cl"

/* Splits the flat index r over dim d of the outer dims, adding to the input offset. */
#define CLG_STEP_DIM(d) (ix += clg_next_index(&r, dims.d) * sx.d)

__kernel void transpose(__global const sreal *restrict x, __global sreal *restrict y, int8 dims,
                        int8 sx)
{
    const int i = (int)get_global_id(0);
    const int outer = (int)get_global_id(1);
    int r = outer;
    int ix = i * sx.s7;
    CLG_STEP_DIM(s6);
    CLG_STEP_DIM(s5);
    CLG_STEP_DIM(s4);
    CLG_STEP_DIM(s3);
    CLG_STEP_DIM(s2);
    CLG_STEP_DIM(s1);
    CLG_STEP_DIM(s0);
    y[(size_t)outer * dims.s7 + i] = x[ix];
}
