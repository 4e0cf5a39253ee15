/* The device a context drives: OpenCL handles plus the program cache. */
#ifndef CLG_CONTEXT_H
#define CLG_CONTEXT_H

#include <CL/cl.h>

#include "clgooglenet.h"

struct clg_program_cache;

#define CLG_MAX_QUEUES 4
#define CLG_QUEUES_ENV "CLGOOGLENET_QUEUES"

struct clg_context {
    clg_device_info info;
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue; /* queues[0]: transfers, single-queue work */
    cl_command_queue queues[CLG_MAX_QUEUES];
    int n_queues;           /* in-order queues the scheduler spreads branches over */
    struct clg_program_cache *programs;
    int program_store;      /* keep compiled programs on disk (program_store.h) */
    unsigned flags; /* CLG_CONTEXT_* */
};

/* Wraps a failed OpenCL call: CLG_ERR_OPENCL, "call failed: CL_NAME (where)". */
clg_status clg_cl_fail(cl_int err, const char *call, const char *where);

#define CLG_CL_TRY(call, where)                                                                   \
    do {                                                                                          \
        cl_int clg_cl_err_ = (call);                                                              \
        if (clg_cl_err_ != CL_SUCCESS) return clg_cl_fail(clg_cl_err_, #call, (where));           \
    } while (0)

#endif
