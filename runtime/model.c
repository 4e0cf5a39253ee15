#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "error.h"
#include "file_read.h"
#include "onnx_import.h"
#include "passes.h"
#include "planner.h"
#include "tensor_io.h"

/* Plans kept per model: one per distinct set of input shapes, oldest evicted. */
#define CLG_PLAN_SLOTS 4

struct clg_model {
    clg_context *ctx;
    clg_graph *graph;
    int *order;
    cl_mem *weights; /* per value: device copy of float initializers */
    uint64_t weight_bytes;
    clg_plan *plans[CLG_PLAN_SLOTS];
    clg_shape *plan_inputs[CLG_PLAN_SLOTS];
    size_t next_slot;
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
        m->weights[v] = clCreateBuffer(m->ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR,
                                       (count ? count : 1) * sizeof(float), val->data, &err);
        if (err != CL_SUCCESS) st = clg_cl_fail(err, "clCreateBuffer", val->name);
        else m->weight_bytes += (count ? count : 1) * sizeof(float);
    }
    free(readers);
    return st;
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
    if (st == CLG_OK) st = clg_passes_run(g);
    if (st == CLG_OK) st = upload_weights(m);
    if (st != CLG_OK) {
        clg_model_destroy(m);
        return st;
    }
    *out = m;
    return CLG_OK;
}

clg_status clg_model_load_memory(clg_context *ctx, const void *data, size_t size, clg_model **out)
{
    if (!out || !ctx || (!data && size))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_load_memory: NULL argument");
    *out = NULL;
    clg_graph *g = NULL;
    CLG_TRY(clg_onnx_import(data, size, &g));
    return clg_model_from_graph(ctx, g, out);
}

clg_status clg_model_load(clg_context *ctx, const char *path, clg_model **out)
{
    if (!out || !ctx || !path) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_load: NULL argument");
    *out = NULL;
    unsigned char *data = NULL;
    size_t size = 0;
    /* protobuf cannot parse 2 GiB or more: refused from the size, before reading. */
    CLG_TRY(clg_read_file_limit(path, "model (ONNX protobuf)", CLG_PROTOBUF_MAX_BYTES, &data, &size));
    clg_status st = clg_model_load_memory(ctx, data, size, out);
    free(data);
    if (st != CLG_OK) return clg_fail_context(st, "%s", path);
    (*out)->source = strdup(path); /* only for messages: NULL is fine */
    return CLG_OK;
}

void clg_model_destroy(clg_model *m)
{
    if (!m) return;
    for (size_t i = 0; i < CLG_PLAN_SLOTS; i++) {
        clg_plan_destroy(m->plans[i]);
        free(m->plan_inputs[i]);
    }
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

static void fill_info(const clg_value *v, clg_io_info *info)
{
    info->name = v->name;
    info->rank = v->rank;
    for (int i = 0; i < CLG_MAX_RANK; i++) info->dims[i] = i < v->rank ? v->dims[i] : 0;
}

clg_status clg_model_input_info(const clg_model *m, size_t i, clg_io_info *info)
{
    if (!m || !info || i >= m->graph->n_inputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "input %zu out of range", i);
    fill_info(&m->graph->values[m->graph->inputs[i]], info);
    return CLG_OK;
}

clg_status clg_model_output_info(const clg_model *m, size_t i, clg_io_info *info)
{
    if (!m || !info || i >= m->graph->n_outputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "output %zu out of range", i);
    fill_info(&m->graph->values[m->graph->outputs[i]], info);
    return CLG_OK;
}

/* The plan for these input shapes: reused when seen before, else made. */
static clg_status plan_for(clg_model *m, const clg_shape *shapes, clg_plan **out)
{
    size_t n = m->graph->n_inputs;
    for (size_t i = 0; i < CLG_PLAN_SLOTS; i++)
        if (m->plans[i] && (n == 0 || memcmp(m->plan_inputs[i], shapes, n * sizeof *shapes) == 0)) {
            *out = m->plans[i];
            return CLG_OK;
        }
    clg_shape *key = malloc((n ? n : 1) * sizeof *key);
    if (!key) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    memcpy(key, shapes, n * sizeof *key);
    /* The slot this plan takes is freed first, so its bytes do not count as held. */
    size_t slot = m->next_slot % CLG_PLAN_SLOTS;
    uint64_t held = clg_model_device_bytes(m) - (m->plans[slot] ? m->plans[slot]->buffer_bytes : 0);
    if (m->last_plan == m->plans[slot]) m->last_plan = NULL;
    clg_plan_destroy(m->plans[slot]);
    free(m->plan_inputs[slot]);
    m->plans[slot] = NULL;
    m->plan_inputs[slot] = NULL;
    clg_plan *plan = NULL;
    clg_status st = clg_plan_create(m->ctx, m->graph, m->order, m->weights, shapes,
                                    m->source ? m->source : "model", held, &plan);
    if (st != CLG_OK) {
        free(key);
        return st;
    }
    m->next_slot++;
    m->plans[slot] = plan;
    m->plan_inputs[slot] = key;
    *out = plan;
    return CLG_OK;
}

clg_status clg_model_run(clg_model *m, const clg_tensor *const *inputs, size_t n_inputs,
                         clg_tensor **outputs, size_t n_outputs)
{
    if (!m || (n_inputs && !inputs) || !outputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_model_run: NULL argument");
    const clg_graph *g = m->graph;
    if (n_inputs != g->n_inputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "the model takes %zu input(s), %zu given",
                        g->n_inputs, n_inputs);
    if (n_outputs != g->n_outputs)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "the model has %zu output(s), room for %zu given",
                        g->n_outputs, n_outputs);
    clg_shape *shapes = calloc(n_inputs ? n_inputs : 1, sizeof *shapes);
    if (!shapes) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    for (size_t i = 0; i < n_inputs; i++) {
        if (!inputs[i] || inputs[i]->rank < 0 || inputs[i]->rank > CLG_MAX_RANK) {
            free(shapes);
            return clg_fail(CLG_ERR_INVALID_ARGUMENT, "input %zu is missing or malformed", i);
        }
        shapes[i].rank = inputs[i]->rank;
        memcpy(shapes[i].dims, inputs[i]->dims, sizeof(int64_t) * (size_t)inputs[i]->rank);
    }
    clg_plan *plan = NULL;
    clg_status st = plan_for(m, shapes, &plan);
    free(shapes);
    CLG_TRY(st);
    m->last_plan = plan;
    return clg_schedule_run(plan, inputs, outputs, m->trace);
}

uint64_t clg_model_device_bytes(const clg_model *m)
{
    if (!m) return 0;
    uint64_t total = m->weight_bytes;
    for (size_t i = 0; i < CLG_PLAN_SLOTS; i++)
        if (m->plans[i]) total += m->plans[i]->buffer_bytes;
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
