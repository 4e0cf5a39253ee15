/*
 * Pointwise (1x1, stride 1, unpadded) convolution with one output pixel per
 * work-item, for CPU drivers that vectorise across work-items (Intel's OpenCL
 * CPU runtime): written as scalar code, neighbouring work-items' pixels
 * become the lanes of one vector register. In half that is 32 lanes per
 * AVX-512 register, where conv2d.cl's half16 vectors fill half of one
 * (Intel's runtime, d2l GoogLeNet at batch 32: its 1x1 groups on 12x12 maps
 * 1.74 -> 0.82 and 3.44 -> 1.65 ms against conv2d_kvec in half).
 *
 *   out[n][k][p] = sum_c w[k][c] * in[n][c][p] (+ bias[k]) (then ReLU),
 *   p the pixel of the H * W = P plane.
 *
 * A work-item holds KB sums, one per output channel of its block; a weight
 * is the same for every work-item of the block (a broadcast from memory,
 * folded into the multiply-add on AVX-512) and a channel's input samples
 * lie side by side (one vector load). Products are summed in `real` within
 * blocks of CBLK input channels (half's FMA rate), the blocks' totals in
 * float, as conv2d_kvec does.
 *
 * Weights come re-laid once at plan time (runtime/ops/ops_conv.c) as
 * wt[K / KB][C][KB], K padded with zero filters to a multiple of KB, and bias
 * padded the same way (zeros when the node has none).
 *
 * -D values (all optional; the defaults let the file compile alone):
 *   KB        output channels per work-item, 1..32 (default 16)
 *   CBLK      input channels a `real` partial sum covers (default 32)
 *   LANES     0, or the sub-group size Intel's compiler is asked to vectorise
 *             to (intel_reqd_sub_group_size: 32 for half, 16 for float)
 *   HAS_BIAS  1: add bias[k]; 0: the bias argument is not read (may be NULL)
 *   RELU      1: ReLU fused into the epilogue
 *
 * NDRange: {P rounded up to the work-group size, 1, N * kblocks}; work-items
 * past P read nothing and store nothing. Output (n, k, p) goes to
 * out[out_offset + n * out_image_stride + k * P + p]: plain NCHW, or a
 * channel slice of a concatenated tensor.
 */
#ifndef KB
#define KB 16
#endif
#ifndef CBLK
#define CBLK 32
#endif
#ifndef LANES
#define LANES 0
#endif
#ifndef HAS_BIAS
#define HAS_BIAS 0
#endif
#ifndef RELU
#define RELU 0
#endif
#include "prelude.cl"

#if LANES
#define LANES_ATTRIBUTE __attribute__((intel_reqd_sub_group_size(LANES)))
#else
#define LANES_ATTRIBUTE
#endif

/* Output channels kb_out * KB.. (weights block kb_w) of image n. Offsets are
   int (the host keeps every buffer below INT_MAX elements) and indexed from
   the kernel's arguments: a pointer moved by the work-item's pixel hid from
   Intel's compiler that neighbouring work-items read neighbouring samples
   (gathers: 5x slower in a test kernel). */
static inline void lanes_tile(__global const sreal *restrict in, __global const sreal *restrict wt,
                              __global const sreal *restrict bias, __global sreal *restrict out, int C,
                              int P, int K, int n, int kb_w, int kb_out, int out_offset, int out_image_stride)
{
    const int p = get_global_id(0);
    const int live = p < P;
    float total[KB];
#pragma unroll
    for (int j = 0; j < KB; j++) total[j] = HAS_BIAS ? (float)bias[kb_w * KB + j] : 0.0f;

    const int first = n * C * P + p; /* channel 0's sample */
    const int w_first = kb_w * C * KB;
    for (int c0 = 0; c0 < C; c0 += CBLK) {
        real acc[KB];
#pragma unroll
        for (int j = 0; j < KB; j++) acc[j] = (real)0.0f;
        const int c_end = min(C, c0 + CBLK);
        for (int c = c0; c < c_end; c++) {
            const real x = live ? in[first + c * P] : (real)0.0f;
#pragma unroll
            for (int j = 0; j < KB; j++) acc[j] = MADD(x, (real)wt[w_first + c * KB + j], acc[j]);
        }
#pragma unroll
        for (int j = 0; j < KB; j++) total[j] += (float)acc[j];
    }

    if (!live) return;
    const int y = out_offset + n * out_image_stride + kb_out * KB * P + p;
#pragma unroll
    for (int j = 0; j < KB; j++) {
        if (kb_out * KB + j >= K) break;
        out[y + j * P] = (real)(RELU ? fmax(total[j], 0.0f) : total[j]);
    }
}

LANES_ATTRIBUTE
__kernel void conv_lanes(__global const sreal *restrict in, __global const sreal *restrict wt,
                         __global const sreal *restrict bias, __global sreal *restrict out, int C, int P,
                         int K, int kblocks, int out_offset, int out_image_stride)
{
    const int n = get_global_id(2) / kblocks;
    const int kb = get_global_id(2) - n * kblocks;
    lanes_tile(in, wt, bias, out, C, P, K, n, kb, kb, out_offset, out_image_stride);
}

/*
 * Pass 3's horizontal fusion (as conv2d_kvec_split, cl/conv2d.cl): up to
 * three 1x1 convolutions of one input, weights concatenated (K and K2 padded
 * with zero filters to multiples of KB), one launch, each output with its own
 * placement. With two, out3 is unused (K3 = 0).
 */
LANES_ATTRIBUTE
__kernel void conv_lanes_split(__global const sreal *restrict in, __global const sreal *restrict wt,
                               __global const sreal *restrict bias, __global sreal *out, int C, int P, int K,
                               int kblocks, int out_offset, int out_image_stride, __global sreal *out2, int K2, int out_offset2,
                               int out_image_stride2, __global sreal *out3, int K3, int out_offset3,
                               int out_image_stride3)
{
    const int n = get_global_id(2) / kblocks;
    const int kb = get_global_id(2) - n * kblocks;
    const int kb2 = (K + KB - 1) / KB, kb3 = kb2 + (K2 + KB - 1) / KB; /* padded to whole blocks */
    __global sreal *dst = out;
    int k_dst = K, kb_dst = kb, offset = out_offset, stride = out_image_stride;
    if (kb >= kb3) {
        dst = out3, k_dst = K3, kb_dst = kb - kb3, offset = out_offset3, stride = out_image_stride3;
    } else if (kb >= kb2) {
        dst = out2, k_dst = K2, kb_dst = kb - kb2, offset = out_offset2, stride = out_image_stride2;
    }
    lanes_tile(in, wt, bias, dst, C, P, k_dst, n, kb, kb_dst, offset, stride);
}
