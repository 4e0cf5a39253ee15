#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "device_data.h"
#include "error.h"
#include "file_read.h"
#include "onnx_import.h"
#include "passes.h"
#include "plan.h"
#include "planner.h"
#include "tensor_io.h"

/* Plans kept per model by default: one per distinct set of input shapes,
   least recently used evicted (clg_context_options.max_plans). */
#define CLG_DEFAULT_PLAN_LIMIT 4

typedef struct plan_slot {
    clg_plan *plan;
    clg_shape *key; /* the input shapes it was made for */
    uint64_t used;  /* model->clock at its last use */
} plan_slot;

struct clg_model {
    clg_context *ctx;
    clg_graph *graph;
    int *order;
    cl_mem *weights; /* per value: device copy of float initializers */
    uint64_t weight_bytes;
    plan_slot *slots;
    size_t n_slots, plan_limit;
    uint64_t clock;
    int64_t buckets[CLG_MAX_BATCH_BUCKETS]; /* batch buckets, ascending */
    size_t n_buckets;
    clg_trace *trace; /* not owned */
    const clg_plan *last_plan;
    char *source; /* the file it came from, for messages; NULL: loaded from memory */
};

static clg_status upload_weights(clg_model *m)
{
    clg_graph *g = m->graph;
    m->weights = calloc(g->n_values ? g->n_values : 1, sizeof(cl_mem));
    if (!m->weights) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory loading weights");
    /* Constants nothing reads any more (folded batch norms) stay on the host. */
    size_t *readers = calloc(g->n_values ? g->n_values : 1, sizeof(size_t));
    if (!readers) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory loading weights");
    for (size_t i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] >= 0) readers[g->nodes[i].inputs[k]]++;
    clg_status st = CLG_OK;
    for (size_t v = 0; st == CLG_OK && v < g->n_values; v++) {
        const clg_value *val = &g->values[v];
        if (val->kind != CLG_VALUE_INITIALIZER || !val->data || (!readers[v] && !val->is_output)) continue;
        size_t count = 0;
        clg_dims_count(val->rank, val->dims, &count);
        cl_int err;
        m->weights[v] = clg_buffer_of_floats(m->ctx, CL_MEM_READ_ONLY, val->data, count, &err);
        if (err != CL_SUCCESS) st = clg_cl_fail(err, "clCreateBuffer", val->name);
        else m->weight_bytes += (count ? count : 1) * clg_context_element_bytes(m->ctx);
    }
    free(readers);
    return st;
}

/*
 * Outputs whose shape the file does not declare get one from shape inference
 * on the declared inputs, run twice with every unknown input dimension at 1
 * and at 2: a dimension that follows is symbolic (named after the first
 * named symbolic input dimension), one that stays is fixed. Best effort: a
 * failure leaves the output undeclared (rank -1).
 */
static void infer_output_decls(clg_model *m)
{
    clg_graph *g = m->graph;
    int need = 0;
    for (size_t i = 0; i < g->n_outputs; i++) need |= clg_graph_io_decl(g, g->outputs[i]) == NULL;
    if (!need || g->n_inputs == 0) return;
    char saved[1024]; /* a failed guess is no error of the load: the caller's last error stays */
    snprintf(saved, sizeof saved, "%s", clg_last_error());
    const char *sym_name = NULL;
    size_t nv = g->n_values ? g->n_values : 1, nn = g->n_nodes ? g->n_nodes : 1;
    clg_shape *in = calloc(g->n_inputs, sizeof *in);
    clg_shape *shapes[2] = {calloc(nv, sizeof(clg_shape)), calloc(nv, sizeof(clg_shape))};
    clg_window *windows = calloc(nn, sizeof *windows);
    clg_host_ints *ints = calloc(nv, sizeof *ints);
    int ok = in && shapes[0] && shapes[1] && windows && ints;
    for (int pass = 0; ok && pass < 2; pass++) {
        for (size_t i = 0; ok && i < g->n_inputs; i++) {
            const clg_value *v = &g->values[g->inputs[i]];
            const clg_io_decl *d = clg_graph_io_decl(g, g->inputs[i]);
            if (v->rank < 0) ok = 0;
            in[i].rank = v->rank < 0 ? 0 : v->rank;
            for (int k = 0; k < in[i].rank; k++) {
                in[i].dims[k] = v->dims[k] >= 0 ? v->dims[k] : pass + 1;
                if (v->dims[k] < 0 && !sym_name && d && d->dim_names[k]) sym_name = d->dim_names[k];
            }
        }
        if (ok) memset(ints, 0, nv * sizeof *ints);
        ok = ok && clg_shape_infer(g, in, m->order, shapes[pass], windows, NULL, ints) == CLG_OK;
    }
    for (size_t i = 0; ok && i < g->n_outputs; i++) {
        const int v = g->outputs[i];
        if (clg_graph_io_decl(g, v) || shapes[0][v].rank != shapes[1][v].rank) continue;
        int64_t dims[CLG_MAX_RANK];
        const char *names[CLG_MAX_RANK] = {NULL};
        for (int k = 0; k < shapes[0][v].rank; k++) {
            int same = shapes[0][v].dims[k] == shapes[1][v].dims[k];
            dims[k] = same ? shapes[0][v].dims[k] : -1;
            if (!same && shapes[0][v].dims[k] == 1 && shapes[1][v].dims[k] == 2) names[k] = sym_name;
        }
        if (clg_graph_declare_io(g, v, shapes[0][v].rank, dims, names) != CLG_OK) break;
    }
    free(in);
    free(shapes[0]);
    free(shapes[1]);
    free(windows);
    free(ints);
    clg_fail(CLG_OK, "%s", saved);
}

clg_status clg_model_from_graph(clg_context *ctx, clg_graph *g, clg_model **out)
{
    if (!out || !ctx || !g) {
        clg_graph_destroy(g);
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_from_graph: NULL argument");
    }
    *out = NULL;
    clg_model *m = calloc(1, sizeof *m);
    if (!m) {
        clg_graph_destroy(g);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory creating a model");
    }
    m->ctx = ctx;
    m->graph = g;
    clg_status st = clg_graph_validate(g);
    if (st == CLG_OK) {
        m->order = malloc((g->n_nodes ? g->n_nodes : 1) * sizeof(int));
        st = m->order ? clg_graph_topo_order(g, m->order)
                      : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    }
    if (st == CLG_OK) st = clg_passes_run_with(g, ctx->settings.passes_off);
    if (st == CLG_OK) st = upload_weights(m);
    if (st == CLG_OK) infer_output_decls(m);
    m->plan_limit = ctx->options.max_plans ? ctx->options.max_plans : CLG_DEFAULT_PLAN_LIMIT;
    if (st != CLG_OK) {
        clg_model_destroy(m);
        return st;
    }
    *out = m;
    return CLG_OK;
}

/* base_dir: where the model's external data files are (NULL: none may be read). */
static clg_status load_bytes(clg_context *ctx, const void *data, size_t size, const char *base_dir,
                             clg_model **out)
{
    clg_graph *g = NULL;
    CLG_TRY(clg_onnx_import_dir(data, size, base_dir, &g));
    return clg_model_from_graph(ctx, g, out);
}

clg_status clg_model_load_memory(clg_context *ctx, const void *data, size_t size, clg_model **out)
{
    if (!out || !ctx || (!data && size))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_load_memory: NULL argument");
    *out = NULL;
    return load_bytes(ctx, data, size, NULL, out);
}

clg_status clg_model_load(clg_context *ctx, const char *path, clg_model **out)
{
    if (!out || !ctx || !path) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_load: NULL argument");
    *out = NULL;
    unsigned char *data = NULL;
    size_t size = 0;
    /* protobuf cannot parse 2 GiB or more: refused from the size, before reading. */
    CLG_TRY(clg_read_file_limit(path, "model (ONNX protobuf)", CLG_PROTOBUF_MAX_BYTES, &data, &size));
    /* External data files are found next to the model. */
    char *dir = strdup(path);
    char *slash = dir ? strrchr(dir, '/') : NULL;
    if (slash) *(slash == dir ? slash + 1 : slash) = '\0';
    clg_status st = dir ? load_bytes(ctx, data, size, slash ? dir : ".", out)
                        : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    free(dir);
    free(data);
    if (st != CLG_OK) return clg_fail_context(st, "%s", path);
    (*out)->source = strdup(path); /* only for messages: NULL is fine */
    return CLG_OK;
}

void clg_model_destroy(clg_model *m)
{
    if (!m) return;
    for (size_t i = 0; i < m->n_slots; i++) {
        clg_plan_destroy(m->slots[i].plan);
        free(m->slots[i].key);
    }
    free(m->slots);
    if (m->weights)
        for (size_t v = 0; v < m->graph->n_values; v++)
            if (m->weights[v]) clReleaseMemObject(m->weights[v]);
    free(m->weights);
    free(m->order);
    free(m->source);
    clg_graph_destroy(m->graph);
    free(m);
}

const clg_graph *clg_model_graph(const clg_model *m) { return m->graph; }

size_t clg_model_input_count(const clg_model *m) { return m ? m->graph->n_inputs : 0; }
size_t clg_model_output_count(const clg_model *m) { return m ? m->graph->n_outputs : 0; }

static void fill_info(const clg_graph *g, int value, clg_io_info *info)
{
    const clg_value *v = &g->values[value];
    const clg_io_decl *d = clg_graph_io_decl(g, value);
    memset(info, 0, sizeof *info);
    info->name = v->name;
    info->type = v->elem_type == CLG_ELEM_FLOAT16 || v->elem_type == CLG_ELEM_BFLOAT16 ? (clg_elem_type)v->elem_type
                                                                                     : CLG_ELEM_FLOAT32;
    info->rank = d ? d->rank : v->rank;
    for (int i = 0; i < info->rank; i++) {
        info->dims[i] = d ? d->dims[i] : v->dims[i];
        if (d && info->dims[i] < 0) info->dim_names[i] = d->dim_names[i];
    }
}

clg_status clg_model_input_info(const clg_model *m, size_t i, clg_io_info *info)
{
    if (!m || !info || i >= m->graph->n_inputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "input %zu out of range", i);
    fill_info(m->graph, m->graph->inputs[i], info);
    return CLG_OK;
}

clg_status clg_model_output_info(const clg_model *m, size_t i, clg_io_info *info)
{
    if (!m || !info || i >= m->graph->n_outputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "output %zu out of range", i);
    fill_info(m->graph, m->graph->outputs[i], info);
    return CLG_OK;
}

/* The plan for these input shapes: reused when seen before, else made (the
   least recently used one is released when the model holds its limit). */
/* Drops the plan used least recently (there is at least one). */
static void evict_least_recent(clg_model *m)
{
    size_t lru = 0;
    for (size_t i = 1; i < m->n_slots; i++)
        if (m->slots[i].used < m->slots[lru].used) lru = i;
    if (m->last_plan == m->slots[lru].plan) m->last_plan = NULL;
    clg_plan_destroy(m->slots[lru].plan);
    free(m->slots[lru].key);
    m->slots[lru] = m->slots[--m->n_slots];
}

static clg_status plan_for(clg_model *m, const clg_shape *shapes, clg_plan **out)
{
    size_t n = m->graph->n_inputs;
    for (size_t i = 0; i < m->n_slots; i++)
        if (n == 0 || memcmp(m->slots[i].key, shapes, n * sizeof *shapes) == 0) {
            m->slots[i].used = ++m->clock;
            *out = m->slots[i].plan;
            return CLG_OK;
        }
    clg_shape *key = malloc((n ? n : 1) * sizeof *key);
    if (!key) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(key, shapes, n * sizeof *key);
    if (m->n_slots == 0 && !m->slots) {
        m->slots = calloc(m->plan_limit, sizeof *m->slots);
        if (!m->slots) {
            free(key);
            return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        }
    }
    /* Released before the new plan is made, so that both never hold device memory at once. */
    if (m->n_slots == m->plan_limit) evict_least_recent(m);
    uint64_t held = clg_model_device_bytes(m); /* what the model holds besides the new plan */
    clg_plan *plan = NULL;
    clg_status st = clg_plan_create(m->ctx, m->graph, m->order, m->weights, shapes,
                                    m->source ? m->source : "model", held, &plan);
    if (st != CLG_OK) {
        free(key);
        return st;
    }
    m->slots[m->n_slots++] = (plan_slot){plan, key, ++m->clock};
    *out = plan;
    return CLG_OK;
}

/* What a run needs before anything is enqueued. */
typedef struct run_prep {
    clg_plan *plan;
    int64_t batch;  /* the caller's batch when padded, else -1 */
    int64_t bucket; /* the plan's batch when padded */
} run_prep;

/* Checks the arguments, applies batch buckets and finds (or makes) the plan. */
static clg_status prepare(clg_model *m, const clg_tensor *const *inputs, size_t n_inputs, size_t n_outputs,
                          const char *what, run_prep *rp)
{
    const clg_graph *g = m->graph;
    rp->plan = NULL;
    rp->batch = rp->bucket = -1;
    if (n_inputs != g->n_inputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "the model takes %zu input(s), %zu given", g->n_inputs,
                        n_inputs);
    if (n_outputs != g->n_outputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "the model has %zu output(s), room for %zu given",
                        g->n_outputs, n_outputs);
    clg_shape *shapes = calloc(n_inputs ? n_inputs : 1, sizeof *shapes);
    if (!shapes) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < n_inputs; i++) {
        if (!inputs[i] || inputs[i]->rank < 0 || inputs[i]->rank > CLG_MAX_RANK) {
            free(shapes);
            return clg_fail(CLG_ERR_INVALID_ARGUMENT, "%s: input %zu is missing or malformed", what, i);
        }
        shapes[i].rank = inputs[i]->rank;
        memcpy(shapes[i].dims, inputs[i]->dims, sizeof(int64_t) * (size_t)inputs[i]->rank);
    }
    /* Batch buckets: every input must carry the same batch as dimension 0. */
    if (m->n_buckets && n_inputs) {
        int64_t n = shapes[0].rank >= 1 ? shapes[0].dims[0] : -1;
        for (size_t i = 1; i < n_inputs; i++)
            if (shapes[i].rank < 1 || shapes[i].dims[0] != n) n = -1;
        for (size_t b = 0; n > 0 && b < m->n_buckets; b++)
            if (m->buckets[b] >= n) {
                if (m->buckets[b] > n) {
                    rp->batch = n;
                    rp->bucket = m->buckets[b];
                    for (size_t i = 0; i < n_inputs; i++) shapes[i].dims[0] = m->buckets[b];
                }
                break;
            }
    }
    clg_status st = plan_for(m, shapes, &rp->plan);
    free(shapes);
    CLG_TRY(st);
    if (rp->batch > 0)
        for (size_t i = 0; i < g->n_outputs; i++) {
            const clg_shape *s = &rp->plan->shapes[g->outputs[i]];
            if (s->rank < 1 || s->dims[0] != rp->bucket)
                return clg_fail(CLG_ERR_SHAPE,
                                "batch buckets: output '%s' does not keep the batch as its first dimension; "
                                "run this model without buckets",
                                g->values[g->outputs[i]].name);
        }
    return CLG_OK;
}

/* Inputs padded with zeros to the bucket's batch (new tensors the caller destroys). */
static clg_status pad_inputs(const clg_graph *g, const clg_tensor *const *inputs, const run_prep *rp,
                             clg_tensor **padded)
{
    for (size_t i = 0; i < g->n_inputs; i++) padded[i] = NULL;
    for (size_t i = 0; i < g->n_inputs; i++) {
        int64_t dims[CLG_MAX_RANK];
        memcpy(dims, inputs[i]->dims, sizeof dims);
        dims[0] = rp->bucket;
        CLG_TRY(clg_tensor_create(inputs[i]->rank, dims, &padded[i]));
        memcpy(padded[i]->data, inputs[i]->data, clg_tensor_element_count(inputs[i]) * sizeof(float));
    }
    return CLG_OK;
}

/* Runs a prepared plan into new tensors, padding and trimming the batch when bucketed. */
static clg_status run_prepared(clg_model *m, const run_prep *rp, const clg_tensor *const *inputs,
                               clg_tensor **outputs)
{
    const clg_graph *g = m->graph;
    m->last_plan = rp->plan;
    if (rp->batch < 0) return clg_schedule_run(rp->plan, inputs, outputs, m->trace);
    clg_tensor **padded = calloc(g->n_inputs, sizeof *padded);
    if (!padded) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    clg_status st = pad_inputs(g, inputs, rp, padded);
    if (st == CLG_OK) st = clg_schedule_run(rp->plan, (const clg_tensor *const *)padded, outputs, m->trace);
    for (size_t i = 0; i < g->n_inputs; i++) clg_tensor_destroy(padded[i]);
    free(padded);
    /* The first rows are the caller's; the padding rows stay allocated behind them. */
    if (st == CLG_OK)
        for (size_t i = 0; i < g->n_outputs; i++) outputs[i]->dims[0] = rp->batch;
    return st;
}

clg_status clg_model_run(clg_model *m, const clg_tensor *const *inputs, size_t n_inputs,
                         clg_tensor **outputs, size_t n_outputs)
{
    if (!m || (n_inputs && !inputs) || !outputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_run: NULL argument");
    for (size_t i = 0; i < n_outputs; i++) outputs[i] = NULL;
    run_prep rp;
    CLG_TRY(prepare(m, inputs, n_inputs, n_outputs, "clg_model_run", &rp));
    return run_prepared(m, &rp, inputs, outputs);
}

/* The output shapes of a prepared run, at the caller's batch. */
static void prepared_shape(const clg_model *m, const run_prep *rp, size_t i, clg_shape *s)
{
    *s = rp->plan->shapes[m->graph->outputs[i]];
    if (rp->batch > 0) s->dims[0] = rp->batch;
}

clg_status clg_model_output_shapes(clg_model *m, const clg_tensor *const *inputs, size_t n_inputs,
                                   clg_io_info *outputs, size_t n_outputs)
{
    if (!m || (n_inputs && !inputs) || (n_outputs && !outputs))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_output_shapes: NULL argument");
    run_prep rp;
    CLG_TRY(prepare(m, inputs, n_inputs, n_outputs, "clg_model_output_shapes", &rp));
    for (size_t i = 0; i < n_outputs; i++) {
        clg_shape s;
        prepared_shape(m, &rp, i, &s);
        memset(&outputs[i], 0, sizeof outputs[i]);
        outputs[i].name = m->graph->values[m->graph->outputs[i]].name;
        outputs[i].type = CLG_ELEM_FLOAT32;
        outputs[i].rank = s.rank;
        memcpy(outputs[i].dims, s.dims, sizeof s.dims);
    }
    return CLG_OK;
}

static void format_dims(int rank, const int64_t *dims, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    used += (size_t)snprintf(buf, size, "[");
    for (int i = 0; i < rank && used + 24 < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%lld", i ? ", " : "", (long long)dims[i]);
    snprintf(buf + used, size - used, "]");
}

clg_status clg_model_run_into(clg_model *m, const clg_tensor *const *inputs, size_t n_inputs,
                              clg_tensor *const *outputs, size_t n_outputs)
{
    if (!m || (n_inputs && !inputs) || (n_outputs && !outputs))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_run_into: NULL argument");
    run_prep rp;
    CLG_TRY(prepare(m, inputs, n_inputs, n_outputs, "clg_model_run_into", &rp));
    const clg_graph *g = m->graph;
    for (size_t i = 0; i < n_outputs; i++) {
        clg_shape s;
        prepared_shape(m, &rp, i, &s);
        const clg_tensor *t = outputs[i];
        int same = t && t->rank == s.rank && t->data;
        for (int k = 0; same && k < s.rank; k++) same = t->dims[k] == s.dims[k];
        if (!same) {
            char want[200], got[200] = "(none)";
            format_dims(s.rank, s.dims, want, sizeof want);
            if (t && t->rank >= 0 && t->rank <= CLG_MAX_RANK) format_dims(t->rank, t->dims, got, sizeof got);
            return clg_fail(CLG_ERR_SHAPE, "clg_model_run_into: output %zu ('%s') is %s; this run gives %s%s", i,
                            g->values[g->outputs[i]].name, got, want, t && !t->data ? " (and its data is NULL)" : "");
        }
    }
    if (rp.batch < 0) {
        m->last_plan = rp.plan;
        return clg_schedule_run_into(rp.plan, inputs, outputs, m->trace);
    }
    /* Bucketed: the plan writes the padded batch; the caller gets its rows. */
    clg_tensor **full = calloc(n_outputs ? n_outputs : 1, sizeof *full);
    if (!full) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    clg_status st = run_prepared(m, &rp, inputs, full);
    for (size_t i = 0; i < n_outputs; i++) {
        if (st == CLG_OK)
            memcpy(outputs[i]->data, full[i]->data, clg_tensor_element_count(outputs[i]) * sizeof(float));
        clg_tensor_destroy(full[i]);
    }
    free(full);
    return st;
}

clg_status clg_model_set_plan_limit(clg_model *m, size_t max_plans)
{
    if (!m || max_plans == 0)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_set_plan_limit: %s",
                        m ? "a model keeps at least 1 plan" : "model is NULL");
    while (m->n_slots > max_plans) evict_least_recent(m);
    plan_slot *p = realloc(m->slots, max_plans * sizeof *p);
    if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    m->slots = p;
    m->plan_limit = max_plans;
    return CLG_OK;
}

size_t clg_model_plan_count(const clg_model *m) { return m ? m->n_slots : 0; }

clg_status clg_model_set_batch_buckets(clg_model *m, const int64_t *sizes, size_t count)
{
    if (!m || (count && !sizes))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_set_batch_buckets: NULL argument");
    if (count > CLG_MAX_BATCH_BUCKETS)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_set_batch_buckets: %zu buckets (at most %d)", count,
                        CLG_MAX_BATCH_BUCKETS);
    for (size_t i = 0; i < count; i++)
        if (sizes[i] < 1 || (i && sizes[i] <= sizes[i - 1]))
            return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                            "clg_model_set_batch_buckets: sizes must be positive and ascending (bucket %zu is %lld)",
                            i, (long long)sizes[i]);
    memcpy(m->buckets, sizes, count * sizeof *sizes);
    m->n_buckets = count;
    return CLG_OK;
}

uint64_t clg_model_device_bytes(const clg_model *m)
{
    if (!m) return 0;
    uint64_t total = m->weight_bytes;
    for (size_t i = 0; i < m->n_slots; i++) total += m->slots[i].plan->buffer_bytes;
    return total;
}

clg_status clg_model_set_trace(clg_model *m, clg_trace *trace)
{
    if (!m) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_set_trace: model is NULL");
    if (trace && !(m->ctx->flags & CLG_CONTEXT_PROFILING))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                        "tracing needs a context made with CLG_CONTEXT_PROFILING");
    m->trace = trace;
    return CLG_OK;
}

const char *clg_model_metadata(const clg_model *m, const char *key)
{
    if (!m || !key) return NULL;
    const clg_graph *g = m->graph;
    for (size_t i = 0; i < g->n_metadata; i++)
        if (strcmp(g->metadata[2 * i], key) == 0) return g->metadata[2 * i + 1];
    return NULL;
}

clg_status clg_model_memory(const clg_model *m, clg_memory_info *info)
{
    if (!m || !info) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_memory: NULL argument");
    memset(info, 0, sizeof *info);
    info->weight_bytes = m->weight_bytes;
    if (m->last_plan) {
        info->plan_bytes = m->last_plan->buffer_bytes;
        info->activation_bytes = m->last_plan->activation_bytes;
        info->naive_activation_bytes = m->last_plan->naive_activation_bytes;
    }
    return CLG_OK;
}
