/*
 * Test-only OpenCL fault injector, loaded with LD_PRELOAD. It wraps a set of
 * OpenCL entry points, passes every call on to the real one (found with
 * dlsym(RTLD_NEXT)), and makes the N-th call of one kind fail instead:
 *
 *   LD_PRELOAD=build/tests/fault/libclgfault.so \
 *   CLG_FAULT_CALL=clCreateBuffer CLG_FAULT_AT=5 build/clgooglenet infer ...
 *
 * The failing call does not reach the driver and returns
 * CL_MEM_OBJECT_ALLOCATION_FAILURE (clCreateBuffer) or CL_OUT_OF_RESOURCES
 * (everything else); CLG_FAULT_ERROR=<code> picks another code. Only that
 * one call fails: later calls, of any kind, succeed. Calls that CLBlast
 * makes count too, since they go through the same OpenCL entry points.
 *
 * Programs can drive it directly (tests/fault/fault_sweep.c) through
 * clg_fault_arm / clg_fault_calls / clg_fault_fired, looked up with
 * dlsym(RTLD_DEFAULT, ...). It is not thread-safe; it is meant for one
 * thread driving the runtime.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CL/cl.h>

#include "clgfault.h"

static const char *const kind_names[CLG_FAULT_KINDS] = {
#define X(name) #name,
    CLG_FAULT_CALLS(X)
#undef X
};

static unsigned long counts[CLG_FAULT_KINDS];

/* Kernel names of the clCreateKernel / clEnqueueNDRangeKernel calls since the last arm. */
typedef struct label_list {
    char **names;
    unsigned long n, cap;
} label_list;
static label_list labels[CLG_FAULT_KINDS];

static void label_add(int kind, const char *name)
{
    label_list *l = &labels[kind];
    if (l->n == l->cap) {
        unsigned long cap = l->cap ? 2 * l->cap : 256;
        char **names = realloc(l->names, cap * sizeof *names);
        if (!names) return;
        l->names = names;
        l->cap = cap;
    }
    l->names[l->n++] = strdup(name ? name : "?");
}

/* OpenCL objects made through the wrapped calls, with their reference counts,
   so a test can check that everything it made was released. Objects made by
   calls that are not wrapped are not tracked (their releases are ignored). */
typedef struct live_obj {
    void *handle;
    int type;
    long refs;
} live_obj;
static live_obj *live;
static size_t n_live, cap_live;

static live_obj *live_find(void *handle, int type)
{
    for (size_t i = n_live; i-- > 0;)
        if (live[i].handle == handle && live[i].type == type) return &live[i];
    return NULL;
}

static void live_made(void *handle, int type)
{
    if (!handle) return;
    live_obj *o = live_find(handle, type);
    if (o) { /* an address reused after an untracked release */
        o->refs = 1;
        return;
    }
    if (n_live == cap_live) {
        size_t cap = cap_live ? 2 * cap_live : 1024;
        live_obj *bigger = realloc(live, cap * sizeof *bigger);
        if (!bigger) return;
        live = bigger;
        cap_live = cap;
    }
    live[n_live++] = (live_obj){handle, type, 1};
}

static void live_ref(void *handle, int type, int delta)
{
    live_obj *o = live_find(handle, type);
    if (!o) return;
    o->refs += delta;
    if (o->refs <= 0) *o = live[--n_live];
}

static const char *const type_names[CLG_FAULT_OBJECT_TYPES] = {"cl_context", "cl_command_queue",
                                                                 "cl_mem", "cl_program",
                                                                 "cl_kernel", "cl_event"};

size_t clg_fault_live(int type)
{
    size_t n = 0;
    for (size_t i = 0; i < n_live; i++) n += type < 0 || live[i].type == type;
    return n;
}

const char *clg_fault_object_type_name(int type)
{
    return type >= 0 && type < CLG_FAULT_OBJECT_TYPES ? type_names[type] : "?";
}

unsigned long clg_fault_label_count(int kind)
{
    return kind >= 0 && kind < CLG_FAULT_KINDS ? labels[kind].n : 0;
}

const char *clg_fault_label(int kind, unsigned long i)
{
    if (kind < 0 || kind >= CLG_FAULT_KINDS || i >= labels[kind].n) return NULL;
    return labels[kind].names[i];
}
static int armed_kind = -1;
static unsigned long armed_at; /* 1-based call number that fails; 0: none */
static int fired;
static cl_int fault_error;

int clg_fault_kind(const char *name)
{
    for (int k = 0; name && k < CLG_FAULT_KINDS; k++)
        if (strcmp(kind_names[k], name) == 0) return k;
    return -1;
}

const char *clg_fault_kind_name(int kind)
{
    return kind >= 0 && kind < CLG_FAULT_KINDS ? kind_names[kind] : "?";
}

void clg_fault_arm(int kind, unsigned long at, int error)
{
    memset(counts, 0, sizeof counts);
    for (int k = 0; k < CLG_FAULT_KINDS; k++) {
        for (unsigned long i = 0; i < labels[k].n; i++) free(labels[k].names[i]);
        labels[k].n = 0;
    }
    armed_kind = kind;
    armed_at = at;
    fired = 0;
    fault_error = error;
}

unsigned long clg_fault_calls(int kind)
{
    return kind >= 0 && kind < CLG_FAULT_KINDS ? counts[kind] : 0;
}

int clg_fault_fired(void) { return fired; }

__attribute__((constructor)) static void from_env(void)
{
    const char *call = getenv("CLG_FAULT_CALL"), *at = getenv("CLG_FAULT_AT");
    const char *err = getenv("CLG_FAULT_ERROR");
    if (!call || !*call) return;
    int kind = clg_fault_kind(call);
    if (kind < 0) {
        fprintf(stderr, "clgfault: CLG_FAULT_CALL=%s is not a wrapped call; wrapped:", call);
        for (int k = 0; k < CLG_FAULT_KINDS; k++) fprintf(stderr, " %s", kind_names[k]);
        fprintf(stderr, "\n");
        return;
    }
    clg_fault_arm(kind, at ? strtoul(at, NULL, 10) : 1, err ? atoi(err) : 0);
}

/* Counts one call of kind; nonzero when this one must fail. */
static int should_fail(int kind)
{
    counts[kind]++;
    if (kind != armed_kind || fired || counts[kind] != armed_at) return 0;
    fired = 1;
    if (getenv("CLG_FAULT_VERBOSE"))
        fprintf(stderr, "clgfault: failing call %lu of %s\n", counts[kind], kind_names[kind]);
    return 1;
}

static cl_int error_for(cl_int fallback) { return fault_error ? fault_error : fallback; }

static void *real(const char *name)
{
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        fprintf(stderr, "clgfault: %s not found after the interposer\n", name);
        abort();
    }
    return f;
}

#define REAL(name) static __typeof__(name) *real_fn; if (!real_fn) real_fn = (__typeof__(name) *)real(#name)
#define SET(ret, code) do { if (ret) *(ret) = error_for(code); } while (0)

cl_int clGetPlatformIDs(cl_uint n, cl_platform_id *platforms, cl_uint *count)
{
    REAL(clGetPlatformIDs);
    if (should_fail(CLG_FAULT_clGetPlatformIDs)) return error_for(CL_OUT_OF_HOST_MEMORY);
    return real_fn(n, platforms, count);
}

cl_int clGetDeviceIDs(cl_platform_id platform, cl_device_type type, cl_uint n,
                      cl_device_id *devices, cl_uint *count)
{
    REAL(clGetDeviceIDs);
    if (should_fail(CLG_FAULT_clGetDeviceIDs)) return error_for(CL_OUT_OF_RESOURCES);
    return real_fn(platform, type, n, devices, count);
}

cl_context clCreateContext(const cl_context_properties *props, cl_uint n, const cl_device_id *devices,
                           void(CL_CALLBACK *notify)(const char *, const void *, size_t, void *),
                           void *user, cl_int *err)
{
    REAL(clCreateContext);
    if (should_fail(CLG_FAULT_clCreateContext)) {
        SET(err, CL_OUT_OF_RESOURCES);
        return NULL;
    }
    cl_context c = real_fn(props, n, devices, notify, user, err);
    live_made(c, CLG_FAULT_OBJ_CONTEXT);
    return c;
}

cl_command_queue clCreateCommandQueue(cl_context context, cl_device_id device,
                                      cl_command_queue_properties props, cl_int *err)
{
    REAL(clCreateCommandQueue);
    if (should_fail(CLG_FAULT_clCreateCommandQueue)) {
        SET(err, CL_OUT_OF_RESOURCES);
        return NULL;
    }
    cl_command_queue q = real_fn(context, device, props, err);
    live_made(q, CLG_FAULT_OBJ_QUEUE);
    return q;
}

cl_mem clCreateBuffer(cl_context context, cl_mem_flags flags, size_t size, void *host, cl_int *err)
{
    REAL(clCreateBuffer);
    if (should_fail(CLG_FAULT_clCreateBuffer)) {
        SET(err, CL_MEM_OBJECT_ALLOCATION_FAILURE);
        return NULL;
    }
    cl_mem m = real_fn(context, flags, size, host, err);
    live_made(m, CLG_FAULT_OBJ_MEM);
    return m;
}

cl_program clCreateProgramWithSource(cl_context context, cl_uint n, const char **strings,
                                     const size_t *lengths, cl_int *err)
{
    REAL(clCreateProgramWithSource);
    if (should_fail(CLG_FAULT_clCreateProgramWithSource)) {
        SET(err, CL_OUT_OF_RESOURCES);
        return NULL;
    }
    cl_program p = real_fn(context, n, strings, lengths, err);
    live_made(p, CLG_FAULT_OBJ_PROGRAM);
    return p;
}

cl_int clBuildProgram(cl_program program, cl_uint n, const cl_device_id *devices, const char *options,
                      void(CL_CALLBACK *notify)(cl_program, void *), void *user)
{
    REAL(clBuildProgram);
    if (should_fail(CLG_FAULT_clBuildProgram)) return error_for(CL_OUT_OF_RESOURCES);
    return real_fn(program, n, devices, options, notify, user);
}

cl_kernel clCreateKernel(cl_program program, const char *name, cl_int *err)
{
    REAL(clCreateKernel);
    label_add(CLG_FAULT_clCreateKernel, name);
    if (should_fail(CLG_FAULT_clCreateKernel)) {
        SET(err, CL_OUT_OF_RESOURCES);
        return NULL;
    }
    cl_kernel k = real_fn(program, name, err);
    live_made(k, CLG_FAULT_OBJ_KERNEL);
    return k;
}

cl_int clSetKernelArg(cl_kernel kernel, cl_uint index, size_t size, const void *value)
{
    REAL(clSetKernelArg);
    if (should_fail(CLG_FAULT_clSetKernelArg)) return error_for(CL_OUT_OF_RESOURCES);
    return real_fn(kernel, index, size, value);
}

cl_int clEnqueueWriteBuffer(cl_command_queue queue, cl_mem buffer, cl_bool blocking, size_t offset,
                            size_t size, const void *ptr, cl_uint n_wait, const cl_event *wait,
                            cl_event *event)
{
    REAL(clEnqueueWriteBuffer);
    if (should_fail(CLG_FAULT_clEnqueueWriteBuffer)) return error_for(CL_OUT_OF_RESOURCES);
    cl_int r = real_fn(queue, buffer, blocking, offset, size, ptr, n_wait, wait, event);
    if (r == CL_SUCCESS && event) live_made(*event, CLG_FAULT_OBJ_EVENT);
    return r;
}

cl_int clEnqueueReadBuffer(cl_command_queue queue, cl_mem buffer, cl_bool blocking, size_t offset,
                           size_t size, void *ptr, cl_uint n_wait, const cl_event *wait,
                           cl_event *event)
{
    REAL(clEnqueueReadBuffer);
    if (should_fail(CLG_FAULT_clEnqueueReadBuffer)) return error_for(CL_OUT_OF_RESOURCES);
    cl_int r = real_fn(queue, buffer, blocking, offset, size, ptr, n_wait, wait, event);
    if (r == CL_SUCCESS && event) live_made(*event, CLG_FAULT_OBJ_EVENT);
    return r;
}

cl_int clEnqueueNDRangeKernel(cl_command_queue queue, cl_kernel kernel, cl_uint dim,
                              const size_t *offset, const size_t *global, const size_t *local,
                              cl_uint n_wait, const cl_event *wait, cl_event *event)
{
    REAL(clEnqueueNDRangeKernel);
    {
        static __typeof__(clGetKernelInfo) *info;
        if (!info) info = (__typeof__(clGetKernelInfo) *)real("clGetKernelInfo");
        char name[128] = "?";
        info(kernel, CL_KERNEL_FUNCTION_NAME, sizeof name - 1, name, NULL);
        label_add(CLG_FAULT_clEnqueueNDRangeKernel, name);
    }
    if (should_fail(CLG_FAULT_clEnqueueNDRangeKernel)) return error_for(CL_OUT_OF_RESOURCES);
    cl_int r = real_fn(queue, kernel, dim, offset, global, local, n_wait, wait, event);
    if (r == CL_SUCCESS && event) live_made(*event, CLG_FAULT_OBJ_EVENT);
    return r;
}

cl_int clEnqueueMarkerWithWaitList(cl_command_queue queue, cl_uint n_wait, const cl_event *wait,
                                   cl_event *event)
{
    REAL(clEnqueueMarkerWithWaitList);
    if (should_fail(CLG_FAULT_clEnqueueMarkerWithWaitList)) return error_for(CL_OUT_OF_RESOURCES);
    cl_int r = real_fn(queue, n_wait, wait, event);
    if (r == CL_SUCCESS && event) live_made(*event, CLG_FAULT_OBJ_EVENT);
    return r;
}

cl_int clFinish(cl_command_queue queue)
{
    REAL(clFinish);
    if (should_fail(CLG_FAULT_clFinish)) {
        /* The real queue must still drain, or the caller may free memory in use. */
        real_fn(queue);
        return error_for(CL_OUT_OF_RESOURCES);
    }
    return real_fn(queue);
}

/* Retain and release: only reference counting, never a fault. */
#define REFCALL(name, type, handle_t, delta)                                                     \
    cl_int name(handle_t h)                                                                     \
    {                                                                                           \
        REAL(name);                                                                             \
        cl_int r = real_fn(h);                                                                  \
        if (r == CL_SUCCESS) live_ref(h, type, delta);                                          \
        return r;                                                                               \
    }
REFCALL(clRetainContext, CLG_FAULT_OBJ_CONTEXT, cl_context, +1)
REFCALL(clReleaseContext, CLG_FAULT_OBJ_CONTEXT, cl_context, -1)
REFCALL(clRetainCommandQueue, CLG_FAULT_OBJ_QUEUE, cl_command_queue, +1)
REFCALL(clReleaseCommandQueue, CLG_FAULT_OBJ_QUEUE, cl_command_queue, -1)
REFCALL(clRetainMemObject, CLG_FAULT_OBJ_MEM, cl_mem, +1)
REFCALL(clReleaseMemObject, CLG_FAULT_OBJ_MEM, cl_mem, -1)
REFCALL(clRetainProgram, CLG_FAULT_OBJ_PROGRAM, cl_program, +1)
REFCALL(clReleaseProgram, CLG_FAULT_OBJ_PROGRAM, cl_program, -1)
REFCALL(clRetainKernel, CLG_FAULT_OBJ_KERNEL, cl_kernel, +1)
REFCALL(clReleaseKernel, CLG_FAULT_OBJ_KERNEL, cl_kernel, -1)
REFCALL(clRetainEvent, CLG_FAULT_OBJ_EVENT, cl_event, +1)
REFCALL(clReleaseEvent, CLG_FAULT_OBJ_EVENT, cl_event, -1)
