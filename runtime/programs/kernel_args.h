/*
 * Kernel-argument builder: sets a kernel's arguments in order, numbering them
 * itself, and keeps the first failure (later arguments are skipped), so a
 * call site lists its arguments once instead of hand-numbering each one:
 *
 *     clg_args a = clg_args_begin(kernel);
 *     clg_args_mem(&a, in);
 *     clg_args_int(&a, count);
 *     st = clg_args_end(&a);
 *
 * A NULL kernel (from a dry planning pass, plan.c) takes any argument.
 */
#ifndef CLG_KERNEL_ARGS_H
#define CLG_KERNEL_ARGS_H

#include <stddef.h>

#include <CL/cl.h>

#include "clgooglenet.h"

typedef struct clg_args {
    cl_kernel kernel;
    cl_uint next;      /* index of the next argument */
    clg_status status; /* the first failure, CLG_OK until then */
} clg_args;

clg_args clg_args_begin(cl_kernel kernel);

/* Any argument by size and address (structs such as cl_int4). */
void clg_args_raw(clg_args *a, size_t size, const void *value);
void clg_args_mem(clg_args *a, cl_mem mem);
void clg_args_int(clg_args *a, cl_int value);
void clg_args_float(clg_args *a, cl_float value);
/* count arguments in a row. */
void clg_args_mems(clg_args *a, const cl_mem *mems, size_t count);
void clg_args_ints(clg_args *a, const int *values, size_t count);

/* The first failure, named by kernel and argument index, or CLG_OK. */
clg_status clg_args_end(const clg_args *a);

#endif
