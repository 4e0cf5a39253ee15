/*
 * Stores for work-items that hold output pixels as 16-channel vectors, one
 * vector per pixel (conv2d.cl's kvec_tile, winograd.cl's wino_output; after
 * prelude.cl). Neighbouring pixels of one row are transposed with
 * two-source shuffles so that each channel's pixels go out as one vector
 * store, not one scalar store (and a reload from private memory) each.
 * y is channel 0's first pixel; channel l's row starts at y + l * plane.
 * Float data only: Intel's compiler made half16 shuffles slow (conv2d.cl).
 */
#define CHANNEL_PAIRS_LO ((uint16)(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23))
#define CHANNEL_PAIRS_HI (CHANNEL_PAIRS_LO + (uint16)(8))
#define CHANNEL_QUADS_LO ((uint16)(0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23))
#define CHANNEL_QUADS_HI (CHANNEL_QUADS_LO + (uint16)(8))

/* Two pixels: lanes 2l, 2l + 1 of the shuffles are channel l's (or 8 + l's) pair. */
static inline void store_channel_rows2(float16 a, float16 b, __global float *y, int plane)
{
    const float16 lo = shuffle2(a, b, CHANNEL_PAIRS_LO);
    const float16 hi = shuffle2(a, b, CHANNEL_PAIRS_HI);
    vstore2(lo.s01, 0, y), vstore2(lo.s23, 0, y + plane), vstore2(lo.s45, 0, y + 2 * plane);
    vstore2(lo.s67, 0, y + 3 * plane), vstore2(lo.s89, 0, y + 4 * plane);
    vstore2(lo.sab, 0, y + 5 * plane), vstore2(lo.scd, 0, y + 6 * plane);
    vstore2(lo.sef, 0, y + 7 * plane);
    y += 8 * plane;
    vstore2(hi.s01, 0, y), vstore2(hi.s23, 0, y + plane), vstore2(hi.s45, 0, y + 2 * plane);
    vstore2(hi.s67, 0, y + 3 * plane), vstore2(hi.s89, 0, y + 4 * plane);
    vstore2(hi.sab, 0, y + 5 * plane), vstore2(hi.scd, 0, y + 6 * plane);
    vstore2(hi.sef, 0, y + 7 * plane);
}

/* Four pixels: pairs of (a, b) and of (c, d), then pairs of pairs; quads[g]
   holds channels 4g .. 4g + 3, four pixels each (8 shuffles, 16 stores). */
static inline void store_channel_rows4(float16 a, float16 b, float16 c, float16 d, __global float *y, int plane)
{
    const float16 ab_lo = shuffle2(a, b, CHANNEL_PAIRS_LO), cd_lo = shuffle2(c, d, CHANNEL_PAIRS_LO);
    const float16 ab_hi = shuffle2(a, b, CHANNEL_PAIRS_HI), cd_hi = shuffle2(c, d, CHANNEL_PAIRS_HI);
    float16 quads[4];
    quads[0] = shuffle2(ab_lo, cd_lo, CHANNEL_QUADS_LO);
    quads[1] = shuffle2(ab_lo, cd_lo, CHANNEL_QUADS_HI);
    quads[2] = shuffle2(ab_hi, cd_hi, CHANNEL_QUADS_LO);
    quads[3] = shuffle2(ab_hi, cd_hi, CHANNEL_QUADS_HI);
#pragma unroll
    for (int g = 0; g < 4; g++) {
        __global float *yg = y + 4 * g * plane;
        vstore4(quads[g].s0123, 0, yg);
        vstore4(quads[g].s4567, 0, yg + plane);
        vstore4(quads[g].s89ab, 0, yg + 2 * plane);
        vstore4(quads[g].scdef, 0, yg + 3 * plane);
    }
}
