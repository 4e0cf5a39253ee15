/*
 * Planner for BatchNormalization in inference form (cl/batchnorm.cl). Most
 * models never get here: pass 0 folds a normalisation that follows a Conv
 * into the convolution's weights and bias (runtime/passes/pass_fold_bn.c).
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"

clg_status clg_plan_batchnorm(clg_plan *plan, int n)
{
    const clg_node *nd = CLG_NODE(plan, n);
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (!clg_shape_equal(x, y) || x->rank < 2 || nd->n_inputs != 5)
        return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "needs x [N, C, ...] and four per-channel inputs");
    if (!clg_shape_fits_int(x)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const size_t inner = clg_shape_product(x, 2, x->rank);

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "batchnorm.cl", NULL, "batchnorm", &step));
    cl_kernel k = step.kernel;
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(k);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    for (int i = 1; i < 5; i++) clg_args_mem(&kargs, CLG_IN_BUF(plan, n, i));
    clg_args_float(&kargs, nd->attrs.epsilon);
    clg_args_int(&kargs, inner);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 3;
    step.global[0] = inner;
    step.global[1] = (size_t)x->dims[1];
    step.global[2] = (size_t)x->dims[0];
    step.flops = 2.0 * (double)clg_shape_count(x);
    step.bytes = 2.0 * (double)clg_shape_count(x) * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

clg_status clg_parse_batchnorm(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    static const char *const bn_keys[] = {"epsilon", "momentum", "spatial", "is_test",
                                          "training_mode", "consumed_inputs", NULL};
    int one = 1, zero = 0;
    (void)op;
    CLG_TRY(clg_check_attrs(n, bn_keys));
    CLG_TRY(clg_attr_int(n, "spatial", 1, 1, &one));
    CLG_TRY(clg_attr_int(n, "training_mode", 0, 0, &zero));
    return clg_attr_float(n, "epsilon", &a->epsilon);
}

clg_status clg_shape_batchnorm(clg_shape_node *s)
{
    static const char *const names[] = {"", "scale", "B", "mean", "var"};
    const clg_node *nd = s->nd;
    const clg_shape *x = s->in[0];
    if (x->rank < 2) return clg_shape_fail(nd, CLG_ERR_SHAPE, "input must be [N, C, ...]");
    if (nd->n_inputs != 5) return clg_shape_fail(nd, CLG_ERR_PARSE, "needs 5 inputs");
    for (int i = 1; i < 5; i++) {
        if (nd->inputs[i] < 0) return clg_shape_fail(nd, CLG_ERR_PARSE, "missing input");
        CLG_TRY(clg_shape_check_param(nd, &s->shapes[nd->inputs[i]], x->dims[1], names[i]));
    }
    *s->out = *x;
    return CLG_OK;
}
