/*
 * The small text caches under $XDG_CACHE_HOME/clgooglenet/ (tuning.txt,
 * peak.txt), read and extended without trusting them: a cache that is not a
 * regular file (a FIFO would block forever, /dev/zero never ends) or larger
 * than any real cache is ignored with a warning, and a line is added by
 * writing the whole new file beside the old one and renaming it into place
 * (safe_write.h), so a full disk never truncates the cache.
 */
#ifndef CLG_CACHE_FILE_H
#define CLG_CACHE_FILE_H

#include <stdint.h>
#include <stdio.h>

#include "clgooglenet.h"

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

#endif
