/*
 * Winograd F(WM x WM, 3x3) data and output transforms, B^T and A^T, shared
 * by winograd.cl and conv_simt.cl (included; the filter transform G is
 * applied on the host, runtime/ops/winograd_points.c, with the same points).
 *
 * F(4x4, 3x3) interpolates at 0, 1, -1, 1/2, -2 and infinity rather than
 * the usual 0, +-1, +-2: tools/winograd-points.py measures every pair of
 * small fractions for the last two points; this pair gives the smallest
 * float32 error, a third lower than the usual points' and below the direct
 * convolution's (the products are summed over C terms per point instead of
 * 9 C), and a third of their largest error. Every entry of B^T and A^T is a
 * multiple of 1/8, exact in float.
 */
#ifndef WM
#define WM 4
#endif
#define WINO_ALPHA (WM + 2)

#if WM == 4
#define WINO_BT                                                                                   \
    {{1, -1.5f, -2, 1.5f, 1, 0}, {0, -1, 0.5f, 2.5f, 1, 0},   {0, 1, -2.5f, 0.5f, 1, 0},          \
     {0, -2, -1, 2, 1, 0},       {0, 0.5f, -1, -0.5f, 1, 0}, {0, 1, -1.5f, -2, 1.5f, 1}}
#define WINO_AT                                                                                   \
    {{1, 1, 1, 1, 1, 0}, {0, 1, -1, 0.5f, -2, 0}, {0, 1, 1, 0.25f, 4, 0}, {0, 1, -1, 0.125f, -8, 1}}
#elif WM == 2
#define WINO_BT {{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
#define WINO_AT {{1, 1, 1, 0}, {0, 1, -1, -1}}
#else
#error "Winograd: WM must be 2 or 4"
#endif
