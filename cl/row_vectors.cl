/*
 * One vector of XB consecutive outputs along a row: its input samples
 * (stride SW) and its store, for the direct convolutions vectorised over
 * pixels (conv2d.cl, conv_grouped.cl include it, after prelude.cl). The
 * includer defines XB and SW; this file VT (realXB), VLOAD and VSTORE
 * (vloadXB and vstoreXB on private buffers) and GLOAD and GSTORE (on global
 * memory: VLOAD_REAL and VSTORE_REAL), which the includer's kernels use too.
 */
#define VT CLG_CAT(real, XB)
/* Sums are float in half builds too (their vector type and conversions). */
#define ACC_VT CLG_CAT(float, XB)
#define TO_ACC CLG_CAT(convert_float, XB)
#define FROM_ACC CLG_CAT(convert_real, XB)
#define VLOAD CLG_CAT(vload, XB)
#define VSTORE CLG_CAT(vstore, XB)
#define GLOAD(i, p) VLOAD_REAL(XB, i, p)
#define GSTORE(v, i, p) VSTORE_REAL(XB, v, i, p)

/* XB samples row[0], row[SW], ... known to be inside the row (stride 2:
   the even lanes of one double-width load, which reads one column past the
   last sample it keeps). */
static inline VT load_inside(__global const sreal *row)
{
#if SW == 1
    return GLOAD(0, row);
#elif SW == 2 && XB == 4
    return VLOAD_REAL(8, 0, row).even;
#elif SW == 2 && XB == 8
    return VLOAD_REAL(16, 0, row).even;
#else
    real t[XB];
#pragma unroll
    for (int j = 0; j < XB; j++) t[j] = row[j * SW];
    return VLOAD(0, t);
#endif
}

/* XB samples starting at column x of a row of width W, zero outside it. */
static inline VT load_checked(__global const sreal *row, int x, int W)
{
    real t[XB];
#pragma unroll
    for (int j = 0; j < XB; j++) {
        const int xi = x + j * SW;
        t[j] = (xi >= 0 && xi < W) ? row[xi] : 0.0f;
    }
    return VLOAD(0, t);
}

/* Stores r at y, or only its first `count` lanes at a row's tail. */
static inline void store_row(VT r, __global sreal *y, int count)
{
    if (count >= XB) {
        GSTORE(r, 0, y);
    } else {
        real t[XB];
        VSTORE(r, 0, t);
        for (int j = 0; j < count; j++) y[j] = t[j];
    }
}
