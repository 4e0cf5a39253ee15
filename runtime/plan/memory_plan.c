/*
 * Pass 5, memory planning by liveness. Every value is stored in the buffer
 * of its root: itself, the concat output it was placed into (pass 4), or the
 * input of the view (Flatten, Reshape, Identity) that produced it. A root
 * is live from the first node that writes any value stored in it to the last
 * node that reads one (graph outputs: to the end). Intermediate roots whose
 * lifetimes do not overlap share device buffers.
 *
 * Safe because one in-order queue runs the plan: a buffer is rewritten only
 * after every earlier reader has been enqueued before the writer.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "plan.h"
#include "planner.h"

typedef struct pooled {
    cl_mem mem;
    size_t bytes;
    int busy_until; /* order position of the last reader of its current root */
} pooled;

static int root_of(const clg_plan *plan, int v)
{
    const clg_graph *g = plan->graph;
    for (size_t guard = 0; guard <= g->n_values; guard++) {
        if (plan->placement[v].into >= 0) {
            v = plan->placement[v].into;
            continue;
        }
        int p = g->values[v].producer;
        if (p >= 0 && clg_op_def_of(g->nodes[p].op)->is_view && g->nodes[p].inputs[0] >= 0) {
            v = g->nodes[p].inputs[0];
            continue;
        }
        break;
    }
    return v;
}

/* A device buffer for value v (an input, or the root of intermediates). A
   size over the device's one-buffer limit is refused here, naming the node,
   before any driver is asked for it (hostile shapes can ask for terabytes). */
static clg_status new_buffer(clg_plan *plan, size_t bytes, int v, cl_mem *out)
{
    const clg_graph *g = plan->graph;
    const clg_value *val = &g->values[v];
    const clg_node *nd = val->producer >= 0 ? &g->nodes[val->producer] : NULL;
    cl_ulong max_alloc = 0;
    if (clGetDeviceInfo(plan->ctx->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc,
                        &max_alloc, NULL) == CL_SUCCESS &&
        max_alloc > 0 && (cl_ulong)bytes > max_alloc) {
        if (nd)
            return clg_fail_node(CLG_ERR_SHAPE, nd->name, clg_op_name(nd->op),
                                 "output '%s' needs %zu bytes, more than the device's "
                                 "largest buffer (%llu bytes)", val->name, bytes, (unsigned long long)max_alloc);
        return clg_fail(CLG_ERR_SHAPE,
                        "input '%s' needs %zu bytes, more than the device's largest buffer "
                        "(%llu bytes)", val->name, bytes, (unsigned long long)max_alloc);
    }
    cl_int err;
    *out = clg_plan_create_buffer(plan, CL_MEM_READ_WRITE, bytes + CLG_BUFFER_SLACK, NULL, &err);
    if (err != CL_SUCCESS) {
        if (nd)
            return clg_fail_node(CLG_ERR_OPENCL, nd->name, clg_op_name(nd->op), "clCreateBuffer failed: %s (%s)",
                                 clg_cl_error_name(err), val->name);
        return clg_cl_fail(err, "clCreateBuffer", val->name);
    }
    plan->buffer_bytes += bytes;
    return CLG_OK;
}

typedef struct root_info {
    int value;
    int start, end;
    size_t bytes;
} root_info;

static int compare_start(const void *a, const void *b)
{
    const root_info *x = a, *y = b;
    return (x->start > y->start) - (x->start < y->start);
}

/* Each value's root, each node's order position, and each root's lifetime
   (start: first writer, end: last reader) from every value stored in it. */
static void find_lifetimes(const clg_plan *plan, int *root, int *pos, root_info *info)
{
    const clg_graph *g = plan->graph;
    const size_t nv = g->n_values, nn = g->n_nodes;
    for (size_t k = 0; k < nn; k++) pos[plan->order[k]] = (int)k;
    for (size_t v = 0; v < nv; v++) {
        root[v] = root_of(plan, (int)v);
        info[v].value = (int)v;
        info[v].start = (int)nn;
        info[v].end = -1;
    }
    for (size_t v = 0; v < nv; v++) {
        root_info *r = &info[root[v]];
        int p = g->values[v].producer;
        if (p >= 0 && !clg_op_def_of(g->nodes[p].op)->is_view) {
            /* A pass 3 group may run as one launch, at its first member. */
            int first = pos[p];
            for (int m = 0; m < g->nodes[p].attrs.n_hgroup; m++)
                if (pos[g->nodes[p].attrs.hgroup[m]] < first) first = pos[g->nodes[p].attrs.hgroup[m]];
            if (first < r->start) r->start = first;
        }
        if (g->values[v].is_output) r->end = (int)nn;
    }
    for (size_t k = 0; k < nn; k++) {
        const clg_node *nd = &g->nodes[plan->order[k]];
        for (int i = 0; i < nd->n_inputs; i++)
            if (nd->inputs[i] >= 0 && info[root[nd->inputs[i]]].end < (int)k) info[root[nd->inputs[i]]].end = (int)k;
    }
}

/* Inputs and weights keep their own buffers; the intermediate roots are
   gathered at the front of info (as *n_roots entries) for pooling. */
static clg_status own_buffers(clg_plan *plan, cl_mem *weights, const int *root, root_info *info,
                              size_t *n_roots)
{
    const clg_graph *g = plan->graph;
    const size_t nv = g->n_values, nn = g->n_nodes;
    root_info *roots = info; /* reuse the array front for the intermediate roots */
    for (size_t v = 0; v < nv; v++) {
        if ((size_t)root[v] != v || plan->ints[v].valid) continue; /* host int64 data: no buffer */
        const clg_value *val = &g->values[v];
        size_t count = clg_shape_count(&plan->shapes[v]);
        size_t bytes = (count ? count : 1) * clg_context_element_bytes(plan->ctx); /* OpenCL forbids empty buffers */
        if (val->kind == CLG_VALUE_INITIALIZER) {
            if ((plan->buffers[v] = weights[v])) clRetainMemObject(weights[v]);
        } else if (val->kind == CLG_VALUE_INPUT) {
            CLG_TRY(new_buffer(plan, bytes, (int)v, &plan->buffers[v]));
        } else if (info[v].start < (int)nn) {
            root_info r = {(int)v, info[v].start, info[v].end < info[v].start ? info[v].start : info[v].end, bytes};
            roots[(*n_roots)++] = r; /* n_roots <= v, so this never overwrites an unread entry */
            plan->naive_activation_bytes += bytes;
        }
    }
    return CLG_OK;
}

/* Gives the intermediate roots, sorted by start, pooled buffers: with reuse,
   the smallest free one large enough, else a new one (kept in pool). */
static clg_status pool_buffers(clg_plan *plan, const root_info *roots, size_t n_roots, int reuse,
                               pooled *pool, size_t *n_pool)
{
    for (size_t i = 0; i < n_roots; i++) {
        pooled *best = NULL;
        for (size_t j = 0; reuse && j < *n_pool; j++)
            if (pool[j].busy_until < roots[i].start && pool[j].bytes >= roots[i].bytes &&
                (!best || pool[j].bytes < best->bytes))
                best = &pool[j];
        if (!best) {
            best = &pool[(*n_pool)++];
            CLG_TRY(new_buffer(plan, roots[i].bytes, roots[i].value, &best->mem));
            best->bytes = roots[i].bytes;
            plan->activation_bytes += best->bytes;
        }
        best->busy_until = roots[i].end;
        plan->buffers[roots[i].value] = best->mem;
        clRetainMemObject(best->mem);
    }
    return CLG_OK;
}

clg_status clg_plan_allocate(clg_plan *plan, cl_mem *weights, int reuse)
{
    const clg_graph *g = plan->graph;
    size_t nv = g->n_values, nn = g->n_nodes;
    int *root = malloc((nv ? nv : 1) * sizeof(int));
    int *pos = malloc((nn ? nn : 1) * sizeof(int));
    root_info *info = calloc(nv ? nv : 1, sizeof(root_info));
    pooled *pool = calloc(nv ? nv : 1, sizeof(pooled));
    clg_status st = (root && pos && info && pool) ? CLG_OK : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory planning");
    size_t n_pool = 0, n_roots = 0;

    if (st == CLG_OK) {
        find_lifetimes(plan, root, pos, info);
        st = own_buffers(plan, weights, root, info, &n_roots);
    }
    if (st == CLG_OK) {
        qsort(info, n_roots, sizeof *info, compare_start);
        st = pool_buffers(plan, info, n_roots, reuse, pool, &n_pool);
    }
    /* Every other value shares its root's buffer. */
    for (size_t v = 0; st == CLG_OK && v < nv; v++)
        if ((size_t)root[v] != v && (plan->buffers[v] = plan->buffers[root[v]])) clRetainMemObject(plan->buffers[v]);
    for (size_t j = 0; j < n_pool; j++) clReleaseMemObject(pool[j].mem);
    free(pool);
    free(info);
    free(pos);
    free(root);
    return st;
}
