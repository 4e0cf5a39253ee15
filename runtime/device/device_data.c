#include "device_data.h"

#include <stdint.h>
#include <stdlib.h>

#include "half.h"

/* count floats as halves in a new array (NULL: out of memory). */
static uint16_t *to_half(const float *src, size_t count)
{
    uint16_t *h = malloc((count ? count : 1) * sizeof *h);
    if (h)
        for (size_t i = 0; i < count; i++) h[i] = clg_float_to_half(src[i]);
    return h;
}

cl_mem clg_buffer_of_floats(clg_context *ctx, cl_mem_flags flags, const float *data, size_t count, cl_int *err)
{
    return clg_buffer_of_elements(ctx, flags, data, count, clg_context_half(ctx), err);
}

cl_mem clg_buffer_of_elements(clg_context *ctx, cl_mem_flags flags, const float *data, size_t count, int half,
                              cl_int *err)
{
    const size_t bytes = (count ? count : 1) * (half ? sizeof(uint16_t) : sizeof(float));
    if (!data) return clCreateBuffer(ctx->context, flags, bytes, NULL, err);
    if (!half) return clCreateBuffer(ctx->context, flags | CL_MEM_COPY_HOST_PTR, bytes, (void *)data, err);
    uint16_t *h = to_half(data, count);
    if (!h) {
        *err = CL_OUT_OF_HOST_MEMORY;
        return NULL;
    }
    cl_mem m = clCreateBuffer(ctx->context, flags | CL_MEM_COPY_HOST_PTR, bytes, h, err);
    free(h);
    return m;
}

cl_int clg_write_floats(clg_context *ctx, cl_command_queue q, cl_mem buf, const float *src, size_t count,
                        cl_event *ev)
{
    if (!clg_context_half(ctx)) return clEnqueueWriteBuffer(q, buf, CL_FALSE, 0, count * sizeof(float), src, 0, NULL, ev);
    uint16_t *h = to_half(src, count);
    if (!h) return CL_OUT_OF_HOST_MEMORY;
    cl_int err = clEnqueueWriteBuffer(q, buf, CL_TRUE, 0, count * sizeof *h, h, 0, NULL, ev);
    free(h);
    return err;
}

cl_int clg_read_floats(clg_context *ctx, cl_command_queue q, cl_mem buf, float *dst, size_t count,
                       cl_uint n_wait, const cl_event *wait, cl_event *ev)
{
    if (!clg_context_half(ctx))
        return clEnqueueReadBuffer(q, buf, CL_TRUE, 0, count * sizeof(float), dst, n_wait, wait, ev);
    uint16_t *h = malloc((count ? count : 1) * sizeof *h);
    if (!h) return CL_OUT_OF_HOST_MEMORY;
    cl_int err = clEnqueueReadBuffer(q, buf, CL_TRUE, 0, count * sizeof *h, h, n_wait, wait, ev);
    if (err == CL_SUCCESS)
        for (size_t i = 0; i < count; i++) dst[i] = clg_half_to_float(h[i]);
    free(h);
    return err;
}
