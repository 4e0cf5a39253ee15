/*
 * Planner for Cast to FLOAT16 / BFLOAT16 (cl/cast.cl). Values stay float32
 * on the device; the cast rounds them to the smaller type's precision.
 * Casts between float32 and the integer shape types need no device work
 * (a view, or host arithmetic in shape inference).
 */
#include "error.h"
#include "kernel_args.h"
#include "kernels.h"
#include "onnx_attrs.h"
#include "op_table.h"
#include "plan.h"
#include "tensor_io.h"

#define ONNX_FLOAT16 10

clg_status clg_plan_round_float(clg_plan *plan, int n)
{
    const clg_shape *x = CLG_IN_SHAPE(plan, n, 0), *y = CLG_OUT_SHAPE(plan, n);
    if (!clg_shape_equal(x, y)) return clg_plan_node_fail(plan, n, CLG_ERR_SHAPE, "output shape differs from input");
    if (!clg_shape_fits_int(y)) return clg_plan_node_fail(plan, n, CLG_ERR_UNSUPPORTED, "tensor too large");
    const size_t count = clg_shape_count(y);
    const char *kernel = CLG_NODE(plan, n)->attrs.cast_to == ONNX_FLOAT16 ? "round_to_half" : "round_to_bfloat16";

    clg_step step;
    CLG_TRY(clg_plan_kernel_step(plan, n, "cast.cl", NULL, kernel, &step));
    cl_mem in = CLG_IN_BUF(plan, n, 0), out = CLG_OUT_BUF(plan, n);
    clg_args kargs = clg_args_begin(step.kernel);
    clg_args_mem(&kargs, in);
    clg_args_mem(&kargs, out);
    clg_args_int(&kargs, count);
    clg_status st = clg_args_end(&kargs);
    step.work_dim = 1;
    step.global[0] = count;
    step.bytes = 2.0 * (double)count * (double)clg_context_element_bytes(plan->ctx);
    return clg_plan_finish_step(plan, &step, st);
}

/* ---- Import and shapes -------------------------------------------------- */

/*
 * Cast: float to float is a view, int64 to int64 / int32 host data; a cast
 * to FLOAT16 or BFLOAT16 becomes ROUND_FLOAT, whose values are held in
 * float32, rounded to the type's precision.
 */
clg_status clg_parse_cast(const clg_onnx_node *n, clg_op_type *op, clg_attrs *a)
{
    /* round_mode (opset 24) applies to float8 e8m0 targets only; checked, then unused */
    static const char *const cast_keys[] = {"to", "saturate", "round_mode", NULL};
    static const char *const round_modes[] = {"up", "down", "nearest", NULL};
    CLG_TRY(clg_check_attrs(n, cast_keys));
    CLG_TRY(clg_attr_word(n, "round_mode", round_modes));
    if (!clg_attr_find(n, "to")) return clg_node_error(n, CLG_ERR_PARSE, "missing attribute '%s'", "to");
    CLG_TRY(clg_attr_int(n, "to", 0, 64, &a->cast_to));
    if (a->cast_to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && a->cast_to != ONNX__TENSOR_PROTO__DATA_TYPE__INT64 &&
        a->cast_to != ONNX__TENSOR_PROTO__DATA_TYPE__INT32 && a->cast_to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 &&
        a->cast_to != ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16)
        return clg_node_error(n, CLG_ERR_UNSUPPORTED, "casting to %s is not supported", clg_onnx_type_name(a->cast_to));
    if (a->cast_to == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16 || a->cast_to == ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16)
        *op = CLG_OP_ROUND_FLOAT;
    return CLG_OK;
}

clg_status clg_shape_cast(clg_shape_node *s)
{
    if (s->host_in != (s->nd->attrs.cast_to != 1))
        return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED,
                              "only float to float and int64 to int64/int32 casts are supported");
    if (s->host_in) *s->h = s->ints[s->nd->inputs[0]];
    *s->out = *s->in[0];
    return CLG_OK;
}

clg_status clg_shape_round_float(clg_shape_node *s)
{
    if (s->host_in)
        return clg_shape_fail(s->nd, CLG_ERR_UNSUPPORTED, "casting int64 data to a float type is not supported");
    *s->out = *s->in[0];
    return CLG_OK;
}
