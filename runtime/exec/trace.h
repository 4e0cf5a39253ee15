/* Trace records: what the scheduler hands over after a profiled run. */
#ifndef CLG_TRACE_H
#define CLG_TRACE_H

#include <CL/cl.h>

#include "clgooglenet.h"

typedef struct clg_trace_event {
    char name[128];    /* graph node, or the value written/read */
    char op[32];       /* ONNX op, or "write"/"read" */
    char variant[48];  /* kernel name, "CLBlastSgemm", "clEnqueueWriteBuffer", ... */
    char program[32];  /* kernel source file in cl/, "" for library calls and transfers */
    char options[256]; /* its build options (-D values) */
    char kernel[64];   /* the kernel function's name in that program */
    int lane;          /* queue index */
    int run;           /* index of the clg_model_run within the trace */
    int first_launch;  /* first launch of this kernel object (compile may show) */
    cl_uint work_dim;
    size_t global[3], local[3];
    int use_local;
    double flops, bytes;
    cl_ulong queued, submit, start, end; /* ns, device clock */
} clg_trace_event;

/* Starts a run: later events carry its index. */
void clg_trace_begin_run(clg_trace *trace, const char *device_name);

/* Fills the timestamps of e from ev (which must have completed) and appends e. */
clg_status clg_trace_add(clg_trace *trace, clg_trace_event *e, cl_event ev);

/* The recorded events, in the order they were added. */
const clg_trace_event *clg_trace_events(const clg_trace *trace, size_t *count);

#endif
