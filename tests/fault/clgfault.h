/* The fault injector's control interface (tests/fault/clgfault.c). */
#ifndef CLGFAULT_H
#define CLGFAULT_H

#include <stddef.h>

/* Every wrapped OpenCL call, in the order the sweep visits them. */
#define CLG_FAULT_CALLS(X)                                                                     \
    X(clGetPlatformIDs)                                                                         \
    X(clGetDeviceIDs)                                                                           \
    X(clCreateContext)                                                                          \
    X(clCreateCommandQueue)                                                                     \
    X(clCreateBuffer)                                                                           \
    X(clCreateProgramWithSource)                                                                \
    X(clBuildProgram)                                                                           \
    X(clCreateKernel)                                                                           \
    X(clSetKernelArg)                                                                           \
    X(clEnqueueWriteBuffer)                                                                     \
    X(clEnqueueReadBuffer)                                                                      \
    X(clEnqueueNDRangeKernel)                                                                   \
    X(clEnqueueMarkerWithWaitList)                                                              \
    X(clFinish)

enum {
#define X(name) CLG_FAULT_##name,
    CLG_FAULT_CALLS(X)
#undef X
    CLG_FAULT_KINDS
};

/* Index of a wrapped call by name; -1 if it is not wrapped. */
int clg_fault_kind(const char *name);
const char *clg_fault_kind_name(int kind);
/* Resets all counters; the at-th later call of kind (1-based; 0: none)
   fails with error (0: the default code for that call). */
void clg_fault_arm(int kind, unsigned long at, int error);
/* Calls of kind since the last clg_fault_arm. */
unsigned long clg_fault_calls(int kind);
/* 1 once the armed fault has been injected. */
int clg_fault_fired(void);

/* Kernel names of the clCreateKernel and clEnqueueNDRangeKernel calls since
   the last arm (i is 0-based; NULL past the end or for other kinds). */
unsigned long clg_fault_label_count(int kind);
const char *clg_fault_label(int kind, unsigned long i);

/* OpenCL objects made through wrapped calls and not yet released. */
enum {
    CLG_FAULT_OBJ_CONTEXT,
    CLG_FAULT_OBJ_QUEUE,
    CLG_FAULT_OBJ_MEM,
    CLG_FAULT_OBJ_PROGRAM,
    CLG_FAULT_OBJ_KERNEL,
    CLG_FAULT_OBJ_EVENT,
    CLG_FAULT_OBJECT_TYPES
};
/* Live objects of a type (-1: all types). */
size_t clg_fault_live(int type);
const char *clg_fault_object_type_name(int type);

#endif
