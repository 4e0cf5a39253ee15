/* Device enumeration helpers shared inside the runtime (context creation, CLI). */
#ifndef CLG_DEVICE_H
#define CLG_DEVICE_H

#include <CL/cl.h>

#include "clgooglenet.h"

/* "cpu", "gpu", "accelerator" or "other" (also for values outside the enum). */
const char *clg_device_type_name(clg_device_type t);

/*
 * Re-enumerates OpenCL and returns the ids of the device that info describes
 * (by platform_index / device_index). CLG_ERR_DEVICE_NOT_FOUND if it no
 * longer exists or another device now sits at that position.
 */
clg_status clg_device_open(const clg_device_info *info, cl_platform_id *platform,
                           cl_device_id *device);

#endif
