/*
 * Context options (clgooglenet.h, clg_context_options): checked and copied
 * at context creation, then resolved once into the context's settings: each
 * setting falls back to its environment variable when the caller left it at
 * zero / NULL (context.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "env.h"
#include "error.h"

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

/* Copies the strings the fields point to into one block (the context then
   frees one pointer), points the fields at the copies and puts the block in
   *slot, freeing the one there. */
static clg_status copy_strings(const char **const *fields, size_t n_fields, char **slot)
{
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
    free(*slot);
    *slot = block;
    return CLG_OK;
}

clg_status clg_context_options_adopt(clg_context *ctx, const clg_context_options *options)
{
    static const char *const conv_names[] = {"legacy", "kvec", "wino", "wino2", "lanes", "plane", NULL};
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
                        "options.conv_algorithm='%s': expected 'legacy', 'kvec', 'wino', 'wino2' or 'lanes'",
                        o.conv_algorithm);
    if (o.gemm && *o.gemm && !one_of(o.gemm, gemm_names))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.gemm='%s': expected 'clblast' or 'kernel'", o.gemm);
    if (!clg_passes_off_valid(o.passes_off))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                        "options.passes_off='%s': expected pass numbers 0 to %d separated by commas, "
                        "'all' or ''",
                        o.passes_off, CLG_PASS_NUMBER_LAST);
    if ((int)o.precision < CLG_PRECISION_DEFAULT || (int)o.precision > CLG_PRECISION_FP16)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.precision=%d: not a clg_precision", (int)o.precision);
    if (o.program_cache < -1 || o.program_cache > 1)
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "options.program_cache=%d: expected 1, -1 or 0 (default)",
                        o.program_cache);

    const char **fields[] = {&o.device, &o.kernel_family, &o.conv_algorithm, &o.gemm, &o.passes_off,
                             &o.kernel_dir};
    CLG_TRY(copy_strings(fields, sizeof fields / sizeof fields[0], &ctx->option_strings));
    ctx->options = o;
    return CLG_OK;
}

/* The option when set, else the variable's word (runtime/core/env.h), else NULL. */
static const char *setting(const char *option, const char *env)
{
    if (option) return *option ? option : NULL;
    return clg_env_word(env);
}

/* "cpu" or "simt"; NULL: the device decides ("auto", or nothing set). */
static const char *kernel_family_setting(const char *option)
{
    if (option && *option && strcmp(option, "auto") != 0) return option;
    return option && *option ? NULL : clg_env_word(CLG_KERNELS_ENV);
}

static const char *kernel_dir_setting(const char *option)
{
    if (option) return *option ? option : NULL;
    const char *v = clg_env_value(CLG_KERNEL_DIR_ENV); /* a directory, not a word */
    return v && *v ? v : NULL;
}

const char *clg_passes_off_setting(const char *option)
{
    if (option) return option;
    const char *all_off = clg_env_word(CLG_NO_FUSION_ENV);
    if (all_off && strcmp(all_off, "1") == 0) return "all";
    /* A malformed list is refused by clg_passes_run and context creation (env.h). */
    const char *list = clg_env_check_one(CLG_PASSES_OFF_ENV) == CLG_OK ? clg_env_value(CLG_PASSES_OFF_ENV) : NULL;
    return list ? list : "";
}

static clg_tuning_mode tuning_setting(clg_tuning_mode option)
{
    if (option != CLG_TUNING_DEFAULT) return option;
    /* Only the listed words count (runtime/core/env.h); anything else is refused
       when a context is made, and never means "tune". */
    const char *v = clg_env_word(CLG_TUNE_ENV);
    if (!v) return CLG_TUNING_CACHED;
    if (strcmp(v, "0") == 0) return CLG_TUNING_OFF;
    if (strcmp(v, "force") == 0) return CLG_TUNING_FORCE;
    return CLG_TUNING_ON;
}

static clg_precision precision_setting(clg_precision option)
{
    if (option != CLG_PRECISION_DEFAULT) return option;
    const char *v = clg_env_word(CLG_PRECISION_ENV);
    return v && strcmp(v, "fp16") == 0 ? CLG_PRECISION_FP16 : CLG_PRECISION_FP32;
}

/* "$XDG_CACHE_HOME/clgooglenet", else "$HOME/.cache/clgooglenet"; 0 when
   neither variable is set or the path does not fit. */
static int cache_dir_from_env(char *dir, size_t size)
{
    const char *xdg = clg_env_value("XDG_CACHE_HOME"), *home = clg_env_value("HOME");
    int n;
    if (xdg && *xdg) n = snprintf(dir, size, "%s/clgooglenet", xdg);
    else if (home && *home) n = snprintf(dir, size, "%s/.cache/clgooglenet", home);
    else return 0;
    return n > 0 && (size_t)n < size;
}

clg_status clg_context_settings_resolve(clg_context *ctx)
{
    const clg_context_options *o = &ctx->options;
    char cache_dir[4096];
    clg_context_settings s = {
        .conv_algorithm = setting(o->conv_algorithm, CLG_CONV_ENV),
        .gemm = setting(o->gemm, CLG_GEMM_ENV),
        .kernel_family = kernel_family_setting(o->kernel_family),
        .kernel_dir = kernel_dir_setting(o->kernel_dir),
        .passes_off = clg_passes_off_setting(o->passes_off),
        .tuning = tuning_setting(o->tuning),
        .precision = precision_setting(o->precision),
        .half_math = setting(NULL, CLG_HALF_MATH_ENV),
        .cache_dir = cache_dir_from_env(cache_dir, sizeof cache_dir) ? cache_dir : NULL,
    };
    /* Copied: the environment's strings change with it, the context's must not. */
    const char **fields[] = {&s.conv_algorithm, &s.gemm, &s.kernel_family, &s.kernel_dir, &s.passes_off,
                             &s.cache_dir, &s.half_math};
    CLG_TRY(copy_strings(fields, sizeof fields / sizeof fields[0], &ctx->settings_strings));
    ctx->settings = s;
    return CLG_OK;
}

/* A context's settings were resolved when it was made; without one (NULL),
   the environment is read at the call. */
const char *clg_context_conv_algorithm(const clg_context *ctx)
{
    return ctx ? ctx->settings.conv_algorithm : setting(NULL, CLG_CONV_ENV);
}

const char *clg_context_kernel_family(const clg_context *ctx)
{
    return ctx ? ctx->settings.kernel_family : kernel_family_setting(NULL);
}

const char *clg_context_gemm(const clg_context *ctx)
{
    return ctx ? ctx->settings.gemm : setting(NULL, CLG_GEMM_ENV);
}

const char *clg_context_kernel_dir(const clg_context *ctx)
{
    return ctx ? ctx->settings.kernel_dir : kernel_dir_setting(NULL);
}

int clg_context_pass_enabled(const clg_context *ctx, int pass)
{
    return clg_pass_enabled_by(ctx ? ctx->settings.passes_off : NULL, pass);
}

clg_tuning_mode clg_context_tuning(const clg_context *ctx)
{
    return ctx ? ctx->settings.tuning : tuning_setting(CLG_TUNING_DEFAULT);
}

clg_precision clg_context_precision(const clg_context *ctx)
{
    return clg_context_half(ctx) ? CLG_PRECISION_FP16 : CLG_PRECISION_FP32;
}

int clg_context_half(const clg_context *ctx)
{
    return (ctx ? ctx->settings.precision : precision_setting(CLG_PRECISION_DEFAULT)) == CLG_PRECISION_FP16;
}

int clg_context_half_arithmetic(const clg_context *ctx)
{
    if (!clg_context_half(ctx)) return 0;
    const char *forced = ctx ? ctx->settings.half_math : setting(NULL, CLG_HALF_MATH_ENV);
    if (forced) return strcmp(forced, "half") == 0;
    return !(ctx && ctx->info.fp16_emulated);
}

size_t clg_context_element_bytes(const clg_context *ctx)
{
    return clg_context_half(ctx) ? 2 : 4;
}

size_t clg_context_compute_bytes(const clg_context *ctx)
{
    return clg_context_half_arithmetic(ctx) ? 2 : 4;
}

int clg_cache_dir(const clg_context *ctx, char *dir, size_t size)
{
    if (!ctx) return cache_dir_from_env(dir, size);
    if (!ctx->settings.cache_dir) return 0;
    int n = snprintf(dir, size, "%s", ctx->settings.cache_dir);
    return n > 0 && (size_t)n < size;
}

clg_status clg_context_get_options(const clg_context *ctx, clg_context_options *options)
{
    if (!ctx || !options) return clg_fail(CLG_ERR_INVALID_ARGUMENT, "clg_context_get_options: NULL argument");
    *options = ctx->options;
    return CLG_OK;
}

int clg_passes_off_valid(const char *spec)
{
    if (!spec || strcmp(spec, "all") == 0) return 1;
    for (const char *p = spec; *p;) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p || n < 0 || n > CLG_PASS_NUMBER_LAST || (*end != ',' && *end != '\0')) return 0;
        p = *end ? end + 1 : end;
    }
    return 1;
}

int clg_pass_enabled_by(const char *passes_off, int number)
{
    passes_off = clg_passes_off_setting(passes_off);
    if (strcmp(passes_off, "all") == 0) return 0;
    for (const char *p = passes_off; *p;) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end != p && n == number && (*end == ',' || *end == '\0')) return 0;
        p = *end ? end + 1 : end;
    }
    return 1;
}
