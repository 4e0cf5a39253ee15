/*
 * The device table (device_table.h). Figures behind the choices were measured
 * on a 2-core AVX-512 machine; README "OpenCL implementations" has them.
 */
#include "device_table.h"

#include <string.h>

#include "error.h"

/*
 * Kernel family (README "Kernel families"): the SIMT family is the default on
 * GPUs; on Intel's CPU runtime, which vectorises across work-items, it was
 * measured against the CPU family (d2l GoogLeNet, same binary, same run, a
 * shared 2-core machine) and lost at both batch sizes (batch 1: 20 ms vs
 * 7 ms median; batch 32: 96-101 vs 152-156 img/s), so the CPU family stays
 * there; CLGOOGLENET_KERNELS=simt still runs it anywhere. Split-K (the last
 * value) pays on GPUs, where a batch-1 launch must fill the device; on CPU
 * drivers an extra reduction launch costs more than it gives.
 *
 * Batch-1 queues: PoCL's pthread driver leaves a core idle at the end of
 * every small launch; with the branches of each Inception block on four
 * queues, one branch's work-groups fill it (d2l GoogLeNet, batch 1, 200
 * runs: 2.73-2.78 ms median against 3.07-3.27 ms on one queue; the basic
 * driver about even, 4.29-4.42 against 4.35-4.66). Intel's runtime lost
 * (3.05-3.09 against 2.51-2.58 ms), so it keeps one.
 */
static const clg_device_traits table[] = {
    {.name = "pocl", .platform = "Portable Computing Language", .rank = 0, .timestamps = 1,
     .kernel_family = CLG_FAMILY_CPU, .simt_split_k = 1, .batch1_queues = 4, .prefetch_hints = 1,
     .why = "PoCL keeps its own kernel cache (~/.cache/pocl); asking it for binaries costs extra compiles"},
    {.name = "intel-cpu", .platform = "Intel(R) OpenCL", .cpu_only = 1, .rank = 1, .program_store = 1,
     .timestamps = 1, .kernel_family = CLG_FAMILY_CPU, .simt_split_k = 0, .work_item_vectors = 1, .prefetch_hints = 1,
     .why = "Intel's CPU runtime keeps no kernel cache: every process would compile for 17-38 s"},
    /* Mesa 22.3's rusticl reports every command as lasting 1 ns; llvmpipe
       ends all loops of a work-item after 65,535 trips in all (measured:
       conv2d_kvec 3x3 went wrong from 349 input channels). Its device
       reports groups of 1,024 work-items, but every kernel built there
       reports CL_KERNEL_WORK_GROUP_SIZE 32. */
    {.name = "rusticl", .platform = "rusticl", .rank = 2, .program_store = 1, .timestamps = 0,
     .kernel_family = CLG_FAMILY_CPU, .simt_split_k = 1, .simt_group_limit = 32, .loop_iteration_limit = 65535,
     .why = "Mesa rusticl (llvmpipe): at most 32 work-items per group, no profiling times, 65,535 loop trips per work-item"},
    {.name = "oclgrind", .platform = "Oclgrind", .rank = 9, .simulator = 1, .timestamps = 1,
     .kernel_family = CLG_FAMILY_CPU, .simt_split_k = 1,
     .why = "a simulator that checks memory accesses: never chosen by default, always built from source"},
    /* GPU drivers: binaries kept (not measured here); an entry that fails to
       load is rebuilt from source, so the choice can only cost a file. */
    {.name = "nvidia", .platform = "NVIDIA CUDA", .rank = 0, .program_store = 1, .timestamps = 1,
     .kernel_family = CLG_FAMILY_SIMT, .simt_split_k = 1, .why = "NVIDIA GPUs: compiled programs are kept"},
    {.name = "amd", .platform = "AMD Accelerated Parallel Processing", .rank = 0, .program_store = 1,
     .timestamps = 1, .kernel_family = CLG_FAMILY_SIMT, .simt_split_k = 1,
     .why = "AMD GPUs: compiled programs are kept"},
    /* Last: any other device (Intel GPUs among them). */
    {.name = "other", .platform = "", .rank = 5, .program_store = 1, .timestamps = 1,
     .kernel_family = CLG_FAMILY_BY_TYPE, .simt_split_k = 1,
     .why = "an implementation this table does not name: binaries are kept"},
};

/* Whether hay[0..cap) contains needle (names in device info may lack a NUL). */
static int contains(const char *hay, size_t cap, const char *needle)
{
    size_t hay_len = 0, n = strlen(needle);
    while (hay_len < cap && hay[hay_len]) hay_len++;
    for (size_t i = 0; i + n <= hay_len; i++)
        if (memcmp(hay + i, needle, n) == 0) return 1;
    return 0;
}

const clg_device_traits *clg_device_traits_of(const clg_device_info *info)
{
    const size_t n = sizeof table / sizeof table[0];
    for (size_t i = 0; i + 1 < n; i++) {
        const clg_device_traits *t = &table[i];
        if (t->cpu_only && info->type != CLG_DEVICE_CPU) continue;
        if (contains(info->platform_name, sizeof info->platform_name, t->platform)) return t;
    }
    return &table[n - 1];
}

clg_status clg_device_table_row_of(const clg_device_info *device, clg_device_table_row *row)
{
    if (!device || !row) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_device_table_row_of: NULL argument");
    const clg_device_traits *t = clg_device_traits_of(device);
    *row = (clg_device_table_row){t->name, t->why, t->timestamps};
    return CLG_OK;
}
