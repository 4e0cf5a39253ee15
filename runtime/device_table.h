/*
 * The device table: what the runtime knows about each OpenCL implementation,
 * in one place. Planners and the program cache ask it instead of testing
 * platform names themselves. Rows are matched by platform name (and device
 * type); a device no row names gets the documented defaults of the last row.
 */
#ifndef CLG_DEVICE_TABLE_H
#define CLG_DEVICE_TABLE_H

#include "clgooglenet.h"

typedef struct clg_device_traits {
    const char *name;        /* short name: "pocl", "intel-cpu", ... (trace, tests) */
    const char *platform;    /* substring of CL_PLATFORM_NAME this row matches ("" = any) */
    int cpu_only;            /* the row applies to CPU devices only */
    /* Among devices that fit a spec equally ("cpu", or no spec at all), the
       lowest rank is chosen; a simulator ranks after every real device. */
    int rank;
    int simulator;
    /* Keep compiled programs on disk (runtime/program_store.c): for drivers
       that keep no cache of their own, or whose cache still costs more than
       reading a binary back. */
    int program_store;
    /* OpenCL profiling timestamps measure the commands (per-layer times). */
    int timestamps;
    const char *why;         /* one line on the row's choices, for `devices --verbose` and docs */
} clg_device_traits;

/* The row that describes a device (never NULL). */
const clg_device_traits *clg_device_traits_of(const clg_device_info *info);

#endif
