/*
 * FMA throughput probe: each work-item runs ITERS rounds of fused
 * multiply-adds on 8 independent accumulators of VW lanes (independent chains
 * hide FMA latency). VW is the device's SIMD width: 8 float16 accumulators
 * are 16 AVX2 registers, which with the two operands spilled and measured
 * half the peak. FLOPs per work-item: ITERS * 8 * VW * 2.
 * -D values: ITERS (default 4096), VW (4, 8 or 16; default 16).
 */
#ifndef ITERS
#define ITERS 4096
#endif
#ifndef VW
#define VW 16
#endif
#define VEC_OF(n) float##n
#define VEC(n) VEC_OF(n)
typedef VEC(VW) vec;

__kernel void fma_peak(__global float *out, float a, float b)
{
    float x0 = (float)get_global_id(0) * 1e-6f;
    vec acc0 = (vec)(x0), acc1 = acc0 + 1.0f, acc2 = acc0 + 2.0f, acc3 = acc0 + 3.0f;
    vec acc4 = acc0 + 4.0f, acc5 = acc0 + 5.0f, acc6 = acc0 + 6.0f, acc7 = acc0 + 7.0f;
    for (int i = 0; i < ITERS; i++) {
        acc0 = fma(acc0, a, b);
        acc1 = fma(acc1, a, b);
        acc2 = fma(acc2, a, b);
        acc3 = fma(acc3, a, b);
        acc4 = fma(acc4, a, b);
        acc5 = fma(acc5, a, b);
        acc6 = fma(acc6, a, b);
        acc7 = fma(acc7, a, b);
    }
    union {
        vec v;
        float f[VW];
    } sum;
    sum.v = acc0 + acc1 + acc2 + acc3 + acc4 + acc5 + acc6 + acc7;
    float s = 0.0f;
    for (int l = 0; l < VW; l++) s += sum.f[l];
    /* Stored so the compiler cannot drop the loop. */
    out[get_global_id(0)] = s;
}
