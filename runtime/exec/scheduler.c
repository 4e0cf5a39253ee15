/*
 * Scheduler: enqueues a plan on the context's in-order queues (one unless
 * CLGOOGLENET_QUEUES asks for more; plan.c assigns a queue per node). Each
 * step waits on the events that produce its inputs, which is what orders
 * work across queues.
 */
#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_data.h"
#include "error.h"
#include "plan.h"
#include "planner.h"
#include "trace.h"

typedef struct pending_record {
    clg_trace_event info;
    cl_event event;
} pending_record;

typedef struct run_state {
    clg_plan *plan;
    cl_event *value_event; /* per value: the event after which it is ready */
    clg_trace *trace;      /* NULL unless tracing */
    pending_record *records;
    size_t n_records, cap_records;
} run_state;

/* Keeps ev (retained) with its description until the run has finished. */
static clg_status record(run_state *rs, const clg_trace_event *info, cl_event ev)
{
    if (!rs->trace || !ev) return CLG_OK;
    if (rs->n_records == rs->cap_records) {
        size_t ncap = rs->cap_records ? rs->cap_records * 2 : 128;
        pending_record *p = realloc(rs->records, ncap * sizeof *p);
        if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory tracing");
        rs->records = p;
        rs->cap_records = ncap;
    }
    clRetainEvent(ev);
    rs->records[rs->n_records].info = *info;
    rs->records[rs->n_records++].event = ev;
    return CLG_OK;
}

static clg_status record_transfer(run_state *rs, const char *op, const char *call, int value, size_t bytes,
                                  cl_event ev)
{
    if (!rs->trace) return CLG_OK;
    clg_trace_event info;
    memset(&info, 0, sizeof info);
    snprintf(info.name, sizeof info.name, "%s", rs->plan->graph->values[value].name);
    snprintf(info.op, sizeof info.op, "%s", op);
    snprintf(info.variant, sizeof info.variant, "%s", call);
    info.bytes = (double)bytes;
    return record(rs, &info, ev);
}

static void set_event(cl_event *slot, cl_event ev)
{
    if (*slot) clReleaseEvent(*slot);
    *slot = ev;
}

static clg_status write_inputs(run_state *rs, const clg_tensor *const *inputs)
{
    const clg_graph *g = rs->plan->graph;
    for (size_t i = 0; i < g->n_inputs; i++) {
        int v = g->inputs[i];
        size_t count = clg_shape_count(&rs->plan->shapes[v]);
        if (count == 0) continue;
        cl_event ev;
        cl_int err = clg_write_floats(rs->plan->ctx, rs->plan->ctx->queue, rs->plan->buffers[v], inputs[i]->data,
                                      count, &ev);
        if (err != CL_SUCCESS) return clg_cl_fail(err, "clEnqueueWriteBuffer", g->values[v].name);
        set_event(&rs->value_event[v], ev);
        CLG_TRY(record_transfer(rs, "write", "clEnqueueWriteBuffer", v,
                                count * clg_context_element_bytes(rs->plan->ctx), ev));
    }
    return CLG_OK;
}

static clg_status record_step(run_state *rs, clg_step *s, cl_event ev)
{
    if (!rs->trace) return CLG_OK;
    const clg_node *nd = &rs->plan->graph->nodes[s->node];
    clg_trace_event info;
    memset(&info, 0, sizeof info);
    snprintf(info.name, sizeof info.name, "%s", nd->name);
    snprintf(info.op, sizeof info.op, "%s", clg_op_name(nd->op));
    snprintf(info.variant, sizeof info.variant, "%s", s->kind == CLG_STEP_SGEMM ? "CLBlastSgemm" : s->variant);
    snprintf(info.program, sizeof info.program, "%s", s->kind == CLG_STEP_SGEMM ? "" : s->program);
    snprintf(info.options, sizeof info.options, "%s", s->kind == CLG_STEP_SGEMM ? "" : s->options);
    if (s->kind != CLG_STEP_SGEMM && s->kernel &&
        clGetKernelInfo(s->kernel, CL_KERNEL_FUNCTION_NAME, sizeof info.kernel - 1, info.kernel, NULL) == CL_SUCCESS) {
        /* Programs batched from several variants rename kernels NAME__vN (kernels.c). */
        char *suffix = strstr(info.kernel, "__v");
        if (suffix) *suffix = '\0';
    } else {
        info.kernel[0] = '\0';
    }
    info.work_dim = s->work_dim;
    memcpy(info.global, s->global, sizeof info.global);
    memcpy(info.local, s->local, sizeof info.local);
    info.use_local = s->use_local;
    info.flops = s->flops;
    info.bytes = s->bytes;
    info.first_launch = !s->launched;
    info.lane = rs->plan->queue_of[s->node];
    return record(rs, &info, ev);
}

static clg_status enqueue_step(run_state *rs, const clg_step *s, cl_event after, cl_event *done)
{
    const clg_graph *g = rs->plan->graph;
    const clg_node *nd = &g->nodes[s->node];
    cl_event wait[CLG_MAX_NODE_INPUTS + 1];
    cl_uint n_wait = 0;
    for (int i = 0; i < nd->n_inputs; i++)
        if (nd->inputs[i] >= 0 && rs->value_event[nd->inputs[i]])
            wait[n_wait++] = rs->value_event[nd->inputs[i]];
    if (after) wait[n_wait++] = after;
    cl_command_queue queue = rs->plan->ctx->queues[rs->plan->queue_of[s->node]];

    if (s->kind == CLG_STEP_KERNEL) {
        cl_int err = clEnqueueNDRangeKernel(queue, s->kernel, s->work_dim, NULL,
                                            s->global, s->use_local ? s->local : NULL, n_wait,
                                            n_wait ? wait : NULL, done);
        if (err != CL_SUCCESS)
            return clg_fail_node(CLG_ERR_OPENCL, nd->name, clg_op_name(nd->op), "clEnqueueNDRangeKernel(%s) failed: %s",
                                 s->variant, clg_cl_error_name(err));
        return CLG_OK;
    }
    /* CLBlast takes no wait list: a marker holds this in-order queue until the inputs are ready. */
    if (n_wait) {
        cl_int err = clEnqueueMarkerWithWaitList(queue, n_wait, wait, NULL);
        if (err != CL_SUCCESS)
            return clg_fail_node(CLG_ERR_OPENCL, nd->name, clg_op_name(nd->op),
                                 "clEnqueueMarkerWithWaitList failed: %s", clg_cl_error_name(err));
    }
    const clg_gemm_args *a = &s->gemm;
    CLBlastStatusCode code = CLBlastSgemm(
        CLBlastLayoutRowMajor, a->trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
        a->trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, a->m, a->n, a->k, a->alpha, a->a,
        a->a_offset, a->lda, a->b, a->b_offset, a->ldb, a->beta, a->c, a->c_offset, a->ldc, &queue,
        done);
    if (code != CLBlastSuccess)
        return clg_fail_node(CLG_ERR_OPENCL, nd->name, clg_op_name(nd->op), "CLBlastSgemm failed with status %d%s%s",
                             (int)code, code > -1000 ? ": " : "",
                        code > -1000 ? clg_cl_error_name((int)code) : "");
    return CLG_OK;
}

/*
 * A node without steps (a view, or a concat whose inputs were all written in
 * place) is ready when all of its inputs are: one input's event is reused,
 * several are joined by a marker.
 */
static clg_status join_inputs(run_state *rs, int node)
{
    const clg_node *nd = &rs->plan->graph->nodes[node];
    cl_event wait[CLG_MAX_NODE_INPUTS];
    cl_uint n_wait = 0;
    for (int i = 0; i < nd->n_inputs; i++)
        if (nd->inputs[i] >= 0 && rs->value_event[nd->inputs[i]]) wait[n_wait++] = rs->value_event[nd->inputs[i]];
    if (n_wait == 0) return CLG_OK;
    if (n_wait == 1) {
        clRetainEvent(wait[0]);
        set_event(&rs->value_event[nd->output], wait[0]);
        return CLG_OK;
    }
    cl_event ev;
    cl_int err = clEnqueueMarkerWithWaitList(rs->plan->ctx->queues[rs->plan->queue_of[node]], n_wait, wait, &ev);
    if (err != CL_SUCCESS)
        return clg_fail_node(CLG_ERR_OPENCL, nd->name, clg_op_name(nd->op),
                             "clEnqueueMarkerWithWaitList failed: %s", clg_cl_error_name(err));
    set_event(&rs->value_event[nd->output], ev);
    return CLG_OK;
}

static clg_status enqueue_all(run_state *rs)
{
    clg_plan *plan = rs->plan;
    const clg_graph *g = plan->graph;
    size_t s = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        int n = plan->order[k];
        const clg_node *nd = &g->nodes[n];
        cl_event last = NULL;
        /* Steps of one node are contiguous and in plan order. */
        for (; s < plan->n_steps && plan->steps[s].node == n; s++) {
            cl_event ev = NULL;
            clg_status st = enqueue_step(rs, &plan->steps[s], last, &ev);
            if (last) clReleaseEvent(last);
            if (st == CLG_OK) st = record_step(rs, &plan->steps[s], ev);
            plan->steps[s].launched = 1;
            if (st != CLG_OK) {
                if (ev) clReleaseEvent(ev);
                return st;
            }
            last = ev;
        }
        if (last) {
            set_event(&rs->value_event[nd->output], last);
        } else {
            CLG_TRY(join_inputs(rs, n));
        }
    }
    return CLG_OK;
}

/* Into new tensors, or into the caller's (into: their shapes were checked). */
static clg_status read_outputs(run_state *rs, clg_tensor **outputs, int into)
{
    const clg_plan *plan = rs->plan;
    const clg_graph *g = plan->graph;
    for (size_t i = 0; i < g->n_outputs; i++) {
        int v = g->outputs[i];
        const clg_shape *sh = &plan->shapes[v];
        clg_tensor *t = outputs[i];
        if (!into) {
            CLG_TRY(clg_tensor_create(sh->rank, sh->dims, &t));
            outputs[i] = t;
        }
        size_t count = clg_tensor_element_count(t);
        if (count == 0) continue;
        if (g->values[v].kind == CLG_VALUE_INITIALIZER && g->values[v].data) {
            memcpy(t->data, g->values[v].data, count * sizeof(float));
            continue;
        }
        cl_event *ev = &rs->value_event[v], done = NULL;
        cl_int err = clg_read_floats(plan->ctx, plan->ctx->queue, plan->buffers[v], t->data, count, *ev ? 1 : 0,
                                     *ev ? ev : NULL, rs->trace ? &done : NULL);
        if (err != CL_SUCCESS) return clg_cl_fail(err, "clEnqueueReadBuffer", g->values[v].name);
        clg_status st = record_transfer(rs, "read", "clEnqueueReadBuffer", v,
                                        count * clg_context_element_bytes(plan->ctx), done);
        if (done) clReleaseEvent(done);
        CLG_TRY(st);
    }
    return CLG_OK;
}

static clg_status schedule(clg_plan *plan, const clg_tensor *const *inputs, clg_tensor **outputs, int into,
                           clg_trace *trace)
{
    const clg_graph *g = plan->graph;
    run_state rs = {plan, calloc(g->n_values ? g->n_values : 1, sizeof(cl_event)), trace, NULL, 0, 0};
    if (!rs.value_event) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory running");
    if (!into)
        for (size_t i = 0; i < g->n_outputs; i++) outputs[i] = NULL;

    clg_status st = write_inputs(&rs, inputs);
    if (st == CLG_OK) st = enqueue_all(&rs);
    /* A command that waits on another queue's event runs only once that
       queue has submitted the event's command, which the application must
       see to (clFlush): rusticl submits nothing before a flush, and the
       first clFinish below waited forever on the others' events. */
    for (int q = 0; st == CLG_OK && plan->n_queues > 1 && q < plan->n_queues; q++) {
        cl_int err = clFlush(plan->ctx->queues[q]);
        if (err != CL_SUCCESS) st = clg_cl_fail(err, "clFlush", NULL);
    }
    /* Wait in clFinish before the blocking reads: Intel's CPU runtime runs
       commands on the waiting thread too inside clFinish, but not while a
       blocking read waits (one core of two then did all the work). */
    for (int q = 0; st == CLG_OK && q < plan->n_queues; q++) {
        cl_int err = clFinish(plan->ctx->queues[q]);
        if (err != CL_SUCCESS) st = clg_cl_fail(err, "clFinish", NULL);
    }
    if (st == CLG_OK) st = read_outputs(&rs, outputs, into);
    /* Whatever happened, nothing may still reference the caller's memory. */
    for (int q = 0; q < plan->n_queues; q++) {
        cl_int err = clFinish(plan->ctx->queues[q]);
        if (st == CLG_OK && err != CL_SUCCESS) st = clg_cl_fail(err, "clFinish", NULL);
    }
    for (size_t v = 0; v < g->n_values; v++)
        if (rs.value_event[v]) clReleaseEvent(rs.value_event[v]);
    free(rs.value_event);
    /* Timestamps are read only now, once every command has completed. */
    if (trace) clg_trace_begin_run(trace, plan->ctx->info.device_name);
    for (size_t i = 0; i < rs.n_records; i++) {
        if (st == CLG_OK) st = clg_trace_add(trace, &rs.records[i].info, rs.records[i].event);
        clReleaseEvent(rs.records[i].event);
    }
    free(rs.records);
    if (st != CLG_OK && !into)
        for (size_t i = 0; i < g->n_outputs; i++) {
            clg_tensor_destroy(outputs[i]);
            outputs[i] = NULL;
        }
    return st;
}

clg_status clg_schedule_run(clg_plan *plan, const clg_tensor *const *inputs, clg_tensor **outputs,
                            clg_trace *trace)
{
    return schedule(plan, inputs, outputs, 0, trace);
}

clg_status clg_schedule_run_into(clg_plan *plan, const clg_tensor *const *inputs, clg_tensor *const *outputs,
                                 clg_trace *trace)
{
    return schedule(plan, inputs, (clg_tensor **)outputs, 1, trace);
}
