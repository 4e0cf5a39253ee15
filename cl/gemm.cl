/*
 * Gemm and MatMul kernels. Large products go to CLBlast's SGEMM; these cover
 * the rest (runtime/ops/ops_gemm.c chooses).
 *
 * gemm_bias_broadcast: writes Gemm's C, unidirectionally broadcast to [M, N],
 * into Y before the product runs with beta, so Y = alpha*op(A)*op(B) + beta*C.
 *   y[m][n] = c[m * stride_m + n * stride_n]
 * A stride of 0 repeats C along that axis (scalar, [N], [M,1], [1,N], [M,N]).
 *
 * -D values: none.
 * NDRange: {N, M}, NULL local size; dimension 0 walks a row of Y.
 */

#include "prelude.cl"
__kernel void gemm_bias_broadcast(__global const sreal *restrict c, __global sreal *restrict y,
                                  int N, int stride_m, int stride_n)
{
    const int n = get_global_id(0);
    const int m = get_global_id(1);
    y[m * N + n] = c[m * stride_m + n * stride_n];
}

/*
 * gemm_rows: Y = alpha * op(A) * op(B) + beta * Y, row-major, for the GEMMs of
 * classifier heads (few rows, K up to a few thousand). Each work-item owns
 * ROWS rows of one output column, so one read of op(B)'s column serves ROWS
 * outputs. With TA=0 and TB=1 (torch's Linear, a Gemm with transB) both
 * operands are contiguous along K and the dot products use float16 loads.
 *   op(A)[m][k] = TA ? a[k * lda + m] : a[m * lda + k]   (from a + a_off)
 *   op(B)[k][n] = TB ? b[n * ldb + k] : b[k * ldb + n]   (from b + b_off)
 * beta == 0 never reads Y (it may hold garbage).
 *
 * -D values: TA, TB (0 or 1); ROWS, rows per work-item (default 4: the host
 * sizes the launch from the same default, runtime/programs/kernel_options.c).
 * NDRange: {N, ceil(M / ROWS)}, NULL local size.
 */
#ifndef TA
#define TA 0
#endif
#ifndef TB
#define TB 0
#endif
#ifndef ROWS
#define ROWS 4
#endif
#define A_AT(m, k) a[(TA) ? (size_t)(k) * lda + (m) : (size_t)(m) * lda + (k)]
#define B_AT(k, n) b[(TB) ? (size_t)(n) * ldb + (k) : (size_t)(k) * ldb + (n)]

__kernel void gemm_rows(__global const sreal *restrict a, int a_off, int lda,
                        __global const sreal *restrict b, int b_off, int ldb,
                        __global sreal *restrict y, int y_off, int ldy,
                        int M, int N, int K, float alpha, float beta)
{
    const int n = get_global_id(0);
    const int m0 = get_global_id(1) * ROWS;
    if (n >= N) return;
    a += a_off;
    b += b_off;
    y += y_off;
    const int rows = min(ROWS, M - m0);
    float acc[ROWS] = {0.0f}; /* the rest zero too */
    int k = 0;
#if !TA && TB
    /* Both rows contiguous along K: float16 partial sums (one cache line a
       load: with float4 the classifier heads ran at a fifth of the memory
       bandwidth on PoCL), then the tail. */
    float16 acc16[ROWS] = {(float16)(0.0f)};
    __global const sreal *bcol = b + (size_t)n * ldb;
    for (; k + 16 <= K; k += 16) {
        /* 1 KB ahead, into the next column's row near the end: each row is
           a page or so, where the hardware prefetcher stops (torchvision
           GoogLeNet's 1024 -> 1000 head at batch 1, PoCL: 0.58 -> 0.46 ms). */
        CLG_PREFETCH(bcol + k + 256);
        const float16 bv = convert_float16(vload16(0, bcol + k));
        for (int r = 0; r < ROWS; r++)
            if (r < rows) acc16[r] = fma(convert_float16(vload16(0, a + (size_t)(m0 + r) * lda + k)), bv, acc16[r]);
    }
    for (int r = 0; r < ROWS; r++) {
        const float8 s8 = acc16[r].lo + acc16[r].hi;
        const float4 s4 = s8.lo + s8.hi;
        acc[r] = (s4.x + s4.y) + (s4.z + s4.w);
    }
#endif
    for (; k < K; k++) {
        const float bv = B_AT(k, n);
        for (int r = 0; r < ROWS; r++)
            if (r < rows) acc[r] += A_AT(m0 + r, k) * bv;
    }
    for (int r = 0; r < rows; r++) {
        __global sreal *out = y + (size_t)(m0 + r) * ldy + n;
        *out = (real)(beta == 0.0f ? alpha * acc[r] : alpha * acc[r] + beta * (float)*out);
    }
}
