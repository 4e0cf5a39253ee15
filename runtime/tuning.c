/* Tuning cache: see tuning.h. */
#include "tuning.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

clg_tune_mode clg_tune_mode_get(const clg_context *ctx)
{
    switch (ctx ? ctx->options.tuning : CLG_TUNING_DEFAULT) {
    case CLG_TUNING_OFF: return CLG_TUNE_OFF;
    case CLG_TUNING_CACHED: return CLG_TUNE_CACHED;
    case CLG_TUNING_ON: return CLG_TUNE_ON;
    case CLG_TUNING_FORCE: return CLG_TUNE_FORCE;
    case CLG_TUNING_DEFAULT: break;
    }
    const char *v = getenv(CLG_TUNE_ENV);
    if (!v || !*v) return CLG_TUNE_CACHED;
    if (strcmp(v, "0") == 0 || strcmp(v, "off") == 0) return CLG_TUNE_OFF;
    if (strcmp(v, "force") == 0) return CLG_TUNE_FORCE;
    return CLG_TUNE_ON;
}

const char *clg_tune_cache_path(void)
{
    static _Thread_local char path[1024];
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && *xdg) n = snprintf(path, sizeof path, "%s/clgooglenet/tuning.txt", xdg);
    else if (home && *home) n = snprintf(path, sizeof path, "%s/.cache/clgooglenet/tuning.txt", home);
    else return NULL;
    return n > 0 && (size_t)n < sizeof path ? path : NULL;
}

/* "device|driver|" prefix of this context's entries ('|' and newlines in names become '_'). */
static void device_prefix(const clg_context *ctx, char *buf, size_t size)
{
    snprintf(buf, size, "%s|%s|", ctx->info.device_name, ctx->info.driver_version);
    size_t len = strlen(buf);
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] == '\n' || buf[i] == '\r') buf[i] = '_';
    }
    /* Only the last two '|' are separators. */
    int seps = 0;
    for (size_t i = len; i-- > 0;) {
        if (buf[i] == '|' && seps < 2) seps++;
        else if (buf[i] == '|') buf[i] = '_';
    }
}

int clg_tune_lookup(const clg_context *ctx, const char *key, char *value, size_t size)
{
    const char *path = clg_tune_cache_path();
    if (!path || size == 0) return 0;
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    char prefix[400], line[1024];
    device_prefix(ctx, prefix, sizeof prefix);
    const size_t plen = strlen(prefix), klen = strlen(key);
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (len > plen + klen + 1 && strncmp(line, prefix, plen) == 0 &&
            strncmp(line + plen, key, klen) == 0 && line[plen + klen] == ' ') {
            snprintf(value, size, "%s", line + plen + klen + 1);
            found = 1; /* keep reading: the last entry wins */
        }
    }
    fclose(f);
    return found;
}

/* mkdir -p for the cache file's directory. */
static void make_parent_dirs(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash) return;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0755) != 0 && errno != EEXIST) return;
            *p = '/';
        }
    }
    mkdir(dir, 0755);
}

void clg_tune_store(const clg_context *ctx, const char *key, const char *value)
{
    const char *path = clg_tune_cache_path();
    if (!path) return;
    make_parent_dirs(path);
    FILE *f = fopen(path, "a");
    if (!f) return;
    char prefix[400];
    device_prefix(ctx, prefix, sizeof prefix);
    fprintf(f, "%s%s %s\n", prefix, key, value);
    fclose(f);
}

double clg_tune_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
