/*
 * The programs a context has built: each cl/ file and build options once,
 * with the kernel-name suffix of a batched build. The context owns the
 * cache (made and released with it); programs/kernels.c fills and reads it.
 */
#ifndef CLG_PROGRAM_CACHE_H
#define CLG_PROGRAM_CACHE_H

#include <stddef.h>

#include <CL/cl.h>

typedef struct cached_program {
    char *file;
    char *options;
    char *suffix;       /* appended to kernel names: "" or "__vN" in a batched program */
    cl_program program; /* one reference per entry */
} cached_program;

struct clg_program_cache {
    cached_program *items;
    size_t count, cap;
    size_t builds;      /* compiled from source */
    size_t store_loads; /* read back from the program store */
};

struct clg_program_cache *clg_program_cache_create(void);
/* Releases every program (NULL is fine). */
void clg_program_cache_destroy(struct clg_program_cache *cache);

#endif
