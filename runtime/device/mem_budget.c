/* Memory budget of a plan: see mem_budget.h. */
#include "mem_budget.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "error.h"

/* "Key:   12345 kB" from a /proc file, in bytes; 0 when absent. */
static uint64_t proc_kb(const char *path, const char *key)
{
    FILE *f = fopen(path, "r"); /* /proc files are small and never block */
    if (!f) return 0;
    char line[256];
    size_t klen = strlen(key);
    unsigned long long kb = 0;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
            if (sscanf(line + klen + 1, "%llu", &kb) != 1) kb = 0;
            break;
        }
    fclose(f);
    return (uint64_t)kb * 1024;
}

static double gib(uint64_t bytes) { return (double)bytes / 1073741824.0; }

/* Address space left under RLIMIT_AS (ulimit -v); UINT64_MAX when unlimited. */
static uint64_t address_space_left(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_AS, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return UINT64_MAX;
    uint64_t used = proc_kb("/proc/self/status", "VmSize");
    return (uint64_t)rl.rlim_cur > used ? (uint64_t)rl.rlim_cur - used : 0;
}

/* Lowers b's budget to what the host can still give: MemAvailable, and the
   address space left under ulimit -v. */
static void host_limits(clg_memory_budget *b)
{
    const uint64_t avail = proc_kb("/proc/meminfo", "MemAvailable"), as_left = address_space_left();
    if (avail && avail < b->available) {
        b->available = avail;
        snprintf(b->source, sizeof b->source, "host MemAvailable %.2f GiB", gib(avail));
    }
    if (as_left < b->available) {
        b->available = as_left;
        snprintf(b->source, sizeof b->source, "address space left under ulimit -v %.2f GiB", gib(as_left));
    }
}

void clg_memory_budget_host(clg_memory_budget *b)
{
    memset(b, 0, sizeof *b);
    b->available = UINT64_MAX; /* no /proc and no ulimit -v: no limit known */
    snprintf(b->source, sizeof b->source, "no MemAvailable");
    host_limits(b);
    b->limit = b->available - b->available / 8;
}

void clg_memory_budget_get(const clg_context *ctx, uint64_t held, clg_memory_budget *b)
{
    memset(b, 0, sizeof *b);
    b->device_bytes = ctx->info.global_memory_bytes;
    b->available = b->device_bytes > held ? b->device_bytes - held : 0;
    snprintf(b->source, sizeof b->source, "CL_DEVICE_GLOBAL_MEM_SIZE %.2f GiB less %.2f GiB the model holds",
             gib(b->device_bytes), gib(held));
    /* A CPU device's buffers are host memory: what the host can still give counts. */
    if (ctx->info.type == CLG_DEVICE_CPU) host_limits(b);
    b->limit = b->available - b->available / 8;
}

clg_status clg_memory_budget_check(const clg_context *ctx, uint64_t need, uint64_t held, const char *what)
{
    clg_memory_budget b;
    clg_memory_budget_get(ctx, held, &b);
    if (need <= b.limit) return CLG_OK;
    return clg_fail(CLG_ERR_OUT_OF_MEMORY,
                    "%s: needs %llu bytes (%.2f GiB) of device memory, more than the %llu bytes (%.2f GiB) "
                    "available (%s, less 1/8 kept for the driver); nothing was allocated",
                    what, (unsigned long long)need, gib(need), (unsigned long long)b.limit, gib(b.limit), b.source);
}
