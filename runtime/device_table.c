/*
 * The device table (device_table.h). Figures behind the choices were measured
 * on a 2-core AVX-512 machine; README "OpenCL implementations" has them.
 */
#include "device_table.h"

#include <string.h>

static const clg_device_traits table[] = {
    {"pocl", "Portable Computing Language", 0, 0, 0, 0,
     "PoCL keeps its own kernel cache (~/.cache/pocl); asking it for binaries costs extra compiles"},
    {"intel-cpu", "Intel(R) OpenCL", 1, 1, 0, 1,
     "Intel's CPU runtime keeps no kernel cache: every process would compile for 17-38 s"},
    {"rusticl", "rusticl", 0, 2, 0, 1,
     "Mesa rusticl (llvmpipe): at most 32 work-items per group; its disk cache still recompiles"},
    {"oclgrind", "Oclgrind", 0, 9, 1, 0,
     "a simulator that checks memory accesses: never chosen by default, always built from source"},
    /* GPU drivers: binaries kept (not measured here); an entry that fails to
       load is rebuilt from source, so the choice can only cost a file. */
    {"nvidia", "NVIDIA CUDA", 0, 0, 0, 1, "NVIDIA GPUs: compiled programs are kept"},
    {"amd", "AMD Accelerated Parallel Processing", 0, 0, 0, 1, "AMD GPUs: compiled programs are kept"},
    /* Last: any other device (Intel GPUs among them). */
    {"other", "", 0, 5, 0, 1, "an implementation this table does not name: binaries are kept"},
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
