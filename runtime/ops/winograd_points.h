#ifndef CLG_WINOGRAD_POINTS_H
#define CLG_WINOGRAD_POINTS_H

/*
 * The filter transform of Winograd F(wm x wm, 3x3), wm 2 or 4: u = G g G^T,
 * (wm + 2) x (wm + 2) values row-major, in double precision (rounded once,
 * by the caller, to the float it stores). G uses the interpolation points of
 * cl/winograd_transforms.cl, which holds the matching B^T and A^T.
 */
void clg_winograd_filter(int wm, const float g[9], double *u);

/*
 * The default Winograd tile (4, 2, or 0 for none) of a 3x3 stride-1
 * convolution with an oh x ow output, in a network with conv_depth
 * convolutions on its longest path: F(4x4) from 12x12 maps, F(2x2) from 6x6
 * (the faster choice on each, measured on PoCL); networks deeper than
 * CLG_WINOGRAD_DEEP take F(2x2) throughout, whose error is below ONNX
 * Runtime's on Inception-v3 and v4 where F(4x4)'s is 10-25% above it.
 */
#define CLG_WINOGRAD_DEEP 40
int clg_winograd_default_tile(long long oh, long long ow, int conv_depth);

#endif
