#include "kernel_args.h"

#include "error.h"

clg_args clg_args_begin(cl_kernel kernel)
{
    return (clg_args){.kernel = kernel, .next = 0, .status = CLG_OK};
}

void clg_args_raw(clg_args *a, size_t size, const void *value)
{
    cl_uint index = a->next++;
    if (a->status != CLG_OK || !a->kernel) return;
    cl_int err = clSetKernelArg(a->kernel, index, size, value);
    if (err == CL_SUCCESS) return;
    char name[128] = "?";
    clGetKernelInfo(a->kernel, CL_KERNEL_FUNCTION_NAME, sizeof name - 1, name, NULL);
    a->status = clg_fail(CLG_ERR_OPENCL, "clSetKernelArg(%s, arg %u) failed: %s", name, index,
                         clg_cl_error_name(err));
}

void clg_args_mem(clg_args *a, cl_mem mem)
{
    clg_args_raw(a, sizeof mem, &mem);
}

void clg_args_int(clg_args *a, cl_int value)
{
    clg_args_raw(a, sizeof value, &value);
}

void clg_args_float(clg_args *a, cl_float value)
{
    clg_args_raw(a, sizeof value, &value);
}

void clg_args_mems(clg_args *a, const cl_mem *mems, size_t count)
{
    for (size_t i = 0; i < count; i++) clg_args_mem(a, mems[i]);
}

void clg_args_ints(clg_args *a, const int *values, size_t count)
{
    for (size_t i = 0; i < count; i++) clg_args_int(a, values[i]);
}

clg_status clg_args_end(const clg_args *a)
{
    return a->status;
}
