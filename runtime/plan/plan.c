#include "plan.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_data.h"
#include "error.h"
#include "kernels.h"
#include "mem_budget.h"
#include "passes.h"
#include "planner.h"

cl_mem clg_plan_create_buffer(clg_plan *plan, cl_mem_flags flags, size_t size, void *host_ptr, cl_int *err)
{
    if (!plan->dry) return clCreateBuffer(plan->ctx->context, flags, size, host_ptr, err);
    if (!plan->stand_in) {
        plan->stand_in = clCreateBuffer(plan->ctx->context, CL_MEM_READ_WRITE, sizeof(float), NULL, err);
        if (*err != CL_SUCCESS) return plan->stand_in = NULL;
    }
    clRetainMemObject(plan->stand_in);
    *err = CL_SUCCESS;
    return plan->stand_in;
}

static cl_mem typed_buffer(clg_plan *plan, cl_mem_flags flags, const float *data, size_t count, int half,
                           cl_int *err)
{
    cl_mem m = plan->dry ? clg_plan_create_buffer(plan, flags, 0, NULL, err)
                         : clg_buffer_of_elements(plan->ctx, flags, data, count, half, err);
    if (*err == CL_SUCCESS) plan->buffer_bytes += (count ? count : 1) * (half ? 2 : 4);
    return m;
}

cl_mem clg_plan_float_buffer(clg_plan *plan, cl_mem_flags flags, const float *data, size_t count, cl_int *err)
{
    return typed_buffer(plan, flags, data, count, clg_context_half(plan->ctx), err);
}

cl_mem clg_plan_compute_buffer(clg_plan *plan, cl_mem_flags flags, const float *data, size_t count, cl_int *err)
{
    return typed_buffer(plan, flags, data, count, clg_context_half_arithmetic(plan->ctx), err);
}

/* Releases what a step that is not added owns. */
static void release_step(const clg_step *step)
{
    if (step->kernel) clReleaseKernel(step->kernel);
    for (int j = 0; j < 2; j++)
        if (step->owned[j]) clReleaseMemObject(step->owned[j]);
}

clg_status clg_plan_add_step(clg_plan *plan, const clg_step *step)
{
    if (step->kind == CLG_STEP_KERNEL) {
        for (cl_uint d = 0; d < step->work_dim; d++)
            if (step->global[d] == 0) { /* empty tensor: nothing to launch */
                release_step(step);
                return CLG_OK;
            }
    }
    if (plan->n_steps == plan->cap_steps) {
        size_t ncap = plan->cap_steps ? plan->cap_steps * 2 : 64;
        clg_step *p = realloc(plan->steps, ncap * sizeof *p);
        if (!p) {
            release_step(step);
            return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory planning");
        }
        plan->steps = p;
        plan->cap_steps = ncap;
    }
    plan->steps[plan->n_steps++] = *step;
    return CLG_OK;
}

clg_status clg_plan_kernel_step(clg_plan *plan, int node, const char *file, const char *options,
                                const char *kernel_name, clg_step *step)
{
    memset(step, 0, sizeof *step);
    step->kind = CLG_STEP_KERNEL;
    step->node = node;
    snprintf(step->variant, sizeof step->variant, "%s", kernel_name);
    snprintf(step->program, sizeof step->program, "%s", file);
    snprintf(step->options, sizeof step->options, "%s", options ? options : "");
    if (plan->dry) {
        const clg_node *nd = &plan->graph->nodes[node];
        char user[320];
        snprintf(user, sizeof user, "node '%.200s' (%s)", nd->name, clg_op_name(nd->op));
        return clg_program_list_add(plan->dry, file, options, user);
    }
    clg_status st = clg_kernel_create(plan->ctx, file, options, kernel_name, &step->kernel);
    if (st != CLG_OK) {
        const clg_node *nd = &plan->graph->nodes[node];
        return clg_fail_node_context(st, nd->name, clg_op_name(nd->op));
    }
    return CLG_OK;
}

clg_status clg_plan_node_fail(const clg_plan *plan, int n, clg_status st, const char *what)
{
    const clg_node *nd = &plan->graph->nodes[n];
    return clg_fail_node(st, nd->name, clg_op_name(nd->op), "%s", what);
}

int clg_shape_fits_int(const clg_shape *s)
{
    size_t count;
    return clg_dims_count(s->rank, s->dims, &count) && count <= INT_MAX;
}

size_t clg_plan_group_limit(const clg_plan *plan, cl_kernel kernel, size_t item_sizes[3])
{
    size_t limit = 0;
    if (!kernel ||
        clGetKernelWorkGroupInfo(kernel, plan->ctx->device, CL_KERNEL_WORK_GROUP_SIZE, sizeof limit,
                                 &limit, NULL) != CL_SUCCESS || limit == 0)
        limit = 64;
    size_t sizes[3] = {0, 0, 0};
    if (clGetDeviceInfo(plan->ctx->device, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof sizes, sizes,
                        NULL) != CL_SUCCESS)
        sizes[0] = sizes[1] = sizes[2] = 0; /* unknown: the group limit alone */
    for (int d = 0; d < 3; d++) item_sizes[d] = sizes[d] && sizes[d] < limit ? sizes[d] : limit;
    return limit;
}

/*
 * Vector width (4, 8 or 16) for `len` outputs along the unit-stride axis: the
 * widest one that wastes at most a quarter of the lanes on the last block.
 */
int clg_plan_vector_width(int64_t len, int widest)
{
    for (int v = widest; v > 4; v /= 2) {
        int64_t padded = (len + v - 1) / v * v;
        if (padded * 4 <= len * 5) return v;
    }
    return 4;
}

/*
 * Work-groups of one row of dimension 0 (local = {global[0], 1, 1}): PoCL's
 * own choice for a NULL local size packs small launches into one or two
 * work-groups, which leaves a core idle; rows give every launch
 * global[1] * global[2] groups, each a few heavy work-items. A row longer
 * than the kernel's work-group limit (large batches; GPUs allow 256 to 1024)
 * is split into equal parts: the largest divisor of global[0] that fits.
 */
void clg_plan_row_groups(const clg_plan *plan, clg_step *step)
{
    clg_plan_row_groups_of_at_most(plan, step, SIZE_MAX);
}

void clg_plan_row_groups_of_at_most(const clg_plan *plan, clg_step *step, size_t most)
{
    clg_plan_row_groups_in_units(plan, step, 1, most);
}

void clg_plan_row_groups_in_units(const clg_plan *plan, clg_step *step, size_t unit, size_t most)
{
    size_t item_sizes[3];
    clg_plan_group_limit(plan, step->kernel, item_sizes);
    const size_t limit = item_sizes[0] < most ? item_sizes[0] : most;
    const size_t row = step->global[0] ? step->global[0] : 1;
    size_t local = (row < limit ? row : limit) / unit * unit;
    while (local >= unit && row % local != 0) local -= unit;
    step->use_local = local >= unit;
    step->local[0] = local;
    step->local[1] = 1;
    step->local[2] = 1;
}

void clg_plan_index_grid(clg_step *step, const cl_int8 *dims, size_t count)
{
    step->work_dim = 2;
    step->global[0] = (size_t)dims->s[CLG_MAX_RANK - 1];
    step->global[1] = step->global[0] ? count / step->global[0] : 0;
}

clg_status clg_plan_finish_step(clg_plan *plan, clg_step *step, clg_status args)
{
    if (args != CLG_OK) {
        release_step(step);
        return args;
    }
    return clg_plan_add_step(plan, step);
}

/*
 * Queues a plan spreads its branches over: the count asked for the context,
 * else all the context made (the device table's batch-1 count) when the
 * first input's leading dimension is 1, else one.
 */
static int plan_queue_count(const clg_context *ctx, const clg_graph *g, const clg_shape *input_shapes)
{
    if (ctx->queues_asked) return ctx->n_queues;
    const int batch1 = g->n_inputs > 0 && input_shapes[0].rank > 0 && input_shapes[0].dims[0] == 1;
    return batch1 ? ctx->n_queues : 1;
}

/*
 * Spreads independent branches over the plan's queues: a node continues
 * on the queue of an input it alone reads (a chain stays on one queue); any
 * other node, such as each branch head of an Inception block, takes the next
 * queue in turn. Dependencies across queues are events (scheduler.c).
 */
static void assign_queues(clg_plan *plan)
{
    const clg_graph *g = plan->graph;
    int next = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        const clg_node *nd = &g->nodes[plan->order[k]];
        int q = -1;
        for (int i = 0; q < 0 && i < nd->n_inputs; i++) {
            int v = nd->inputs[i];
            if (v >= 0 && g->values[v].producer >= 0 && clg_graph_reader_count(g, v) == 1)
                q = plan->queue_of[g->values[v].producer];
        }
        if (q < 0) q = next++ % plan->n_queues;
        plan->queue_of[plan->order[k]] = q;
    }
}

/* A plan for g with its per-value and per-node arrays, or NULL (out of memory). */
static clg_plan *plan_alloc(clg_context *ctx, const clg_graph *g, clg_program_list *dry)
{
    clg_plan *plan = calloc(1, sizeof *plan);
    if (!plan) return NULL;
    plan->ctx = ctx;
    plan->dry = dry;
    plan->graph = g;
    size_t nv = g->n_values ? g->n_values : 1, nn = g->n_nodes ? g->n_nodes : 1;
    plan->order = malloc(nn * sizeof(int));
    plan->shapes = calloc(nv, sizeof(clg_shape));
    plan->ints = calloc(nv, sizeof(clg_host_ints));
    plan->windows = calloc(nn, sizeof(clg_window));
    plan->resolved = calloc(nn, sizeof(clg_resolved));
    plan->buffers = calloc(nv, sizeof(cl_mem));
    plan->placement = calloc(nv, sizeof(clg_placement));
    plan->queue_of = calloc(nn, sizeof(int));
    if (!plan->order || !plan->shapes || !plan->ints || !plan->windows || !plan->resolved || !plan->buffers || !plan->placement ||
        !plan->queue_of) {
        clg_plan_destroy(plan);
        return NULL;
    }
    return plan;
}

/* Shapes of every value (only float graph outputs), and each value's own placement. */
static clg_status plan_shapes(clg_plan *plan, const clg_shape *input_shapes)
{
    const clg_graph *g = plan->graph;
    CLG_TRY(clg_shape_infer(g, input_shapes, plan->order, plan->shapes, plan->windows, plan->resolved, plan->ints));
    for (size_t i = 0; i < g->n_outputs; i++)
        if (plan->ints[g->outputs[i]].valid)
            return clg_fail(CLG_ERR_UNSUPPORTED, "graph output '%s' is int64 data; only float outputs are supported",
                            g->values[g->outputs[i]].name);
    for (size_t v = 0; v < g->n_values; v++) {
        const clg_shape *s = &plan->shapes[v];
        size_t count = clg_shape_count(s);
        plan->placement[v].into = -1;
        plan->placement[v].image_stride = s->rank >= 1 && s->dims[0] > 0 ? count / (size_t)s->dims[0] : count;
    }
    return CLG_OK;
}

/* Every view whose output is not host int64 data needs a float buffer to view. */
static clg_status check_views(const clg_plan *plan)
{
    const clg_graph *g = plan->graph;
    for (size_t k = 0; k < g->n_nodes; k++) {
        const clg_node *nd = &g->nodes[plan->order[k]];
        if (clg_op_def_of(nd->op)->is_view && !plan->buffers[nd->output] && !plan->ints[nd->output].valid)
            return clg_fail_node(CLG_ERR_UNSUPPORTED, nd->name, clg_op_name(nd->op), "input has no float data");
    }
    return CLG_OK;
}

/* 3. Steps, in topological order. */
static clg_status plan_steps(clg_plan *plan)
{
    const clg_graph *g = plan->graph;
    for (size_t k = 0; k < g->n_nodes; k++) {
        const int n = plan->order[k];
        const clg_node *nd = &g->nodes[n];
        if (plan->ints[nd->output].valid) continue; /* computed while planning */
        const clg_op_def *def = clg_op_def_of(nd->op);
        for (int i = 0; i < nd->n_inputs; i++)
            if (nd->inputs[i] >= 0 && !plan->buffers[nd->inputs[i]] && !(i < 32 && (def->host_inputs >> i) & 1))
                return clg_fail_node(CLG_ERR_UNSUPPORTED, nd->name, clg_op_name(nd->op), "input '%s' is not float data",
                                     g->values[nd->inputs[i]].name);
        clg_status st = def->plan ? def->plan(plan, n) : CLG_OK; /* views and host ops: no steps */
        /* A failure deep in a planner (a kernel argument, a buffer) still names the node. */
        if (st != CLG_OK && !*clg_last_error_node())
            st = clg_fail_node_context(st, nd->name, clg_op_name(nd->op));
        if (st != CLG_OK) return st;
    }
    return CLG_OK;
}

static clg_status plan_build(clg_context *ctx, const clg_graph *g, const int *order, cl_mem *weights,
                            const clg_shape *input_shapes, clg_program_list *dry, clg_plan **out)
{
    *out = NULL;
    clg_plan *plan = plan_alloc(ctx, g, dry);
    if (!plan) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory planning");
    memcpy(plan->order, order, g->n_nodes * sizeof(int));
    plan->conv_depth = clg_graph_conv_depth(g, order);
    clg_status st = plan_shapes(plan, input_shapes);
    if (st == CLG_OK && clg_context_pass_enabled(ctx, CLG_PASS_PLACE_CONCAT)) clg_pass_place_concat_inputs(plan);

    plan->n_queues = plan_queue_count(ctx, g, input_shapes);
    if (st == CLG_OK) assign_queues(plan);
    /* Buffers: inputs own theirs, weights are the model's, the rest is pooled (pass 5).
       Pooling relies on one in-order queue, so several queues get one buffer each. */
    if (st == CLG_OK) st = clg_plan_allocate(plan, weights, clg_context_pass_enabled(ctx, CLG_PASS_MEMORY_PLAN) && plan->n_queues == 1);
    if (st == CLG_OK) st = check_views(plan);
    if (st == CLG_OK) st = plan_steps(plan);
    if (st != CLG_OK) {
        clg_plan_destroy(plan);
        return st;
    }
    *out = plan;
    return CLG_OK;
}

/* "input 'x' (1, 1, 8192, 8192), ..." for messages. */
static void describe_inputs(const clg_graph *g, const clg_shape *shapes, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < g->n_inputs && used + 64 < size; i++) {
        const clg_shape *s = &shapes[i];
        used += (size_t)snprintf(buf + used, size - used, "%sinput '%.100s' (", i ? ", " : "",
                                 g->values[g->inputs[i]].name);
        for (int d = 0; d < s->rank && used + 24 < size; d++)
            used += (size_t)snprintf(buf + used, size - used, "%s%lld", d ? ", " : "", (long long)s->dims[d]);
        if (used + 2 < size) used += (size_t)snprintf(buf + used, size - used, "%s)", s->rank == 1 ? "," : "");
    }
}

/* The dry pass's total, and the host tensors the outputs will need, against the budget. */
static clg_status check_budget(const clg_plan *dry, const clg_shape *input_shapes, const char *what,
                               uint64_t held)
{
    const clg_graph *g = dry->graph;
    char inputs[512], where[800];
    describe_inputs(g, input_shapes, inputs, sizeof inputs);
    snprintf(where, sizeof where, "%s: %s", what ? what : "model", inputs);
    for (size_t i = 0; i < g->n_outputs; i++) {
        size_t count = clg_shape_count(&dry->shapes[g->outputs[i]]);
        if (count > CLG_TENSOR_MAX_ELEMENTS)
            return clg_fail(CLG_ERR_OUT_OF_MEMORY, "%s: output '%s' would have %zu elements, more than a host "
                            "tensor may hold (%zu); nothing was allocated", where, g->values[g->outputs[i]].name,
                            count, (size_t)CLG_TENSOR_MAX_ELEMENTS);
    }
    return clg_memory_budget_check(dry->ctx, dry->buffer_bytes, held, where);
}

/*
 * Every plan starts with a dry pass that makes no buffers (each is counted
 * and stood in for, clg_plan_create_buffer) and no kernels: its total must
 * fit the memory budget before anything is allocated. For the first plan of
 * a context it also lists the kernel variants the plan needs, so that each
 * cl file is built once (kernels.h, program batching). Its errors are the
 * real pass's errors, so they are returned as they are.
 */
clg_status clg_plan_create(clg_context *ctx, const clg_graph *g, const int *order, cl_mem *weights,
                           const clg_shape *input_shapes, const char *what, uint64_t held,
                           clg_plan **out)
{
    *out = NULL;
    clg_program_list wanted = {NULL, 0, 0};
    clg_plan *dry = NULL;
    clg_status st = plan_build(ctx, g, order, weights, input_shapes, &wanted, &dry);
    if (st == CLG_OK) st = check_budget(dry, input_shapes, what, held);
    clg_plan_destroy(dry);
    if (st == CLG_OK && clg_program_cache_builds(ctx) == 0) st = clg_programs_prebuild(ctx, &wanted);
    clg_program_list_free(&wanted);
    if (st != CLG_OK) return st;
    return plan_build(ctx, g, order, weights, input_shapes, NULL, out);
}

void clg_plan_destroy(clg_plan *plan)
{
    if (!plan) return;
    for (size_t i = 0; i < plan->n_steps; i++) {
        if (plan->steps[i].kernel) clReleaseKernel(plan->steps[i].kernel);
        for (int j = 0; j < 2; j++)
            if (plan->steps[i].owned[j]) clReleaseMemObject(plan->steps[i].owned[j]);
    }
    if (plan->buffers)
        for (size_t v = 0; v < plan->graph->n_values; v++)
            if (plan->buffers[v]) clReleaseMemObject(plan->buffers[v]);
    if (plan->stand_in) clReleaseMemObject(plan->stand_in);
    free(plan->steps);
    free(plan->buffers);
    free(plan->placement);
    free(plan->queue_of);
    free(plan->windows);
    free(plan->resolved);
    free(plan->shapes);
    free(plan->ints);
    free(plan->order);
    free(plan);
}
