/*
 * The device caches under $XDG_CACHE_HOME/clgooglenet/: what is measured once
 * per device and driver (tuning.txt, tuning.c; peak.txt, peak.c) under one
 * device key, and the folder of the program store (program_store.c). The
 * text caches are read and extended without trusting them: a cache that is not a
 * regular file (a FIFO would block forever, /dev/zero never ends) or larger
 * than any real cache is ignored with a warning, and a line is added by
 * writing the whole new file beside the old one and renaming it into place
 * (safe_write.h), so a full disk never truncates the cache.
 */
#ifndef CLG_DEVICE_CACHE_H
#define CLG_DEVICE_CACHE_H

#include <stdint.h>
#include <stdio.h>

#include "clgooglenet.h"
#include "context.h"

/* Largest cache file read: thousands of times what a real one holds. */
#define CLG_CACHE_MAX_BYTES ((uint64_t)4 << 20)

/*
 * "$XDG_CACHE_HOME/clgooglenet/NAME" (else ~/.cache/clgooglenet/NAME) into
 * path, as the context resolved it when it was made (ctx NULL: the
 * environment now); 0 when neither variable is set or the path does not fit.
 */
int clg_cache_path(const clg_context *ctx, const char *name, char *path, size_t size);

/* mkdir -p for the folder a cache file goes in; 0 when it cannot be made. */
int clg_cache_make_dirs(const char *path);

/* The whole cache as NUL-terminated text (free() it); NULL when it is absent
   or ignored (with a warning). */
char *clg_cache_read(const char *path);

/* The next line of text at *cursor (its '\n' replaced by NUL), or NULL at the end. */
char *clg_cache_next_line(char **cursor);

/* Adds one line (a '\n' is appended) to the cache, creating its folder;
   failures are warnings: a cache is an optimisation. */
void clg_cache_append(const char *path, const char *line);

/*
 * The key a cache line carries for ctx's device: "platform|device|driver",
 * with '|', tabs and line breaks inside the names replaced by '_' so that the
 * key is one field of a line.
 */
void clg_cache_device_key(const clg_context *ctx, char *key, size_t size);

/* Seconds on the monotonic clock, for measurements that go into a cache. */
double clg_cache_clock_s(void);

#endif
