/*
 * Helpers around the CLBlast SGEMM that computes Gemm and MatMul.
 *
 * gemm_bias_broadcast: writes Gemm's C, unidirectionally broadcast to [M, N],
 * into Y before SGEMM runs with beta, so Y = alpha*op(A)*op(B) + beta*C.
 *   y[m][n] = c[m * stride_m + n * stride_n]
 * A stride of 0 repeats C along that axis (scalar, [N], [M,1], [1,N], [M,N]).
 *
 * -D values: none.
 * NDRange: {N, M}, NULL local size; dimension 0 walks a row of Y.
 */
__kernel void gemm_bias_broadcast(__global const float *restrict c, __global float *restrict y,
                                  int N, int stride_m, int stride_n)
{
    const int n = get_global_id(0);
    const int m = get_global_id(1);
    y[m * N + n] = c[m * stride_m + n * stride_n];
}
