#include "winograd_points.h"

/* F(4x4, 3x3) at 0, 1, -1, 1/2, -2 and infinity (see cl/winograd_transforms.cl). */
static const double G4[6][3] = {{1, 0, 0},
                                {1.0 / 3, 1.0 / 3, 1.0 / 3},
                                {-1.0 / 3, 1.0 / 3, -1.0 / 3},
                                {-16.0 / 15, -8.0 / 15, -4.0 / 15},
                                {1.0 / 15, -2.0 / 15, 4.0 / 15},
                                {0, 0, 1}};
/* F(2x2, 3x3) at 0, 1, -1 and infinity. */
static const double G2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};

void clg_winograd_filter(int wm, const float g[9], double *u)
{
    const double(*G)[3] = wm == 4 ? G4 : G2;
    const int A = wm + 2;
    double gg[6][3]; /* G g */
    for (int i = 0; i < A; i++)
        for (int j = 0; j < 3; j++) {
            double acc = 0;
            for (int l = 0; l < 3; l++) acc += G[i][l] * g[l * 3 + j];
            gg[i][j] = acc;
        }
    for (int i = 0; i < A; i++)
        for (int j = 0; j < A; j++) {
            double acc = 0;
            for (int l = 0; l < 3; l++) acc += gg[i][l] * G[j][l];
            u[i * A + j] = acc;
        }
}

int clg_winograd_default_tile(long long oh, long long ow, int conv_depth)
{
    if (oh >= 12 && ow >= 12) return conv_depth > CLG_WINOGRAD_DEEP ? 2 : 4;
    return oh >= 6 && ow >= 6 ? 2 : 0;
}
