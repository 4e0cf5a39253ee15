/*
 * Binary elementwise ops.
 *
 * add_same: both inputs have the output's shape. Each work-item adds 4
 * floats (float4 with a scalar tail). NDRange: dim 0 = ceil(n / 4).
 *
 * add_broadcast: NumPy multidirectional broadcasting. The output shape is
 * right-aligned into 8 dims (leading 1s); sa / sb hold each input's element
 * strides per output dim, 0 where that input is broadcast. One work-item per
 * output element. NDRange: dim 0 = dims.s7 (innermost, unit stride in the
 * output), dim 1 = the product of dims.s0 .. dims.s6.
 *
 * Takes no -D values.
 */
__kernel void add_same(__global const float *restrict a, __global const float *restrict b,
                       __global float *restrict out, int n)
{
    const int i = (int)get_global_id(0) * 4;
    if (i + 4 <= n) {
        vstore4(vload4(0, a + i) + vload4(0, b + i), 0, out + i);
    } else {
        for (int j = i; j < n; j++) out[j] = a[j] + b[j];
    }
}

/* Splits the flat index r over dim d of the outer dims, adding to both offsets. */
#define CLG_STEP_DIM(d)                                                                           \
    do {                                                                                          \
        const int idx_ = r % dims.d;                                                              \
        r /= dims.d;                                                                              \
        ia += idx_ * sa.d;                                                                        \
        ib += idx_ * sb.d;                                                                        \
    } while (0)

__kernel void add_broadcast(__global const float *restrict a, __global const float *restrict b,
                            __global float *restrict out, int8 dims, int8 sa, int8 sb)
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
    out[(size_t)outer * dims.s7 + x] = a[ia] + b[ib];
}
