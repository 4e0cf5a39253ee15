/* Planners for MaxPool, AveragePool and GlobalAveragePool (cl/pool.cl, cl/maxpool_plane.cl). */
#include <limits.h>

#include "error.h"
#include "kernel_args.h"
#include "kernel_options.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "ops_conv_simt.h"
#include "plan.h"

/* Checks the input/output shapes a 2-D pool needs. */
static clg_status check_pool_shapes(const clg_plan *plan, int n, const clg_shape *x,
                                    const clg_shape *y)
{
    if (x->rank != 4 || y->rank != 4)
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "pooling needs NCHW (rank 4) tensors");
    if (x->dims[0] != y->dims[0] || x->dims[1] != y->dims[1])
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output batch/channels differ from the input");
    if (!clg_shape_fits_int(x) || !clg_shape_fits_int(y))
        return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large for the pool kernels");
    return CLG_OK;
}

static clg_status check_window(const clg_plan *plan, int n, const clg_window *w)
{
    if (w->kernel[0] < 1 || w->kernel[1] < 1 || w->stride[0] < 1 || w->stride[1] < 1)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "kernel and strides must be >= 1");
    for (int i = 0; i < 4; i++)
        if (w->pads[i] < 0) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "negative pads");
    return CLG_OK;
}

/* maxpool2d_rows' limits (cl/pool.cl's POOL_ROW_MAX and POOL_EDGE). */
#define POOL_ROW_MAX 256
#define POOL_EDGE 8

/* Max pools at stride 1 or 2 (every GoogLeNet pool) on rows wider than 16
   columns (narrower ones take maxpool_plane, below) take maxpool2d_rows, one
   work-item per output row, in the CPU family: on a GPU its private row
   buffer would live in scratch memory, and maxpool2d's four outputs per
   work-item suit the hardware. */
static int rows_kernel_fits(const clg_plan *plan, const clg_shape *x, const clg_window *w)
{
    clg_kernel_family family;
    if (clg_kernel_family_get(plan->ctx, &family) != CLG_OK || family != CLG_FAMILY_CPU) return 0;
    return (w->stride[1] == 1 || w->stride[1] == 2) && x->dims[3] <= POOL_ROW_MAX && w->kernel[1] <= POOL_EDGE &&
           w->pads[1] <= POOL_EDGE && w->pads[3] <= POOL_EDGE;
}

/* A 2-D pool step's counts for the trace: a compare or add per window
   position, the input read and the output written once. */
static void pool_costs(const clg_plan *plan, const clg_shape *x, const clg_shape *y, const clg_window *w,
                       clg_step *step)
{
    step->flops = (double)clg_shape_count(y) * w->kernel[0] * w->kernel[1];
    step->bytes = ((double)clg_shape_count(x) + (double)clg_shape_count(y)) * (double)clg_context_element_bytes(plan->ctx);
}

/* Max pools on planes of at most 16 columns take maxpool_plane
   (cl/maxpool_plane.cl), one work-item per plane, in the CPU family (its
   vectors of 16 columns would be per-thread registers on a GPU). */
static int plane_kernel_fits(const clg_plan *plan, const clg_shape *x, const clg_shape *y, const clg_window *w)
{
    clg_kernel_family family;
    if (clg_kernel_family_get(plan->ctx, &family) != CLG_OK || family != CLG_FAMILY_CPU) return 0;
    return x->dims[3] <= 16 && y->dims[3] <= 16 && w->kernel[1] <= 16 && w->pads[1] <= 15;
}

static clg_status plan_maxpool_plane(clg_plan *plan, int n, const clg_shape *x, const clg_shape *y,
                                     const clg_window *w)
{
    clg_options o = clg_options_begin(&clg_kernel_maxpool_plane);
    clg_options_set(&o, "KH", w->kernel[0]);
    clg_options_set(&o, "KW", w->kernel[1]);
    clg_options_set(&o, "SH", w->stride[0]);
    clg_options_set(&o, "SW", w->stride[1]);
    clg_options_set(&o, "PT", w->pads[0]);
    clg_options_set(&o, "PL", w->pads[1]);
    CLG_TRY(clg_options_end(&o));
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, o.desc->file, o.text, "maxpool_plane", &step));
    const int args[] = {(int)x->dims[2], (int)x->dims[3], (int)y->dims[2], (int)y->dims[3],
                        (int)clg_shape_count(x)};
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, CLG_IN_BUF(plan, n, 0));
    clg_args_mem(&kargs, CLG_OUT_BUF(plan, n));
    clg_args_ints(&kargs, args, 5);
    const clg_status st = clg_args_end(&kargs);
    step.work_dim = 1;
    step.global[0] = (size_t)(y->dims[0] * y->dims[1]);
    /* Groups of up to 16 planes: PoCL's own choice for a 1-D range of a
       few hundred items can be one group, one thread. */
    clg_plan_row_groups_of_at_most(plan, &step, 16);
    pool_costs(plan, x, y, w, &step);
    return clg_plan_finish_step(plan, &step, st);
}

/* Shared by max and average pooling: the two kernels start with the same arguments. */
static clg_status plan_pool2d(clg_plan *plan, int n, int is_max)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    const clg_window *w = &plan->windows[n];
    CLG_TRY(check_pool_shapes(plan, n, x, y));
    CLG_TRY(check_window(plan, n, w));
    if (is_max && plane_kernel_fits(plan, x, y, w)) return plan_maxpool_plane(plan, n, x, y, w);

    const int rows = is_max && rows_kernel_fits(plan, x, w);
    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "pool.cl", NULL,
                                 rows ? "maxpool2d_rows" : is_max ? "maxpool2d" : "avgpool2d", &step));
    cl_kernel k = step.kernel;
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    const int args[] = {(int)x->dims[2], (int)x->dims[3], (int)y->dims[2], (int)y->dims[3],
                        w->kernel[0], w->kernel[1], w->stride[0], w->stride[1],
                        w->pads[0], w->pads[1], w->pads[2], w->pads[3],
                        CLG_NODE(plan, n)->attrs.win.count_include_pad ? 1 : 0};
    /* maxpool2d stops after the begin pads; avgpool2d also takes end pads and the mode. */
    const cl_uint n_args = is_max ? 10 : 13;
    clg_args kargs = clg_args_begin(k);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_ints(&kargs, args, n_args);
    clg_status st = clg_args_end(&kargs);

    if (rows) {
        step.work_dim = 2;
        step.global[0] = (size_t)y->dims[2];
        step.global[1] = (size_t)(y->dims[0] * y->dims[1]);
        /* PoCL's own local size for this shape is often a row or two per group, and
           dispatching a group costs more than a row's work: about 64 rows per group
           (measured fastest at batch 32), whole planes, within the device's limits. */
        size_t item_sizes[3];
        const size_t limit = clg_plan_group_limit(plan, step.kernel, item_sizes);
        if (step.global[0] <= item_sizes[0] && step.global[0] <= limit) {
            size_t planes = 64 / step.global[0] ? 64 / step.global[0] : 1;
            if (planes > limit / step.global[0]) planes = limit / step.global[0];
            if (planes > item_sizes[1]) planes = item_sizes[1];
            if (planes > step.global[1]) planes = step.global[1];
            while (step.global[1] % planes) planes--;
            step.use_local = 1;
            step.local[0] = step.global[0];
            step.local[1] = planes;
            step.local[2] = 1;
        }
    } else {
        step.work_dim = 3;
        step.global[0] = (size_t)(y->dims[3] + 3) / 4;
        step.global[1] = (size_t)y->dims[2];
        step.global[2] = (size_t)(y->dims[0] * y->dims[1]);
    }
    pool_costs(plan, x, y, w, &step);
    return clg_plan_finish_step(plan, &step, st);
}

clg_status clg_plan_maxpool(clg_plan *plan, int n) { return plan_pool2d(plan, n, 1); }

clg_status clg_plan_avgpool(clg_plan *plan, int n) { return plan_pool2d(plan, n, 0); }

clg_status clg_plan_global_avgpool(clg_plan *plan, int n)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    CLG_TRY(check_pool_shapes(plan, n, x, y));
    if (y->dims[2] != 1 || y->dims[3] != 1)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output must be NxCx1x1");

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "pool.cl", NULL, "global_avgpool", &step));
    cl_kernel k = step.kernel;
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(k);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, x->dims[2] * x->dims[3]);
    clg_status st = clg_args_end(&kargs);

    step.work_dim = 1;
    step.global[0] = (size_t)(x->dims[0] * x->dims[1]);
    step.flops = (double)clg_shape_count(x);
    step.bytes = ((double)clg_shape_count(x) + (double)clg_shape_count(y)) * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

clg_status clg_parse_maxpool(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const maxpool_keys[] = {"kernel_shape", "strides", "pads", "dilations", "auto_pad",
                                               "ceil_mode", "storage_order", NULL};
    int zero = 0;
    (void)op;
    CLG_TRY(clg_check_attrs(n, maxpool_keys));
    CLG_TRY(clg_attr_int(n, "ceil_mode", 0, 1, &a->win.ceil_mode));
    CLG_TRY(clg_attr_int(n, "storage_order", 0, 0, &zero));
    CLG_TRY(clg_optional_output_unread(n, 1, "Indices"));
    return clg_window_attrs(n, &a->win, 1, 1);
}

clg_status clg_parse_avgpool(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    /* dilations from opset 19 (only 1 is supported, as for MaxPool) */
    static const char *const avgpool_keys[] = {"kernel_shape", "strides", "pads", "auto_pad", "ceil_mode",
                                               "count_include_pad", "dilations", NULL};
    (void)op;
    CLG_TRY(clg_check_attrs(n, avgpool_keys));
    CLG_TRY(clg_attr_int(n, "ceil_mode", 0, 1, &a->win.ceil_mode));
    CLG_TRY(clg_attr_int(n, "count_include_pad", 0, 1, &a->win.count_include_pad));
    return clg_window_attrs(n, &a->win, 1, 1);
}

clg_status clg_shape_pool(clg_shape_node *s)
{
    const clg_node *nd = s->nd;
    const clg_shape *x = s->in[0];
    if (x->rank != 4) return clg_shape_fail(nd, CLG_ERR_UNSUPPORTED, "only 2-D pooling (NCHW input) is supported");
    int64_t oh, ow;
    CLG_TRY(clg_shape_window(nd, x, nd->attrs.win.kernel[0], nd->attrs.win.kernel[1], s->win, &oh, &ow));
    *s->out = (clg_shape){4, {x->dims[0], x->dims[1], oh, ow}};
    return CLG_OK;
}

clg_status clg_shape_global_pool(clg_shape_node *s)
{
    if (s->in[0]->rank != 4) return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED, "only NCHW input is supported");
    *s->out = (clg_shape){4, {s->in[0]->dims[0], s->in[0]->dims[1], 1, 1}};
    return CLG_OK;
}
