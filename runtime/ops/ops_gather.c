/*
 * Planner for Gather on float data with constant indices (cl/gather.cl).
 * Gathers on int64 shape data never get here: shape inference evaluates
 * them on the host.
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"

clg_status clg_plan_gather(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    const clg_host_ints *idx = &plan->ints[nd->inputs[1]];
    const int axis = plan->resolved[n].axis;
    if (!idx->valid || idx->count > CLG_MAX_RANK)
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "indices must be a constant int64 tensor");
    if (axis < 0 || axis >= x->rank) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "axis out of range");
    if (!clg_shape_fits_int(x) || !clg_shape_fits_int(y))
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const int64_t extent = x->dims[axis];
    cl_int8 index = {{0}};
    for (int j = 0; j < idx->count; j++) {
        const int64_t v = idx->v[j] < 0 ? idx->v[j] + extent : idx->v[j];
        if (v < 0 || v >= extent) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "index out of range");
        index.s[j] = (cl_int)v;
    }
    const size_t outer = clg_shape_product(x, 0, axis), inner = clg_shape_product(x, axis + 1, x->rank);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "gather.cl", NULL, "gather", &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, extent);
    clg_args_int(&kargs, inner);
    clg_args_raw(&kargs, sizeof index, &index);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 3;
    step.global[0] = inner;
    step.global[1] = (size_t)idx->count;
    step.global[2] = outer;
    step.bytes = 2.0 * (double)clg_shape_count(y) * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

clg_status clg_parse_gather(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const axis_keys[] = {"axis", NULL};
    (void)op;
    a->axis = 0;
    CLG_TRY(clg_check_attrs(n, axis_keys));
    return clg_attr_int(n, "axis", -CLG_MAX_RANK, CLG_MAX_RANK, &a->axis);
}

static clg_status infer_gather(const clg_node *nd, const clg_shape *shapes, const clg_host_ints *ints,
                               clg_host_ints *h, clg_shape *out, int *axis)
{
    if (nd->n_inputs < 2 || !clg_host_is(ints, nd->inputs[1]))
        return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "indices must be a constant int64 tensor");
    const clg_shape *x = &shapes[nd->inputs[0]], *ix = &shapes[nd->inputs[1]];
    const clg_host_ints *idx = &ints[nd->inputs[1]];
    *axis = nd->attrs.axis_attr;
    if (x->rank < 1 || !clg_normalise_axis(axis, x->rank, 0)) return clg_shape_fail(nd, CLG_ERR_SHAPE, "axis out of range");
    const int64_t extent = x->dims[*axis];
    for (int i = 0; i < idx->count; i++)
        if (idx->v[i] < -extent || idx->v[i] >= extent) return clg_shape_fail(nd, CLG_ERR_SHAPE, "index out of range");
    if (x->rank - 1 + ix->rank > CLG_MAX_RANK) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "output rank above 8");
    out->rank = 0;
    for (int d = 0; d < x->rank; d++) {
        if (d != *axis) {
            out->dims[out->rank++] = x->dims[d];
            continue;
        }
        for (int k = 0; k < ix->rank; k++) out->dims[out->rank++] = ix->dims[k];
    }
    if (!clg_host_is(ints, nd->inputs[0])) return CLG_OK;
    const clg_host_ints *data = &ints[nd->inputs[0]];
    int64_t v[CLG_MAX_RANK];
    for (int i = 0; i < idx->count; i++) v[i] = data->v[idx->v[i] < 0 ? idx->v[i] + extent : idx->v[i]];
    return clg_host_set(nd, h, out, out->rank, v, idx->count);
}

clg_status clg_shape_gather(clg_shape_node *s)
{
    return infer_gather(s->nd, s->shapes, s->ints, s->h, s->out, &s->r->axis);
}
