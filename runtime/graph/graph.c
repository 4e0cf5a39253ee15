#include "graph.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

int clg_dims_count(int rank, const int64_t *dims, size_t *count)
{
    /* Keep the byte size of a float tensor within what size_t can address. */
    const uint64_t limit = (uint64_t)(SIZE_MAX / sizeof(float)) < (UINT64_C(1) << 62)
                               ? (uint64_t)(SIZE_MAX / sizeof(float))
                               : (UINT64_C(1) << 62);
    uint64_t n = 1;
    if (rank < 0 || rank > CLG_MAX_RANK) return 0;
    for (int i = 0; i < rank; i++) {
        if (dims[i] < 0) return 0;
        if (dims[i] != 0 && n > limit / (uint64_t)dims[i]) return 0;
        n *= (uint64_t)dims[i];
    }
    *count = (size_t)n;
    return 1;
}

clg_attrs clg_attrs_default(void)
{
    clg_attrs a;
    memset(&a, 0, sizeof a);
    a.win.stride[0] = a.win.stride[1] = 1;
    a.win.dilation[0] = a.win.dilation[1] = 1;
    a.win.group = 1;
    a.alpha = 1.0f;
    a.beta = 1.0f;
    a.axis = 1;
    a.clip_min = -INFINITY;
    a.clip_max = INFINITY;
    a.epsilon = 1e-5f;
    a.n_axes = -1;
    a.end = INT32_MAX;
    return a;
}

/*
 * Every graph comes from clg_graph_create, which allocates this wrapper: the
 * public struct plus an index of value names private to this file, so that
 * lookups stay O(1) in graphs of many thousand values. Values are only added
 * by clg_graph_add_value and never renamed, which keeps the index exact.
 */
typedef struct graph_impl {
    clg_graph pub;  /* first member: a clg_graph * points at its graph_impl */
    int *slots;     /* open addressing with linear probing; -1 is empty */
    size_t n_slots; /* a power of two, more than twice n_values */
} graph_impl;

clg_graph *clg_graph_create(void)
{
    graph_impl *gi = calloc(1, sizeof *gi);
    return gi ? &gi->pub : NULL;
}

void clg_graph_destroy(clg_graph *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->n_values; i++) {
        free(g->values[i].name);
        free(g->values[i].data);
        free(g->values[i].int_data);
    }
    for (size_t i = 0; i < g->n_nodes; i++) {
        free(g->nodes[i].name);
        free(g->nodes[i].inputs);
    }
    for (size_t i = 0; i < 2 * g->n_metadata; i++) free(g->metadata[i]);
    free(g->metadata);
    for (size_t i = 0; i < g->n_decls; i++)
        for (int d = 0; d < CLG_MAX_RANK; d++) free(g->decls[i].dim_names[d]);
    free(g->decls);
    free(g->values);
    free(g->nodes);
    free(g->inputs);
    free(g->outputs);
    free(((graph_impl *)g)->slots);
    free(g);
}

static size_t name_hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return (size_t)h;
}

int clg_graph_find_value(const clg_graph *g, const char *name)
{
    const graph_impl *gi = (const graph_impl *)g;
    if (gi->n_slots == 0) return -1;
    /* The table is never more than half full, so an empty slot ends the probe. */
    size_t mask = gi->n_slots - 1;
    for (size_t i = name_hash(name) & mask;; i = (i + 1) & mask) {
        int v = gi->slots[i];
        if (v < 0) return -1;
        if (strcmp(g->values[v].name, name) == 0) return v;
    }
}

static void index_insert(graph_impl *gi, int v)
{
    size_t mask = gi->n_slots - 1, i = name_hash(gi->pub.values[v].name) & mask;
    while (gi->slots[i] >= 0) i = (i + 1) & mask;
    gi->slots[i] = v;
}

/* Adds value v (its name set) to the index, first doubling the table when it
   would be half full. Returns 0 when out of memory, the index unchanged. */
static int index_add(graph_impl *gi, int v)
{
    if (2 * ((size_t)v + 1) > gi->n_slots) {
        size_t n = gi->n_slots ? 2 * gi->n_slots : 64;
        int *slots = malloc(n * sizeof *slots);
        if (!slots) return 0;
        for (size_t i = 0; i < n; i++) slots[i] = -1;
        free(gi->slots);
        gi->slots = slots;
        gi->n_slots = n;
        for (int k = 0; k < v; k++) index_insert(gi, k);
    }
    index_insert(gi, v);
    return 1;
}

static int grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap) return 1;
    size_t ncap = *cap ? *cap * 2 : 16;
    void *p = realloc(*items, ncap * size);
    if (!p) return 0;
    *items = p;
    *cap = ncap;
    return 1;
}

clg_status clg_graph_add_value(clg_graph *g, const char *name, clg_value_kind kind, int rank,
                               const int64_t *dims, int *index)
{
    if (!name || rank > CLG_MAX_RANK || rank < -1 || (rank > 0 && !dims))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "value '%s': invalid rank %d",
                        name ? name : "(null)", rank);
    if (clg_graph_find_value(g, name) >= 0)
        return clg_fail(CLG_ERR_PARSE, "value '%s' is defined twice", name);
    if (g->n_values >= INT32_MAX / 2 ||
        !grow((void **)&g->values, &g->cap_values, g->n_values, sizeof(clg_value)))
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory adding value '%s'", name);
    clg_value *v = &g->values[g->n_values];
    memset(v, 0, sizeof *v);
    v->name = strdup(name);
    if (!v->name || !index_add((graph_impl *)g, (int)g->n_values)) {
        free(v->name);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory adding value '%s'", name);
    }
    v->kind = kind;
    v->rank = rank;
    for (int i = 0; i < rank; i++) v->dims[i] = dims[i];
    v->producer = -1;
    if (index) *index = (int)g->n_values;
    g->n_values++;
    return CLG_OK;
}

clg_status clg_graph_add_initializer(clg_graph *g, const char *name, int rank,
                                     const int64_t *dims, const float *data, int *index)
{
    size_t count;
    if (!clg_dims_count(rank, dims, &count))
        return clg_fail(CLG_ERR_SHAPE, "initializer '%s': invalid or overflowing shape", name);
    float *copy = malloc((count ? count : 1) * sizeof(float));
    if (!copy) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "initializer '%s': out of memory", name);
    if (count) memcpy(copy, data, count * sizeof(float));
    int idx;
    clg_status st = clg_graph_add_value(g, name, CLG_VALUE_INITIALIZER, rank, dims, &idx);
    if (st != CLG_OK) {
        free(copy);
        return st;
    }
    g->values[idx].data = copy;
    if (index) *index = idx;
    return CLG_OK;
}

clg_status clg_graph_add_node(clg_graph *g, const char *name, clg_op_type op,
                              const int *inputs, int n_inputs, const char *output,
                              const clg_attrs *attrs, int *index)
{
    if (n_inputs < 0 || n_inputs > CLG_MAX_NODE_INPUTS)
        return clg_fail_node(CLG_ERR_UNSUPPORTED, name, NULL, "%d inputs (at most %d supported)",
                        n_inputs, CLG_MAX_NODE_INPUTS);
    for (int i = 0; i < n_inputs; i++)
        if (inputs[i] < -1 || inputs[i] >= (int)g->n_values)
            return clg_fail_node(CLG_ERR_INVALID_ARGUMENT, name, NULL, "input %d out of range", i);
    /* An output may already exist as a placeholder made by a node that reads it
       earlier in the file (unsorted graphs); adopt it then. */
    int out = clg_graph_find_value(g, output);
    if (out >= 0) {
        if (g->values[out].kind != CLG_VALUE_INTERMEDIATE || g->values[out].producer >= 0)
            return clg_fail_node(CLG_ERR_PARSE, name, NULL, "output '%s' is defined twice", output);
    } else {
        CLG_TRY(clg_graph_add_value(g, output, CLG_VALUE_INTERMEDIATE, -1, NULL, &out));
    }
    if (!grow((void **)&g->nodes, &g->cap_nodes, g->n_nodes, sizeof(clg_node)))
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory adding node '%s'", name);
    clg_node *nd = &g->nodes[g->n_nodes];
    memset(nd, 0, sizeof *nd);
    nd->name = strdup(name);
    nd->inputs = malloc((n_inputs ? n_inputs : 1) * sizeof(int));
    if (!nd->name || !nd->inputs) {
        free(nd->name);
        free(nd->inputs);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory adding node '%s'", name);
    }
    if (n_inputs) memcpy(nd->inputs, inputs, n_inputs * sizeof(int));
    nd->n_inputs = n_inputs;
    nd->op = op;
    nd->output = out;
    nd->attrs = attrs ? *attrs : clg_attrs_default();
    /* Shape inference resolves a negative axis per plan from this copy. */
    nd->attrs.axis_attr = nd->attrs.axis;
    g->values[out].producer = (int)g->n_nodes;
    if (index) *index = (int)g->n_nodes;
    g->n_nodes++;
    return CLG_OK;
}

static clg_status append_index(int **list, size_t *n, int value)
{
    int *p = realloc(*list, (*n + 1) * sizeof(int));
    if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    p[(*n)++] = value;
    *list = p;
    return CLG_OK;
}

clg_status clg_graph_mark_input(clg_graph *g, int value)
{
    if (value < 0 || value >= (int)g->n_values || g->values[value].kind != CLG_VALUE_INPUT)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "graph input %d is not an input value", value);
    return append_index(&g->inputs, &g->n_inputs, value);
}

clg_status clg_graph_mark_output(clg_graph *g, int value)
{
    if (value < 0 || value >= (int)g->n_values)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "graph output %d out of range", value);
    g->values[value].is_output = 1;
    return append_index(&g->outputs, &g->n_outputs, value);
}

clg_status clg_graph_validate(const clg_graph *g)
{
    if (g->n_outputs == 0) return clg_fail(CLG_ERR_PARSE, "graph has no outputs");
    for (size_t i = 0; i < g->n_nodes; i++) {
        const clg_node *nd = &g->nodes[i];
        for (int k = 0; k < nd->n_inputs; k++) {
            int v = nd->inputs[k];
            if (v < 0) continue;
            if (g->values[v].kind == CLG_VALUE_INTERMEDIATE && g->values[v].producer < 0)
                return clg_fail_node(CLG_ERR_PARSE, nd->name, clg_op_name(nd->op), "input '%s' is never produced",
                                     g->values[v].name);
        }
    }
    for (size_t i = 0; i < g->n_outputs; i++) {
        const clg_value *v = &g->values[g->outputs[i]];
        if (v->kind == CLG_VALUE_INTERMEDIATE && v->producer < 0)
            return clg_fail(CLG_ERR_PARSE, "graph output '%s' is never produced", v->name);
    }
    return CLG_OK;
}

clg_status clg_graph_topo_order(const clg_graph *g, int *order)
{
    /* Kahn's algorithm over node -> node edges through values. The readers of
       value v are listed once up front, in readers[first[v] .. first[v + 1]),
       so ordering stays linear in the size of the graph. */
    size_t n = g->n_nodes, nv = g->n_values, edges = 0;
    for (size_t i = 0; i < n; i++) edges += (size_t)g->nodes[i].n_inputs;
    int *pending = calloc(n ? n : 1, sizeof(int));
    int *ready = malloc((n ? n : 1) * sizeof(int));
    int *readers = malloc((edges ? edges : 1) * sizeof(int));
    size_t *first = calloc(nv + 1, sizeof(size_t));
    size_t *next = malloc((nv ? nv : 1) * sizeof(size_t));
    clg_status st = CLG_OK;
    if (!pending || !ready || !readers || !first || !next) {
        st = clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory ordering the graph");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++) {
            int v = g->nodes[i].inputs[k];
            if (v < 0) continue;
            first[v + 1]++;
            if (g->values[v].producer >= 0) pending[i]++;
        }
    for (size_t v = 0; v < nv; v++) first[v + 1] += first[v];
    memcpy(next, first, nv * sizeof(size_t));
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] >= 0) readers[next[g->nodes[i].inputs[k]]++] = (int)i;

    size_t head = 0, tail = 0, placed = 0;
    for (size_t i = 0; i < n; i++)
        if (pending[i] == 0) ready[tail++] = (int)i;
    while (head < tail) {
        int cur = ready[head++];
        order[placed++] = cur;
        int out = g->nodes[cur].output;
        /* Readers of this node's output lose one pending input per use. */
        for (size_t r = first[out]; r < first[out + 1]; r++)
            if (--pending[readers[r]] == 0) ready[tail++] = readers[r];
    }
    if (placed != n) {
        for (size_t i = 0; i < n; i++)
            if (pending[i] > 0) {
                st = clg_fail(CLG_ERR_PARSE, "graph has a cycle through node '%s' (%s)",
                              g->nodes[i].name, clg_op_name(g->nodes[i].op));
                break;
            }
    }
done:
    free(pending);
    free(ready);
    free(readers);
    free(first);
    free(next);
    return st;
}

clg_status clg_graph_add_metadata(clg_graph *g, const char *key, const char *value)
{
    char **p = realloc(g->metadata, (2 * g->n_metadata + 2) * sizeof(char *));
    if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading metadata");
    g->metadata = p;
    p[2 * g->n_metadata] = strdup(key ? key : "");
    p[2 * g->n_metadata + 1] = strdup(value ? value : "");
    g->n_metadata++; /* counted before the check so destroy frees what was made */
    if (!p[2 * g->n_metadata - 2] || !p[2 * g->n_metadata - 1])
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading metadata");
    return CLG_OK;
}

clg_status clg_graph_declare_io(clg_graph *g, int value, int rank, const int64_t *dims,
                                const char *const *names)
{
    if (value < 0 || (size_t)value >= g->n_values || rank < -1 || rank > CLG_MAX_RANK)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_graph_declare_io: bad value or rank");
    clg_io_decl *p = realloc(g->decls, (g->n_decls + 1) * sizeof *p);
    if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading the graph's inputs and outputs");
    g->decls = p;
    clg_io_decl *d = &p[g->n_decls++];
    memset(d, 0, sizeof *d);
    d->value = value;
    d->rank = rank;
    for (int i = 0; i < rank; i++) {
        d->dims[i] = dims ? dims[i] : -1;
        if (names && names[i] && *names[i] && !(d->dim_names[i] = strdup(names[i])))
            return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading the graph's inputs and outputs");
    }
    return CLG_OK;
}

const clg_io_decl *clg_graph_io_decl(const clg_graph *g, int value)
{
    for (size_t i = g->n_decls; i-- > 0;)
        if (g->decls[i].value == value) return &g->decls[i];
    return NULL;
}

size_t clg_graph_forward_constants(clg_graph *g)
{
    size_t forwarded = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const clg_node *id = &g->nodes[i];
        if (id->op != CLG_OP_IDENTITY || id->n_inputs < 1 || id->inputs[0] < 0 || id->output < 0) continue;
        const clg_value *src = &g->values[id->inputs[0]];
        if (src->kind != CLG_VALUE_INITIALIZER || (!src->data && !src->int_data) ||
            g->values[id->output].is_output)
            continue;
        for (size_t j = 0; j < g->n_nodes; j++)
            for (int k = 0; k < g->nodes[j].n_inputs; k++)
                if (g->nodes[j].inputs[k] == id->output) g->nodes[j].inputs[k] = id->inputs[0];
        forwarded++;
    }
    return forwarded;
}

size_t clg_graph_reader_count(const clg_graph *g, int value)
{
    size_t n = 0;
    for (size_t i = 0; i < g->n_nodes; i++)
        for (int k = 0; k < g->nodes[i].n_inputs; k++)
            if (g->nodes[i].inputs[k] == value) n++;
    return n;
}

int clg_graph_conv_depth(const clg_graph *g, const int *order)
{
    int *depth = calloc(g->n_values ? g->n_values : 1, sizeof(int)); /* per value */
    if (!depth) return 0;
    int deepest = 0;
    for (size_t k = 0; k < g->n_nodes; k++) {
        const clg_node *nd = &g->nodes[order[k]];
        int d = 0;
        for (int i = 0; i < nd->n_inputs; i++)
            if (nd->inputs[i] >= 0 && depth[nd->inputs[i]] > d) d = depth[nd->inputs[i]];
        d += nd->op == CLG_OP_CONV;
        depth[nd->output] = d;
        if (d > deepest) deepest = d;
    }
    free(depth);
    return deepest;
}
