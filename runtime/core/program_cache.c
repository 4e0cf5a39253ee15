/* The programs a context has built: see program_cache.h. */
#include "program_cache.h"

#include <stdlib.h>

struct clg_program_cache *clg_program_cache_create(void)
{
    return calloc(1, sizeof(struct clg_program_cache));
}

void clg_program_cache_destroy(struct clg_program_cache *cache)
{
    if (!cache) return;
    for (size_t i = 0; i < cache->count; i++) {
        free(cache->items[i].file);
        free(cache->items[i].options);
        free(cache->items[i].suffix);
        clReleaseProgram(cache->items[i].program);
    }
    free(cache->items);
    free(cache);
}
