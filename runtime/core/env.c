/* The library's environment variables and the values they allow: see env.h. */
#include "env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "error.h"

/* A word and the canonical word it means (synonyms share one). */
/* The one read of the process environment in the library. */
const char *clg_env_value(const char *var)
{
    return getenv(var);
}

typedef struct env_word {
    const char *word, *means;
} env_word;

typedef struct env_var {
    const char *name;
    const env_word *words; /* NULL: checked by its own function */
    clg_status (*check)(const char *name, const char *value);
} env_var;

static const env_word tune_words[] = {{"0", "0"}, {"off", "0"}, {"1", "1"}, {"on", "1"}, {"force", "force"}, {NULL, NULL}};
static const env_word conv_words[] = {{"legacy", "legacy"}, {"kvec", "kvec"}, {"wino", "wino"}, {"wino2", "wino2"}, {"lanes", "lanes"}, {"plane", "plane"}, {NULL, NULL}};
static const env_word kernels_words[] = {{"cpu", "cpu"}, {"simt", "simt"}, {NULL, NULL}};
static const env_word gemm_words[] = {{"clblast", "clblast"}, {"kernel", "kernel"}, {NULL, NULL}};
static const env_word precision_words[] = {{"fp32", "fp32"}, {"fp16", "fp16"}, {NULL, NULL}};
static const env_word half_math_words[] = {{"half", "half"}, {"float", "float"}, {NULL, NULL}};
static const env_word bool_words[] = {{"0", "0"}, {"1", "1"}, {NULL, NULL}};
static const env_word switch_words[] = {{"0", "0"}, {"off", "0"}, {"1", "1"}, {"on", "1"}, {NULL, NULL}};

/* "0,3": pass numbers, each once at most. */
static clg_status check_pass_list(const char *name, const char *value)
{
    const char *p = value;
    for (;;) {
        char *end;
        long n = strtol(p, &end, 10);
        if (end == p || n < 0 || n > CLG_PASS_NUMBER_LAST || (*end && *end != ','))
            return clg_fail(CLG_ERR_INVALID_ARGUMENT,
                            "%s=%s: expected pass numbers from %d to %d separated by commas, e.g. \"0,3\"", name,
                            value, 0, CLG_PASS_NUMBER_LAST);
        if (!*end) return CLG_OK;
        p = end + 1;
    }
}

static clg_status check_directory(const char *name, const char *value)
{
    struct stat st;
    if (stat(value, &st) != 0 || !S_ISDIR(st.st_mode))
        return clg_fail(CLG_ERR_INVALID_ARGUMENT, "%s=%s: expected a directory holding the cl/*.cl files", name,
                        value);
    return CLG_OK;
}

static const env_var table[] = {
    {CLG_TUNE_ENV, tune_words, NULL},
    {CLG_CONV_ENV, conv_words, NULL},
    {CLG_GEMM_ENV, gemm_words, NULL},
    {CLG_NO_FUSION_ENV, bool_words, NULL},
    {CLG_PASSES_OFF_ENV, NULL, check_pass_list},
    {CLG_KERNEL_DIR_ENV, NULL, check_directory},
    {CLG_PROGRAM_CACHE_ENV, switch_words, NULL},
    {CLG_KERNELS_ENV, kernels_words, NULL},
    {CLG_PRECISION_ENV, precision_words, NULL},
    {CLG_HALF_MATH_ENV, half_math_words, NULL},
};

static const env_var *find(const char *var)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, var) == 0) return &table[i];
    return NULL;
}

static const env_word *match(const env_var *v, const char *value)
{
    for (const env_word *w = v->words; w && w->word; w++)
        if (strcasecmp(w->word, value) == 0) return w;
    return NULL;
}

/* "VAR=VALUE: expected 'a', 'b' or 'c'". */
static clg_status not_allowed(const env_var *v, const char *value)
{
    char list[256] = "";
    size_t used = 0, count = 0;
    for (const env_word *w = v->words; w->word; w++) count++;
    for (size_t i = 0; i < count && used < sizeof list; i++)
        used += (size_t)snprintf(list + used, sizeof list - used, "%s'%s'", i == 0 ? "" : i + 1 == count ? " or " : ", ",
                                 v->words[i].word);
    return clg_fail(CLG_ERR_INVALID_ARGUMENT, "%s=%s: expected %s", v->name, value, list);
}

clg_status clg_env_check_one(const char *var)
{
    const env_var *v = find(var);
    const char *value = clg_env_value(var);
    if (!v || !value || !*value) return CLG_OK;
    if (v->check) return v->check(v->name, value);
    return match(v, value) ? CLG_OK : not_allowed(v, value);
}

clg_status clg_env_check(void)
{
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) CLG_TRY(clg_env_check_one(table[i].name));
    return CLG_OK;
}

const char *clg_env_word(const char *var)
{
    const env_var *v = find(var);
    const char *value = clg_env_value(var);
    if (!v || !value || !*value) return NULL;
    const env_word *w = match(v, value);
    return w ? w->means : NULL;
}
