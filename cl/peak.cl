/*
 * FMA throughput probe: each work-item runs ITERS rounds of fused
 * multiply-adds on ACC independent float16 accumulators (independent chains
 * hide FMA latency). FLOPs per work-item: ITERS * ACC * 16 lanes * 2.
 * -D values: ITERS (default 4096).
 */
#ifndef ITERS
#define ITERS 4096
#endif

__kernel void fma_peak(__global float *out, float a, float b)
{
    float x0 = (float)get_global_id(0) * 1e-6f;
    float16 acc0 = (float16)(x0), acc1 = acc0 + 1.0f, acc2 = acc0 + 2.0f, acc3 = acc0 + 3.0f;
    float16 acc4 = acc0 + 4.0f, acc5 = acc0 + 5.0f, acc6 = acc0 + 6.0f, acc7 = acc0 + 7.0f;
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
    float16 s = acc0 + acc1 + acc2 + acc3 + acc4 + acc5 + acc6 + acc7;
    /* Stored so the compiler cannot drop the loop. */
    out[get_global_id(0)] = s.s0 + s.s1 + s.s2 + s.s3 + s.s4 + s.s5 + s.s6 + s.s7 + s.s8 + s.s9 + s.sa + s.sb + s.sc + s.sd + s.se + s.sf;
}
