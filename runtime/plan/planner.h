/* Making and running plans (plan.c, scheduler.c). */
#ifndef CLG_PLANNER_H
#define CLG_PLANNER_H

#include <stdint.h>

#include <CL/cl.h>

#include "context.h"
#include "graph.h"
#include "shape.h"
#include "trace.h"

typedef struct clg_plan clg_plan; /* plan.h */

/*
 * Infers shapes for input_shapes, allocates buffers (initializers share the
 * model's weights[value] buffers) and plans every node's steps. A dry pass
 * first measures the plan's device memory, which must fit the budget
 * (mem_budget.h) with `held` bytes already taken by the model; `what`
 * names the model in the refusal.
 */
clg_status clg_plan_create(clg_context *ctx, const clg_graph *g, const int *order, cl_mem *weights,
                           const clg_shape *input_shapes, const char *what, uint64_t held,
                           clg_plan **out);
void clg_plan_destroy(clg_plan *plan);

/* Pass 5: gives every value a buffer; with reuse, by liveness (memory_plan.c). */
clg_status clg_plan_allocate(clg_plan *plan, cl_mem *weights, int reuse);

/*
 * Writes the inputs, enqueues every step with event dependencies on the
 * steps that produce its inputs, waits, and reads the graph outputs into
 * new tensors. With a trace, every command is recorded with its timestamps.
 */
clg_status clg_schedule_run(clg_plan *plan, const clg_tensor *const *inputs, clg_tensor **outputs,
                            clg_trace *trace);

/* The same into the caller's tensors, whose shapes match the plan's outputs. */
clg_status clg_schedule_run_into(clg_plan *plan, const clg_tensor *const *inputs, clg_tensor *const *outputs,
                                 clg_trace *trace);

#endif
