/* Text caches read and extended without trusting them: see device_cache.h. */
#include "device_cache.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "context.h"
#include "error.h"
#include "file_read.h"
#include "safe_write.h"

int clg_cache_path(const clg_context *ctx, const char *name, char *path, size_t size)
{
    char dir[4096];
    if (!clg_cache_dir(ctx, dir, sizeof dir)) return 0;
    int n = snprintf(path, size, "%s/%s", dir, name);
    return n > 0 && (size_t)n < size;
}

char *clg_cache_read(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0 && errno == ENOENT) return NULL;
    /* The caller's last error must survive a cache that is only ignored. */
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", clg_last_error());
    unsigned char *data = NULL;
    size_t size = 0;
    char *text = NULL;
    if (clg_read_file_limit(path, "cache file", CLG_CACHE_MAX_BYTES, &data, &size) != CLG_OK) {
        /* Once per file and thread: a plan looks its cache up once per layer. */
        static _Thread_local char warned[1024];
        if (strncmp(warned, path, sizeof warned - 1) != 0) {
            clg_warn("ignoring a cache: %s", clg_last_error());
            snprintf(warned, sizeof warned, "%s", path);
        }
    } else if ((text = realloc(data, size + 1))) {
        text[size] = '\0';
    } else {
        free(data);
    }
    clg_fail(CLG_OK, "%s", saved);
    return text;
}

char *clg_cache_next_line(char **cursor)
{
    char *line = *cursor;
    if (!line || !*line) return NULL;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        *cursor = nl + 1;
    } else {
        *cursor = line + strlen(line);
    }
    return line;
}

int clg_cache_make_dirs(const char *path)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) return 0;
    char *slash = strrchr(dir, '/');
    if (!slash) return 1;
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0755) != 0 && errno != EEXIST) return 0;
            *p = '/';
        }
    }
    return mkdir(dir, 0755) == 0 || errno == EEXIST;
}

void clg_cache_append(const char *path, const char *line)
{
    char saved[4096];
    snprintf(saved, sizeof saved, "%s", clg_last_error());
    clg_cache_make_dirs(path);
    /* The old contents plus the line, renamed into place; an ignored cache starts afresh. */
    char *old = clg_cache_read(path);
    clg_out_file out;
    if (clg_out_open(&out, path, "cache file") == CLG_OK) {
        if (old) fputs(old, out.f);
        if (old && *old && old[strlen(old) - 1] != '\n') fputc('\n', out.f);
        fprintf(out.f, "%s\n", line);
        if (clg_out_commit(&out) != CLG_OK) clg_warn("%s", clg_last_error());
    } else {
        clg_warn("%s", clg_last_error());
    }
    free(old);
    clg_fail(CLG_OK, "%s", saved);
}

void clg_cache_device_key(const clg_context *ctx, char *key, size_t size)
{
    const char *fields[3] = {ctx->info.platform_name, ctx->info.device_name, ctx->info.driver_version};
    size_t at = 0;
    if (size == 0) return;
    for (int f = 0; f < 3; f++) {
        if (f && at + 1 < size) key[at++] = '|';
        for (const char *c = fields[f]; *c && at + 1 < size; c++)
            key[at++] = (*c == '|' || *c == '\t' || *c == '\n' || *c == '\r') ? '_' : *c;
    }
    key[at] = '\0';
}

double clg_cache_clock_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
