/*
 * Settings the CLI gives the OpenCL CPU runtimes before they load, where the
 * user has not chosen: each is an environment variable the runtime reads at
 * start-up, so it cannot be set later, and a library that embeds clgooglenet
 * should not change its host's environment (README, "Implementations").
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

/*
 * Intel's OpenCL CPU runtime picks the instruction set it compiles for from
 * the CPU model. Under a hypervisor that reports a generic model it misses
 * AVX512-FP16 and computes half through float conversions: a tenth of the
 * FMA rate (measured on a Sapphire Rapids VM: 40 against 800 GFLOP/s).
 */
static void intel_cpu_target_hint(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512fp16")) setenv("CL_CONFIG_CPU_TARGET_ARCH", "sapphirerapids", 0);
#endif
}

/*
 * PoCL's worker threads start where Linux puts them, often two on one core,
 * and the kernel's load balancer separates them only after some tens of
 * milliseconds: a short process (one `infer`, a benchmark round) ran its
 * first ten batch-1 runs at half speed (d2l GoogLeNet, 2 cores: 5.0 against
 * 3.4 ms). POCL_AFFINITY=1 pins worker i to CPU i from the start. PoCL pins
 * by index, ignoring the process's CPU mask, so the hint is given only where
 * that mask is every online CPU (not under taskset or a cpuset) and the
 * thread count is PoCL's default.
 */
static void pocl_affinity_hint(void)
{
#ifdef __linux__
    if (getenv("POCL_AFFINITY") || getenv("POCL_MAX_PTHREAD_COUNT")) return;
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t mask;
    if (online < 1 || online > CPU_SETSIZE || sched_getaffinity(0, sizeof mask, &mask) != 0) return;
    if (CPU_COUNT(&mask) != online) return;
    for (long c = 0; c < online; c++)
        if (!CPU_ISSET(c, &mask)) return;
    setenv("POCL_AFFINITY", "1", 0);
#endif
}

void cli_runtime_hints(void)
{
    intel_cpu_target_hint();
    pocl_affinity_hint();
}
