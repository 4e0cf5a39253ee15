/*
 * Context options (clgooglenet.h, clg_context_options): checked and copied
 * at context creation; each setting falls back to its environment variable
 * when the caller left it at zero / NULL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "env.h"
#include "error.h"
#include "kernels.h"
#include "ops_conv_simt.h"
#include "passes.h"
#include "tuning.h"

void clg_context_options_init(clg_context_options *options)
{
    if (options) memset(options, 0, sizeof *options);
}

static int one_of(const char *value, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(value, *names) == 0) return 1;
    return 0;
}

clg_status clg_context_options_adopt(clg_context *ctx, const clg_context_options *options)
{
    static const char *const conv_names[] = {"legacy", "kvec", "wino", "wino2", NULL};
    static const char *const gemm_names[] = {"clblast", "kernel", NULL};
    static const char *const family_names[] = {"auto", "cpu", "simt", NULL};
    clg_context_options o;
    if (options) o = *options;
    else clg_context_options_init(&o);
    if (o.queues < 0 || o.queues > CLG_MAX_QUEUES)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.queues=%d: expected 1 to %d (0: default)", o.queues,
                        CLG_MAX_QUEUES);
    if ((int)o.tuning < CLG_TUNING_DEFAULT || (int)o.tuning > CLG_TUNING_FORCE)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.tuning=%d: not a clg_tuning_mode", (int)o.tuning);
    if (o.kernel_family && *o.kernel_family && !one_of(o.kernel_family, family_names))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.kernel_family='%s': expected 'auto', 'cpu' or 'simt'",
                        o.kernel_family);
    if (o.conv_algorithm && *o.conv_algorithm && !one_of(o.conv_algorithm, conv_names))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                        "options.conv_algorithm='%s': expected 'legacy', 'kvec', 'wino' or 'wino2'",
                        o.conv_algorithm);
    if (o.gemm && *o.gemm && !one_of(o.gemm, gemm_names))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.gemm='%s': expected 'clblast' or 'kernel'", o.gemm);
    if (!clg_passes_off_valid(o.passes_off))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                        "options.passes_off='%s': expected pass numbers 0 to %d separated by commas, "
                        "'all' or ''",
                        o.passes_off, CLG_PASS_MEMORY_PLAN);
    if (o.program_cache < -1 || o.program_cache > 1)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.program_cache=%d: expected 1, -1 or 0 (default)",
                        o.program_cache);

    /* One block for every string, so that the context frees one pointer. */
    const char **fields[] = {&o.device, &o.kernel_family, &o.conv_algorithm, &o.gemm, &o.passes_off,
                             &o.kernel_dir};
    const size_t n_fields = sizeof fields / sizeof fields[0];
    size_t total = 1;
    for (size_t i = 0; i < n_fields; i++)
        if (*fields[i]) total += strlen(*fields[i]) + 1;
    char *block = malloc(total), *p = block;
    if (!block) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory copying the context options");
    for (size_t i = 0; i < n_fields; i++)
        if (*fields[i]) {
            size_t len = strlen(*fields[i]) + 1;
            memcpy(p, *fields[i], len);
            *fields[i] = p;
            p += len;
        }
    free(ctx->option_strings);
    ctx->option_strings = block;
    ctx->options = o;
    return CLG_OK;
}

/* The option when set, else the variable's word (runtime/env.h), else NULL. */
static const char *setting(const char *option, const char *env)
{
    if (option) return *option ? option : NULL;
    return clg_env_word(env);
}

const char *clg_context_conv_algorithm(const clg_context *ctx)
{
    return setting(ctx ? ctx->options.conv_algorithm : NULL, CLG_CONV_ENV);
}

const char *clg_context_kernel_family(const clg_context *ctx)
{
    const char *option = ctx ? ctx->options.kernel_family : NULL;
    if (option && *option && strcmp(option, "auto") != 0) return option;
    return option && *option ? NULL : clg_env_word(CLG_KERNELS_ENV); /* "auto": the device decides */
}

const char *clg_context_gemm(const clg_context *ctx)
{
    return setting(ctx ? ctx->options.gemm : NULL, CLG_GEMM_ENV);
}

const char *clg_context_kernel_dir(const clg_context *ctx)
{
    const char *option = ctx ? ctx->options.kernel_dir : NULL;
    if (option) return *option ? option : NULL;
    const char *v = getenv(CLG_KERNEL_DIR_ENV); /* a directory, not a word */
    return v && *v ? v : NULL;
}

int clg_context_pass_enabled(const clg_context *ctx, int pass)
{
    return clg_pass_enabled_by(ctx ? ctx->options.passes_off : NULL, pass);
}

const char *clg_passes_off_setting(const char *option)
{
    if (option) return option;
    const char *all_off = clg_env_word(CLG_NO_FUSION_ENV);
    if (all_off && strcmp(all_off, "1") == 0) return "all";
    /* A malformed list is refused by clg_passes_run and context creation (env.h). */
    const char *list = clg_env_check_one(CLG_PASSES_OFF_ENV) == CLG_OK ? getenv(CLG_PASSES_OFF_ENV) : NULL;
    return list ? list : "";
}

clg_tuning_mode clg_context_tuning(const clg_context *ctx)
{
    if (ctx && ctx->options.tuning != CLG_TUNING_DEFAULT) return ctx->options.tuning;
    /* Only the listed words count (runtime/env.h); anything else was refused
       when the context was made, and never means "tune". */
    const char *v = clg_env_word(CLG_TUNE_ENV);
    if (!v) return CLG_TUNING_CACHED;
    if (strcmp(v, "0") == 0) return CLG_TUNING_OFF;
    if (strcmp(v, "force") == 0) return CLG_TUNING_FORCE;
    return CLG_TUNING_ON;
}

clg_status clg_context_check_settings(const clg_context *ctx, unsigned which)
{
    const clg_context_options *o = ctx ? &ctx->options : NULL;
    if ((which & CLG_SETTING_CONV) && !(o && o->conv_algorithm)) CLG_TRY(clg_env_check_one(CLG_CONV_ENV));
    if ((which & CLG_SETTING_TUNE) && !(o && o->tuning != CLG_TUNING_DEFAULT))
        CLG_TRY(clg_env_check_one(CLG_TUNE_ENV));
    if ((which & CLG_SETTING_GEMM) && !(o && o->gemm)) CLG_TRY(clg_env_check_one(CLG_GEMM_ENV));
    if ((which & CLG_SETTING_KERNELS) && !(o && o->kernel_family)) CLG_TRY(clg_env_check_one(CLG_KERNELS_ENV));
    if (which & CLG_SETTING_PASSES) {
        CLG_TRY(clg_env_check_one(CLG_NO_FUSION_ENV));
        CLG_TRY(clg_env_check_one(CLG_PASSES_OFF_ENV));
    }
    return CLG_OK;
}

int clg_cache_dir(char *dir, size_t size)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    int n;
    if (xdg && *xdg) n = snprintf(dir, size, "%s/clgooglenet", xdg);
    else if (home && *home) n = snprintf(dir, size, "%s/.cache/clgooglenet", home);
    else return 0;
    return n > 0 && (size_t)n < size;
}

clg_status clg_context_get_options(const clg_context *ctx, clg_context_options *options)
{
    if (!ctx || !options) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_context_get_options: NULL argument");
    *options = ctx->options;
    return CLG_OK;
}
