/*
 * Memory budget of a plan. Before a plan makes any buffer, its total (inputs,
 * activations after memory planning, scratch and re-laid weights, counted by
 * a dry planning pass) is checked against what the device can give:
 * CL_DEVICE_GLOBAL_MEM_SIZE less what the model already holds and, for a CPU
 * device, whose buffers are host memory, the host's MemAvailable
 * (/proc/meminfo) and what is left of the address-space limit (ulimit -v).
 * An eighth of it is kept back for the driver, kernels and host tensors. A
 * plan over budget is refused from this arithmetic, so a hostile input
 * shape cannot take the machine's memory.
 */
#ifndef CLG_MEM_BUDGET_H
#define CLG_MEM_BUDGET_H

#include <stdint.h>

#include "context.h"

typedef struct clg_memory_budget {
    uint64_t limit;        /* bytes a new plan may use */
    uint64_t available;    /* before the margin */
    uint64_t device_bytes; /* CL_DEVICE_GLOBAL_MEM_SIZE */
    char source[160];      /* what set `available`, for messages */
} clg_memory_budget;

/* The budget for a new plan when the model already holds `held` device bytes. */
void clg_memory_budget_get(const clg_context *ctx, uint64_t held, clg_memory_budget *budget);

/*
 * What the host itself can still give (MemAvailable, ulimit -v), less an
 * eighth: the budget of data a model file makes the loader read into host
 * memory, such as external data, where one file's bytes may be named by any
 * number of tensors. device_bytes stays 0.
 */
void clg_memory_budget_host(clg_memory_budget *budget);

/*
 * CLG_ERR_OUT_OF_MEMORY when `need` bytes exceed the budget, naming `what`
 * (the model and its input shapes), the bytes needed and available.
 */
clg_status clg_memory_budget_check(const clg_context *ctx, uint64_t need, uint64_t held, const char *what);

#endif
