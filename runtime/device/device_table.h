/*
 * The device table: what the runtime knows about each OpenCL implementation,
 * in one place. Planners and the program cache ask it instead of testing
 * platform names themselves. Rows are matched by platform name (and device
 * type); a device no row names gets the documented defaults of the last row.
 */
#ifndef CLG_DEVICE_TABLE_H
#define CLG_DEVICE_TABLE_H

#include "clgooglenet.h"

/* Which kernel family the planners use (runtime/ops/ops_conv_simt.h). */
typedef enum clg_kernel_family {
    CLG_FAMILY_CPU,  /* explicit vectors per work-item, no __local: what PoCL vectorises well */
    CLG_FAMILY_SIMT, /* work-group tiles in __local, small register tiles: GPUs, and CPU
                        drivers that vectorise across work-items */
    CLG_FAMILY_BY_TYPE, /* device table only: simt on GPUs, cpu on anything else */
} clg_kernel_family;

typedef struct clg_device_traits {
    const char *name;        /* short name: "pocl", "intel-cpu", ... (trace, tests) */
    const char *platform;    /* substring of CL_PLATFORM_NAME this row matches ("" = any) */
    int cpu_only;            /* the row applies to CPU devices only */
    /* Among devices that fit a spec equally ("cpu", or no spec at all), the
       lowest rank is chosen; a simulator ranks after every real device. */
    int rank;
    int simulator;
    /* Keep compiled programs on disk (runtime/programs/program_store.c): for drivers
       that keep no cache of their own, or whose cache still costs more than
       reading a binary back. */
    int program_store;
    /* OpenCL profiling timestamps measure the commands (per-layer times). */
    int timestamps;
    clg_kernel_family kernel_family; /* CLGOOGLENET_KERNELS overrides it */
    /* SIMT family: split K (runtime/ops/ops_conv_simt.c) until a launch has 4,096
       work-items and two work-groups per compute unit; 0: never (CPUs, where
       an extra launch costs more than the parallelism gives). */
    int simt_split_k;
    /* SIMT family: the most work-items per group (0: the device's and each
       kernel's own limits). For drivers whose kernels allow fewer than the
       device reports, so that the first choice already fits. */
    int simt_group_limit;
    /* Loop trips one work-item may run before the driver silently ends every
       loop of the kernel (0: no such limit). llvmpipe's gallivm counts the
       trips of all loops of a shader invocation together against
       LP_MAX_TGSI_LOOP_ITERATIONS (65535, mesa's lp_bld_limits.h) and then
       stops them without an error: the planners split work (conv2d_kvec's
       input channels, runtime/ops/ops_conv.c) to stay under it. */
    int loop_iteration_limit;
    /* The driver vectorises scalar kernels across work-items (Intel's CPU
       runtime): kernels whose scalar form it would vectorise badly take a
       form written for it (cl/winograd.cl's WI_VECTORS). */
    int work_item_vectors;
    /* Queues a batch-1 plan spreads independent Inception branches over when
       no count is asked (options.queues, CLGOOGLENET_QUEUES); 0: one. Larger
       batches use one queue, which keeps pass 5's pooled buffers and pass 3's
       1x1 groups. */
    int batch1_queues;
    /* Kernels get -DCLG_PREFETCH_HINTS=1 (cl/prelude.cl): the driver's
       compiler turns __builtin_prefetch into the CPU's prefetch
       instructions. Oclgrind cannot run them (llvm.prefetch). */
    int prefetch_hints;
    const char *why;         /* one line on the row's choices, for `devices --verbose` and docs */
} clg_device_traits;

/* The row that describes a device (never NULL). */
const clg_device_traits *clg_device_traits_of(const clg_device_info *info);

#endif
