/*
 * Planner for Transpose (cl/transpose.cl). PyTorch exports a Linear layer
 * without bias as Transpose of the weight followed by MatMul.
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"

clg_status clg_plan_transpose(clg_plan *plan, int n)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (x->rank != y->rank || x->rank > CLG_MAX_RANK)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output rank differs from input");
    if (!clg_shape_fits_int(x)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    int in_stride[CLG_MAX_RANK];
    for (int d = x->rank - 1, s = 1; d >= 0; d--) {
        in_stride[d] = s;
        s *= (int)x->dims[d];
    }
    cl_int8 dims, sx;
    const int lead = CLG_MAX_RANK - y->rank;
    for (int d = 0; d < CLG_MAX_RANK; d++) {
        dims.s[d] = d < lead ? 1 : (cl_int)y->dims[d - lead];
        sx.s[d] = d < lead ? 0 : in_stride[plan->resolved[n].perm[d - lead]];
    }
    const size_t count = clg_shape_count(y);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "transpose.cl", NULL, "transpose", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_raw(&kargs, sizeof dims, &dims);
    clg_args_raw(&kargs, sizeof sx, &sx);
    clg_status st = clg_args_end(&kargs);
    clg_plan_index_grid(&step, &dims, count);
    step.bytes = 2.0 * (double)count * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

clg_status clg_parse_transpose(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const perm_keys[] = {"perm", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, perm_keys));
    return clg_attr_axes(n, "perm", a);
}

/* Output dims follow perm (default: reversed); perm must be a permutation. */
static clg_status infer_transpose(const clg_node *nd, const clg_shape *x, clg_shape *out, int *perm)
{
    const clg_attrs *at = &nd->attrs;
    if (at->n_axes >= 0 && at->n_axes != x->rank)
        return clg_shape_fail(nd, CLG_ERR_SHAPE, "perm has a different length than the input rank");
    for (int d = 0; d < x->rank; d++) perm[d] = at->n_axes < 0 ? x->rank - 1 - d : at->axes[d];
    int seen[CLG_MAX_RANK] = {0};
    out->rank = x->rank;
    for (int d = 0; d < x->rank; d++) {
        const int p = perm[d];
        if (p < 0 || p >= x->rank || seen[p]++) return clg_shape_fail(nd, CLG_ERR_SHAPE, "perm is not a permutation");
        out->dims[d] = x->dims[p];
    }
    return CLG_OK;
}

clg_status clg_shape_transpose(clg_shape_node *s)
{
    if (s->host_in) return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED, "transposing int64 data is not supported");
    return infer_transpose(s->nd, s->in[0], s->out, s->r->perm);
}
