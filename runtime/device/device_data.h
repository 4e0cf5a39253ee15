/*
 * Host float32 data in and out of device buffers that hold the context's
 * element type: float, or half in half contexts (clg_context_half). The
 * library's host side (weights, inputs, outputs, tensors) is float32
 * throughout; these are the only places where half appears on the host.
 * Conversions round to nearest, ties to even (util/half.h).
 */
#ifndef CLG_DEVICE_DATA_H
#define CLG_DEVICE_DATA_H

#include <stddef.h>

#include <CL/cl.h>

#include "context.h"

/* A new buffer of count elements (at least one) holding data (NULL: left
   uninitialised), as clCreateBuffer with CL_MEM_COPY_HOST_PTR. */
cl_mem clg_buffer_of_floats(clg_context *ctx, cl_mem_flags flags, const float *data, size_t count, cl_int *err);

/* The same with the element type given: half when `half`, else float (buffers
   that hold the kernels' compute type rather than the context's storage type). */
cl_mem clg_buffer_of_elements(clg_context *ctx, cl_mem_flags flags, const float *data, size_t count, int half,
                              cl_int *err);

/* Writes count floats from src into buf from its start. Half contexts
   convert into a staging copy and write blocking (the copy is then freed);
   float contexts enqueue a non-blocking write, so src must outlive *ev. */
cl_int clg_write_floats(clg_context *ctx, cl_command_queue q, cl_mem buf, const float *src, size_t count,
                        cl_event *ev);

/* Reads count elements from the start of buf into dst as floats, after
   the events in wait, blocking. */
cl_int clg_read_floats(clg_context *ctx, cl_command_queue q, cl_mem buf, float *dst, size_t count,
                       cl_uint n_wait, const cl_event *wait, cl_event *ev);

#endif
