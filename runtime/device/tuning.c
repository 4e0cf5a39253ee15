/* Tuning cache: see tuning.h. */
#include "tuning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "device_cache.h"

clg_tune_mode clg_tune_mode_get(const clg_context *ctx)
{
    /* The cache holds float32 timings and the candidates are checked on
       float data: half contexts take the heuristics. */
    if (clg_context_half(ctx)) return CLG_TUNE_OFF;
    switch (clg_context_tuning(ctx)) {
    case CLG_TUNING_OFF: return CLG_TUNE_OFF;
    case CLG_TUNING_ON: return CLG_TUNE_ON;
    case CLG_TUNING_FORCE: return CLG_TUNE_FORCE;
    default: return CLG_TUNE_CACHED;
    }
}

const char *clg_tune_cache_path(const clg_context *ctx)
{
    static _Thread_local char path[1024];
    return clg_cache_path(ctx, "tuning.txt", path, sizeof path) ? path : NULL;
}

/* "KEY|" (clg_cache_device_key) in front of this context's entries. */
static void device_prefix(const clg_context *ctx, char *buf, size_t size)
{
    clg_cache_device_key(ctx, buf, size);
    const size_t len = strlen(buf);
    if (len + 1 < size) buf[len] = '|', buf[len + 1] = '\0';
}

int clg_tune_lookup(const clg_context *ctx, const char *key, char *value, size_t size)
{
    const char *path = clg_tune_cache_path(ctx);
    if (!path || size == 0) return 0;
    char *text = clg_cache_read(path), *cursor = text, *line;
    if (!text) return 0;
    char prefix[400];
    device_prefix(ctx, prefix, sizeof prefix);
    const size_t plen = strlen(prefix), klen = strlen(key);
    int found = 0;
    while ((line = clg_cache_next_line(&cursor))) {
        size_t len = strlen(line);
        while (len && line[len - 1] == '\r') line[--len] = '\0';
        if (len > plen + klen + 1 && strncmp(line, prefix, plen) == 0 &&
            strncmp(line + plen, key, klen) == 0 && line[plen + klen] == ' ') {
            snprintf(value, size, "%s", line + plen + klen + 1);
            found = 1; /* keep reading: the last entry wins */
        }
    }
    free(text);
    return found;
}

void clg_tune_store(const clg_context *ctx, const char *key, const char *value)
{
    const char *path = clg_tune_cache_path(ctx);
    if (!path) return;
    char prefix[400], line[1024];
    device_prefix(ctx, prefix, sizeof prefix);
    snprintf(line, sizeof line, "%s%s %s", prefix, key, value);
    clg_cache_append(path, line);
}
