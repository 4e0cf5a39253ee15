#!/usr/bin/python3
"""Winograd F(m x m, 3x3) transforms for chosen interpolation points, and their
float32 error, to pick the points the runtime uses.

For n = m + 2 points (n - 1 finite points and infinity) the Toom-Cook
construction gives A^T (m x n) and G (n x 3) as Vandermonde evaluations
(infinity takes the leading coefficient), and B^T (n x n) is the unique
matrix that makes y = A^T [(G g G^T) . (B^T d B)] A a correlation of d with
g; it is solved for exactly (sympy rationals). The Lagrange denominators sit
in G, which the runtime applies in double precision on the host, so B^T and
A^T stay multiples of 1/8 (exact in float) for the points below.

The error of one convolution is measured as the runtime computes it: the
input transform, the per-point products summed over C channels one after the
other, and the output transform, all in float32; U = G g G^T rounded to
float32 from float64, as runtime/ops/ops_conv.c does. Inputs are ReLU
activations (|N(0,1)|), weights He-normal; the reference is float64 direct
correlation. Prints the relative RMS and max error (against the RMS of the
output) per point set.

usage: tools/winograd-points.py [--m 4] [--channels 384] [--tiles 4096] [--seed 1]
"""
import argparse
import itertools
from fractions import Fraction

import numpy as np
import sympy


def transforms(points, m, r=3):
    """A^T, G, B^T (sympy matrices) for the finite points plus infinity."""
    n = m + r - 1
    assert len(points) == n - 1
    pts = [sympy.Rational(Fraction(p)) for p in points]

    def vander(rows):
        mat = sympy.zeros(n, rows)
        for j, a in enumerate(pts):
            for i in range(rows):
                mat[j, i] = a ** i
        mat[n - 1, rows - 1] = 1
        return mat

    AT = vander(m).T
    G = vander(r)
    # the Lagrange denominators go into G, as in Lavin and Gray
    for j, a in enumerate(pts):
        f = sympy.prod([a - b for k, b in enumerate(pts) if k != j])
        G[j, :] = G[j, :] / f
    BT = sympy.Matrix(sympy.MatrixSymbol("B", n, n))
    eqs = []
    for i in range(m):
        for k in range(r):
            for l in range(n):
                s = sum(AT[i, j] * G[j, k] * BT[j, l] for j in range(n))
                eqs.append(s - (1 if l == i + k else 0))
    sol = sympy.solve(eqs, list(BT), dict=True)
    assert len(sol) == 1, "points give no unique B^T"
    BT = BT.subs(sol[0])
    return AT, G, BT


def as_array(mat):
    return np.array(mat.tolist(), dtype=np.float64)


def winograd_error(AT, G, BT, m, C, tiles, rng):
    n = m + 2
    at, g64, bt = as_array(AT), as_array(G), as_array(BT)
    d = np.abs(rng.standard_normal((C, tiles, n, n)))
    w = rng.standard_normal((C, 3, 3)) * np.sqrt(2.0 / (9 * C))
    ref = np.zeros((tiles, m, m))
    for y in range(m):
        for x in range(m):
            ref[:, y, x] = np.einsum("ctij,cij->t", d[:, :, y:y + 3, x:x + 3], w)
    U = np.einsum("ij,cjk,lk->cil", g64, w, g64).astype(np.float32)
    d32 = d.astype(np.float32)
    bt32, at32 = bt.astype(np.float32), at.astype(np.float32)
    V = np.einsum("ij,ctjk->ctik", bt32, d32, dtype=np.float32)
    V = np.einsum("ctik,lk->ctil", V, bt32, dtype=np.float32)
    M = np.zeros((tiles, n, n), dtype=np.float32)
    for c in range(C):  # one channel after the other, as the kernel sums
        M = (M + U[c][None] * V[c]).astype(np.float32)
    Y = np.einsum("ij,tjk->tik", at32, M, dtype=np.float32)
    Y = np.einsum("tik,lk->til", Y, at32, dtype=np.float32)
    err = Y.astype(np.float64) - ref
    rms = np.sqrt(np.mean(ref ** 2))
    return np.sqrt(np.mean(err ** 2)) / rms, np.max(np.abs(err)) / rms


def direct_error(C, tiles, m, rng):
    d = np.abs(rng.standard_normal((C, tiles, m + 2, m + 2)))
    w = rng.standard_normal((C, 3, 3)) * np.sqrt(2.0 / (9 * C))
    ref = np.einsum("ctij,cij->t", d[:, :, :3, :3], w)
    acc = np.zeros(tiles, dtype=np.float32)
    d32, w32 = d.astype(np.float32), w.astype(np.float32)
    for c in range(C):
        for i, j in itertools.product(range(3), range(3)):
            acc = (acc + d32[c, :, i, j] * w32[c, i, j]).astype(np.float32)
    err = acc.astype(np.float64) - ref
    rms = np.sqrt(np.mean(ref ** 2))
    return np.sqrt(np.mean(err ** 2)) / rms, np.max(np.abs(err)) / rms


CANDIDATES = {
    4: [
        ("0 1 -1 2 -2 (Lavin)", [0, 1, -1, 2, -2]),
        ("0 1 -1 1/2 -1/2", [0, 1, -1, "1/2", "-1/2"]),
        ("0 1 -1 1/2 -2 (the runtime's)", [0, 1, -1, "1/2", -2]),
        ("0 1 -1 2 -1/2", [0, 1, -1, 2, "-1/2"]),
        ("0 -1 1 1/2 -3", [0, -1, 1, "1/2", -3]),
        ("0 1 -1 3/2 -3/2", [0, 1, -1, "3/2", "-3/2"]),
    ],
    2: [("0 1 -1", [0, 1, -1]), ("0 1/2 -1/2", [0, "1/2", "-1/2"])],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--m", type=int, default=4, choices=[2, 4])
    ap.add_argument("--channels", type=int, default=384)
    ap.add_argument("--tiles", type=int, default=2048)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--show", action="store_true", help="print the matrices")
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    rms, mx = direct_error(args.channels, args.tiles, args.m, rng)
    print(f"{'direct (sequential fma order)':32s} rms {rms:.3e}  max {mx:.3e}")
    for name, pts in CANDIDATES[args.m]:
        AT, G, BT = transforms(pts, args.m)
        rng = np.random.default_rng(args.seed)
        rms, mx = winograd_error(AT, G, BT, args.m, args.channels, args.tiles, rng)
        print(f"{name:32s} rms {rms:.3e}  max {mx:.3e}")
        if args.show:
            print("  AT", AT.tolist(), "\n  G", G.tolist(), "\n  BT", BT.tolist())


if __name__ == "__main__":
    main()
