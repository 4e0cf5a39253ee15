/*
 * Per-device tuning results, as data: a text cache file mapping
 * "platform|device|driver|key" (the device key of device_cache.h) to the
 * chosen variant, kept under
 * $XDG_CACHE_HOME/clgooglenet/tuning.txt (fallback ~/.cache/clgooglenet/).
 *
 * CLGOOGLENET_TUNE selects the mode (read once per context, when it is made;
 * context.h):
 *   unset   use cached winners where present; heuristics otherwise (no timing,
 *           so a cold start costs no tuning time)
 *   1, on   also tune shapes that are not cached, and store the winners
 *   force   retune every shape, replacing cached entries
 *   0, off  ignore the cache entirely: heuristics only
 * Any other value is refused when a context is made (runtime/core/env.h).
 * Tuned variants are checked against the reference kernel's output before
 * they may be chosen (runtime/ops/ops_conv.c).
 */
#ifndef CLG_TUNING_H
#define CLG_TUNING_H

#include <stddef.h>

#include "context.h"


typedef enum clg_tune_mode {
    CLG_TUNE_OFF,    /* heuristics only */
    CLG_TUNE_CACHED, /* cached winners, else heuristics */
    CLG_TUNE_ON,     /* tune what is not cached */
    CLG_TUNE_FORCE   /* retune everything */
} clg_tune_mode;

/* The context's tuning option, else CLGOOGLENET_TUNE as it was when the
   context was made (ctx NULL: as it is now). */
clg_tune_mode clg_tune_mode_get(const clg_context *ctx);

/* The context's cache path (static storage), or NULL when neither
   XDG_CACHE_HOME nor HOME was set when it was made (ctx NULL: now). */
const char *clg_tune_cache_path(const clg_context *ctx);

/*
 * Looks up `key` for this context's device. Returns 1 and copies the value
 * (at most size - 1 characters) when found, 0 otherwise.
 */
int clg_tune_lookup(const clg_context *ctx, const char *key, char *value, size_t size);

/* Stores (appends; later lines win) `key` -> `value`. Failures are silent: the
   cache is an optimisation. */
void clg_tune_store(const clg_context *ctx, const char *key, const char *value);

#endif
