#ifndef CLG_WINOGRAD_POINTS_H
#define CLG_WINOGRAD_POINTS_H

/*
 * The filter transform of Winograd F(wm x wm, 3x3), wm 2 or 4: u = G g G^T,
 * (wm + 2) x (wm + 2) values row-major, in double precision (rounded once,
 * by the caller, to the float it stores). G uses the interpolation points of
 * cl/winograd_transforms.cl, which holds the matching B^T and A^T.
 */
void clg_winograd_filter(int wm, const float g[9], double *u);

#endif
