/*
 * maxpool_plane: a 2-D max pool over NCHW planes of at most 16 columns, one
 * work-item per plane (CPU family). Each input row is one 16-wide vector
 * (columns past the row are -inf), an output row is the max of its window's
 * rows, and the horizontal window is taken with constant-mask shuffles that
 * put output column ox in lane ox: the whole output row at once. On small
 * maps this replaces maxpool2d_rows' per-row work-items, whose private row
 * buffer and edge handling cost more than the row itself (d2l GoogLeNet's
 * 12x12 and 6x6 pools ran at 4-9 GB/s there).
 *
 * -D values (the window; defaults let the file compile alone):
 *   KH, KW  window (KW <= 16)     SH, SW  strides     PT, PL  top and left pads
 * Arguments: H, W (W <= 16), OH, OW (OW <= 16), and `total`, the input's
 * element count: a row's 16-wide load stays inside it (near the end, the
 * row is read element by element).
 * NDRange: {N * C}.
 */
#ifndef KH
#define KH 3
#endif
#ifndef KW
#define KW 3
#endif
#ifndef SH
#define SH 2
#endif
#ifndef SW
#define SW 2
#endif
#ifndef PT
#define PT 0
#endif
#ifndef PL
#define PL 0
#endif
#include "prelude.cl"

/* Row `off` of the input as 16 lanes, lanes `past` the row -inf. (No
   restrict here: inlined, it makes LLVM emit noalias scope declarations
   that Oclgrind cannot run.) */
static float16 load_row(__global const sreal *in, int off, int W, int total, int16 past)
{
    float16 v;
    if (off + 16 <= total) {
        v = convert_float16(vload16(0, in + off));
    } else {
        float t[16];
        for (int l = 0; l < 16; l++) t[l] = l < W ? (float)in[off + l] : -INFINITY;
        v = vload16(0, t);
    }
    return select(v, (float16)(-INFINITY), past);
}

__kernel void maxpool_plane(__global const sreal *restrict in, __global sreal *restrict out, int H, int W,
                            int OH, int OW, int total)
{
    const int plane = (int)get_global_id(0);
    const int16 lane = (int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    const int16 past = lane >= W;
    const float16 ninf = (float16)(-INFINITY);
    const int src = plane * H * W;
    __global sreal *dst = out + plane * OH * OW;
    for (int oy = 0; oy < OH; oy++) {
        const int y0 = oy * SH - PT;
        float16 m = ninf;
#pragma unroll
        for (int ky = 0; ky < KH; ky++) {
            const int y = y0 + ky;
            if (y >= 0 && y < H) m = max(m, load_row(in, src + y * W, W, total, past));
        }
        /* Lane ox of the kx-th shuffle: column ox * SW - PL + kx, or -inf
           (lane 16, ninf's first) outside the vector; the masks fold to
           constants. `max`, not `fmax`: fmax's NaN rule costs two more
           instructions per use on x86. */
        float16 o = ninf;
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
            const int16 col = lane * SW + (kx - PL);
            const uint16 pick = convert_uint16(select(col, (int16)(16), col < 0 || col > 15));
            o = max(o, shuffle2(m, ninf, pick));
        }
        __global sreal *row = dst + oy * OW;
        if (OW == 16) {
            VSTORE_REAL(16, convert_real16(o), 0, row);
        } else {
            float t[16];
            vstore16(o, 0, t);
            for (int ox = 0; ox < OW; ox++) row[ox] = (real)t[ox];
        }
    }
}
