#include "error.h"
#include "escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CLG_ERROR_CAPACITY 4096

static _Thread_local char last_error[CLG_ERROR_CAPACITY];
/* The node the last error is about, escaped; "" for none. */
static _Thread_local char last_node[CLG_ERROR_CAPACITY / 4];

const char *clg_last_error(void) { return last_error; }

const char *clg_last_error_node(void) { return last_node; }

/*
 * Messages carry names from models, files and the environment: every message
 * is escaped here, once, so no caller can print a hostile name raw
 * (runtime/util/escape.h). The escaped text is printable, so context added later
 * around it is escaped on its own and the old message kept as it is.
 */
clg_status clg_fail(clg_status status, const char *fmt, ...)
{
    char raw[CLG_ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    clg_escape(raw, last_error, sizeof last_error);
    last_node[0] = '\0';
    return status;
}

clg_status clg_fail_node(clg_status status, const char *node, const char *op, const char *fmt, ...)
{
    char what[CLG_ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (op) clg_fail(status, "node '%s' (%s): %s", node, op, what);
    else clg_fail(status, "node '%s': %s", node, what);
    clg_escape(node, last_node, sizeof last_node);
    return status;
}

clg_status clg_fail_node_context(clg_status status, const char *node, const char *op)
{
    clg_fail_context(status, "node '%s' (%s)", node, op);
    clg_escape(node, last_node, sizeof last_node);
    return status;
}

clg_status clg_fail_log(clg_status status, const char *log, const char *fmt, ...)
{
    char raw[CLG_ERROR_CAPACITY], head[CLG_ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    clg_escape(raw, head, sizeof head);
    size_t used = strlen(head);
    if (log && *log && used + 2 < sizeof head) {
        head[used++] = '\n';
        clg_escape_flags(log, CLG_ESCAPE_KEEP_NEWLINES, head + used, sizeof head - used);
    }
    memcpy(last_error, head, sizeof last_error);
    last_node[0] = '\0';
    return status;
}

void clg_warn(const char *fmt, ...)
{
    char raw[CLG_ERROR_CAPACITY], text[CLG_ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    fprintf(stderr, "clgooglenet: warning: %s\n", clg_escape(raw, text, sizeof text));
}

clg_status clg_fail_context(clg_status status, const char *fmt, ...)
{
    char raw[512], prefix[512];
    char previous[CLG_ERROR_CAPACITY];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(raw, sizeof raw, fmt, ap);
    va_end(ap);
    clg_escape(raw, prefix, sizeof prefix);
    memcpy(previous, last_error, sizeof previous);
    /* Bounded so the combined message always fits (the tail may be cut). */
    snprintf(last_error, sizeof last_error, "%s: %.*s", prefix,
             (int)(sizeof last_error - strlen(prefix) - 3), previous);
    return status;
}

const char *clg_status_to_string(clg_status status)
{
    switch (status) {
    case CLG_OK: return "CLG_OK";
    case CLG_ERR_INVALID_ARGUMENT: return "CLG_ERR_INVALID_ARGUMENT";
    case CLG_ERR_IO: return "CLG_ERR_IO";
    case CLG_ERR_PARSE: return "CLG_ERR_PARSE";
    case CLG_ERR_UNSUPPORTED: return "CLG_ERR_UNSUPPORTED";
    case CLG_ERR_SHAPE: return "CLG_ERR_SHAPE";
    case CLG_ERR_DEVICE_NOT_FOUND: return "CLG_ERR_DEVICE_NOT_FOUND";
    case CLG_ERR_OPENCL: return "CLG_ERR_OPENCL";
    case CLG_ERR_OUT_OF_MEMORY: return "CLG_ERR_OUT_OF_MEMORY";
    case CLG_ERR_KERNEL_BUILD: return "CLG_ERR_KERNEL_BUILD";
    }
    return "CLG_ERR_UNKNOWN";
}

const char *clg_cl_error_name(int err)
{
    switch (err) {
#define E(x, v) case v: return #x;
    E(CL_SUCCESS, 0)
    E(CL_DEVICE_NOT_FOUND, -1)
    E(CL_DEVICE_NOT_AVAILABLE, -2)
    E(CL_COMPILER_NOT_AVAILABLE, -3)
    E(CL_MEM_OBJECT_ALLOCATION_FAILURE, -4)
    E(CL_OUT_OF_RESOURCES, -5)
    E(CL_OUT_OF_HOST_MEMORY, -6)
    E(CL_PROFILING_INFO_NOT_AVAILABLE, -7)
    E(CL_MEM_COPY_OVERLAP, -8)
    E(CL_IMAGE_FORMAT_MISMATCH, -9)
    E(CL_IMAGE_FORMAT_NOT_SUPPORTED, -10)
    E(CL_BUILD_PROGRAM_FAILURE, -11)
    E(CL_MAP_FAILURE, -12)
    E(CL_MISALIGNED_SUB_BUFFER_OFFSET, -13)
    E(CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST, -14)
    E(CL_COMPILE_PROGRAM_FAILURE, -15)
    E(CL_LINKER_NOT_AVAILABLE, -16)
    E(CL_LINK_PROGRAM_FAILURE, -17)
    E(CL_INVALID_VALUE, -30)
    E(CL_INVALID_DEVICE_TYPE, -31)
    E(CL_INVALID_PLATFORM, -32)
    E(CL_INVALID_DEVICE, -33)
    E(CL_INVALID_CONTEXT, -34)
    E(CL_INVALID_QUEUE_PROPERTIES, -35)
    E(CL_INVALID_COMMAND_QUEUE, -36)
    E(CL_INVALID_HOST_PTR, -37)
    E(CL_INVALID_MEM_OBJECT, -38)
    E(CL_INVALID_IMAGE_FORMAT_DESCRIPTOR, -39)
    E(CL_INVALID_IMAGE_SIZE, -40)
    E(CL_INVALID_SAMPLER, -41)
    E(CL_INVALID_BINARY, -42)
    E(CL_INVALID_BUILD_OPTIONS, -43)
    E(CL_INVALID_PROGRAM, -44)
    E(CL_INVALID_PROGRAM_EXECUTABLE, -45)
    E(CL_INVALID_KERNEL_NAME, -46)
    E(CL_INVALID_KERNEL_DEFINITION, -47)
    E(CL_INVALID_KERNEL, -48)
    E(CL_INVALID_ARG_INDEX, -49)
    E(CL_INVALID_ARG_VALUE, -50)
    E(CL_INVALID_ARG_SIZE, -51)
    E(CL_INVALID_KERNEL_ARGS, -52)
    E(CL_INVALID_WORK_DIMENSION, -53)
    E(CL_INVALID_WORK_GROUP_SIZE, -54)
    E(CL_INVALID_WORK_ITEM_SIZE, -55)
    E(CL_INVALID_GLOBAL_OFFSET, -56)
    E(CL_INVALID_EVENT_WAIT_LIST, -57)
    E(CL_INVALID_EVENT, -58)
    E(CL_INVALID_OPERATION, -59)
    E(CL_INVALID_GL_OBJECT, -60)
    E(CL_INVALID_BUFFER_SIZE, -61)
    E(CL_INVALID_MIP_LEVEL, -62)
    E(CL_INVALID_GLOBAL_WORK_SIZE, -63)
    E(CL_INVALID_PROPERTY, -64)
    E(CL_PLATFORM_NOT_FOUND_KHR, -1001)
#undef E
    }
    return "CL_UNKNOWN_ERROR";
}
