/*
 * A plan is a graph made concrete for one set of input shapes: a device
 * buffer per value (views such as Flatten share their input's buffer) and
 * the list of device steps, in a topological order, that the scheduler
 * enqueues. Ops append their steps through the clg_plan_* functions below.
 */
#ifndef CLG_PLAN_H
#define CLG_PLAN_H

#include <CL/cl.h>

#include "context.h"
#include "graph.h"
#include "kernels.h"
#include "shape.h"

typedef enum clg_step_kind {
    CLG_STEP_KERNEL, /* clEnqueueNDRangeKernel */
    CLG_STEP_SGEMM   /* CLBlast row-major SGEMM: C = alpha*op(A)*op(B) + beta*C */
} clg_step_kind;

typedef struct clg_gemm_args {
    int trans_a, trans_b;
    size_t m, n, k;
    float alpha, beta;
    cl_mem a, b, c; /* not owned */
    size_t a_offset, b_offset, c_offset; /* in floats */
    size_t lda, ldb, ldc;
} clg_gemm_args;

typedef struct clg_step {
    clg_step_kind kind;
    int node;             /* graph node this step belongs to */
    char variant[48];     /* kernel variant name, for errors and traces */
    char program[32];     /* the kernel's source file in cl/ ("" for library calls), for traces */
    char options[256];    /* its full build options (-D values): the launch can be rebuilt from them */
    cl_kernel kernel;     /* owned by the plan */
    cl_uint work_dim;
    size_t global[3];
    size_t local[3];
    int use_local;        /* 0: let the driver choose the local size */
    clg_gemm_args gemm;
    double flops;         /* useful floating point operations */
    double bytes;         /* bytes read and written (estimate) */
    int launched;         /* set after the first enqueue (first launches compile on some drivers) */
    cl_mem owned[2];      /* per-step buffers owned by the plan (re-laid weights, scratch); may be NULL */
} clg_step;

/*
 * Where a value's elements live in its buffer: image n starts at
 * offset + n * image_stride (floats). A value written straight into a channel
 * slice of a Concat output shares that buffer with a non-zero offset and the
 * concat's image stride; every other value has offset 0 and a dense stride.
 */
typedef struct clg_placement {
    int into;            /* value whose buffer this one lives in; -1: its own */
    size_t offset;       /* floats */
    size_t image_stride; /* floats between consecutive batch items */
} clg_placement;

typedef struct clg_plan {
    clg_context *ctx;
    const clg_graph *graph;
    int *order;            /* node indices, topological */
    clg_shape *shapes;     /* per value */
    clg_host_ints *ints;   /* per value: int64 data known while planning (no buffer) */
    clg_window *windows;   /* per node, resolved */
    clg_resolved *resolved; /* per node: axes resolved for this plan's ranks */
    cl_mem *buffers;       /* per value; retained references */
    clg_placement *placement; /* per value */
    int *queue_of;         /* per node: index into ctx->queues, below n_queues */
    int n_queues;          /* queues this plan spreads branches over (plan_queue_count) */
    clg_step *steps;
    size_t n_steps, cap_steps;
    uint64_t buffer_bytes; /* device memory this plan allocated itself */
    uint64_t activation_bytes;       /* intermediate buffers after pass 5 */
    uint64_t naive_activation_bytes; /* one buffer per intermediate tensor */
    int conv_depth;                  /* clg_graph_conv_depth: Winograd's tile policy */
    clg_program_list *dry;           /* dry pass: kernels are only listed here (NULL kernels) */
    cl_mem stand_in;                 /* dry pass: the one small buffer that stands in for all */
} clg_plan;

/*
 * clCreateBuffer for a plan. A dry pass only measures: it gets a retained
 * reference to a shared 4-byte stand-in (host_ptr is not read), so that the
 * plan's total is known before any buffer of that size exists.
 */
cl_mem clg_plan_create_buffer(clg_plan *plan, cl_mem_flags flags, size_t size, void *host_ptr,
                              cl_int *err);

/* As clg_plan_create_buffer for count elements of the context's type (at
   least one) holding the host floats data (NULL: uninitialised), converted
   to half in half contexts; adds the bytes to plan->buffer_bytes. */
cl_mem clg_plan_float_buffer(clg_plan *plan, cl_mem_flags flags, const float *data, size_t count, cl_int *err);

/* As clg_plan_float_buffer with elements of the kernels' compute type
   (cl/prelude.cl's real): float in half contexts that compute in float
   (clg_context_half_arithmetic 0), for a kernel's own intermediates. */
cl_mem clg_plan_compute_buffer(clg_plan *plan, cl_mem_flags flags, const float *data, size_t count, cl_int *err);

/* Appends a step (the plan takes ownership of step->kernel). */
clg_status clg_plan_add_step(clg_plan *plan, const clg_step *step);

/*
 * Creates a kernel and fills a KERNEL step for `node` (variant = kernel name);
 * the caller sets args on step->kernel, global sizes, then adds it.
 */
clg_status clg_plan_kernel_step(clg_plan *plan, int node, const char *file, const char *options,
                                const char *kernel_name, clg_step *step);

/* Sets "node 'NAME' (OP): what" as the message and returns st. */
clg_status clg_plan_node_fail(const clg_plan *plan, int n, clg_status st, const char *what);

/* Kernels index with int: 1 when every element of s has an int index. */
int clg_shape_fits_int(const clg_shape *s);

/* Adds a step whose arguments were set (args == CLG_OK); otherwise releases
   its kernel and returns args. */
clg_status clg_plan_finish_step(clg_plan *plan, clg_step *step, clg_status args);

/*
 * Bytes every planned activation and input buffer has past its tensor's end
 * (runtime/plan/memory_plan.c), so that a kernel may read whole vectors across
 * the end of its last row and mask what it does not use (conv2d.cl's
 * POOL3_VEC). Never written, never part of a result.
 */
#define CLG_BUFFER_SLACK 64

/*
 * The most work-items one group of `kernel` may hold on the plan's device
 * (returned) and per dimension (item_sizes); a dry planning pass has no
 * kernel yet, and any device allows 64 (per dimension too, up to its own).
 */
size_t clg_plan_group_limit(const clg_plan *plan, cl_kernel kernel, size_t item_sizes[3]);

/*
 * Local size {global[0], 1, 1} (split to fit the kernel's limit): every row
 * of dimension 0 one work-group, so small launches still give every core
 * work on PoCL (plan.c says why).
 */
void clg_plan_row_groups(const clg_plan *plan, clg_step *step);
/* The same with groups of at most `most` work-items. */
void clg_plan_row_groups_of_at_most(const clg_plan *plan, clg_step *step, size_t most);
/* The same with groups of a multiple of `unit` work-items (a sub-group size
   the kernel asks for; global[0] a multiple of it), at most `most`; where
   not even one unit fits the kernel's limit, the driver chooses. */
void clg_plan_row_groups_in_units(const clg_plan *plan, clg_step *step, size_t unit, size_t most);

/*
 * The launch of a rank-8 index kernel (cl/prelude.cl clg_next_index: pad,
 * transpose, broadcasting elementwise): dimension 0 the innermost of the
 * `count` outputs' dims (padded to CLG_MAX_RANK), dimension 1 the rest.
 */
void clg_plan_index_grid(clg_step *step, const cl_int8 *dims, size_t count);

/* Vector width (4, 8 or 16, at most `widest`) for `len` outputs along a unit-stride axis. */
int clg_plan_vector_width(int64_t len, int widest);

/* Input i / output of a node: buffer and shape. */
#define CLG_NODE(plan, n) (&(plan)->graph->nodes[(n)])
#define CLG_IN_BUF(plan, n, i) ((plan)->buffers[CLG_NODE(plan, n)->inputs[(i)]])
#define CLG_IN_SHAPE(plan, n, i) (&(plan)->shapes[CLG_NODE(plan, n)->inputs[(i)]])
#define CLG_OUT_BUF(plan, n) ((plan)->buffers[CLG_NODE(plan, n)->output])
#define CLG_OUT_SHAPE(plan, n) (&(plan)->shapes[CLG_NODE(plan, n)->output])
#define CLG_HAS_INPUT(plan, n, i)                                                                 \
    (CLG_NODE(plan, n)->n_inputs > (i) && CLG_NODE(plan, n)->inputs[(i)] >= 0)

#endif
