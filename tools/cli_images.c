/*
 * The CLI's image side: finding the bundled model and its sample images,
 * the preprocessing flags, turning image files into a model input, and
 * printing class names with probabilities.
 */
#include <dirent.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

#ifndef CLG_SOURCE_MODELS_DIR
#define CLG_SOURCE_MODELS_DIR "models"
#endif
#ifndef CLG_INSTALLED_MODELS_DIR
#define CLG_INSTALLED_MODELS_DIR "/usr/local/share/clgooglenet/models"
#endif

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int has_image_suffix(const char *path)
{
    return has_suffix(path, ".png") || has_suffix(path, ".jpg") || has_suffix(path, ".jpeg");
}

int cli_is_model_path(const char *path) { return has_suffix(path, ".onnx"); }

int cli_is_image_path(const char *path)
{
    return has_image_suffix(path) || clg_image_file_sniff(path);
}

static int is_file(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

int cli_bundled_model(char *path, size_t size)
{
    const char *env = getenv(CLI_MODEL_ENV);
    if (env && *env) {
        if (!is_file(env))
            return cli_error("no MODEL given and %s=%s is not a file", CLI_MODEL_ENV, env);
        snprintf(path, size, "%s", env);
        return CLI_OK;
    }
    const char *dirs[] = {CLG_SOURCE_MODELS_DIR, CLG_INSTALLED_MODELS_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(path, size, "%s/%s", dirs[i], CLI_BUNDLED_MODEL);
        if (is_file(path)) return CLI_OK;
    }
    return cli_error("no MODEL given and the bundled model is missing (looked for $%s, %s/%s "
                     "and %s/%s); pass a MODEL.onnx",
                     CLI_MODEL_ENV, CLG_SOURCE_MODELS_DIR, CLI_BUNDLED_MODEL,
                     CLG_INSTALLED_MODELS_DIR, CLI_BUNDLED_MODEL);
}

/* samples/ next to $CLGOOGLENET_MODEL when it is set (nothing else then),
   else in the source tree, else installed. */
static int samples_dir(char *dir, size_t size)
{
    const char *env = getenv(CLI_MODEL_ENV);
    if (env && *env) {
        const char *slash = strrchr(env, '/');
        if (slash) snprintf(dir, size, "%.*s/samples", (int)(slash - env), env);
        else snprintf(dir, size, "samples");
        return is_dir(dir);
    }
    const char *dirs[] = {CLG_SOURCE_MODELS_DIR, CLG_INSTALLED_MODELS_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(dir, size, "%s/samples", dirs[i]);
        if (is_dir(dir)) return 1;
    }
    return 0;
}

static int compare_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void cli_free_list(char **list, size_t count)
{
    for (size_t i = 0; list && i < count; i++) free(list[i]);
    free(list);
}

int cli_bundled_samples(char ***paths, size_t *count)
{
    char dir[4096];
    if (!samples_dir(dir, sizeof dir)) {
        if (getenv(CLI_MODEL_ENV) && *getenv(CLI_MODEL_ENV))
            return cli_error("no INPUT given and no samples directory %s", dir);
        return cli_error("no INPUT given and no bundled samples (looked for %s/samples and "
                         "%s/samples)",
                         CLG_SOURCE_MODELS_DIR, CLG_INSTALLED_MODELS_DIR);
    }
    DIR *d = opendir(dir);
    if (!d) return cli_error("cannot read %s", dir);
    char **list = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || !has_image_suffix(e->d_name)) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(list, cap * sizeof *list);
            if (!grown) break;
            list = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if (!(list[n] = malloc(len))) break;
        snprintf(list[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (e) { /* stopped early: out of memory */
        cli_free_list(list, n);
        return cli_error("out of memory");
    }
    if (n == 0) {
        free(list);
        return cli_error("no INPUT given and no sample images (.png, .jpg) in %s", dir);
    }
    qsort(list, n, sizeof *list, compare_strings);
    *paths = list;
    *count = n;
    return CLI_OK;
}

/* Per flag, in CLI_OPT_* order: the metadata key it replaces and --imagenet's
   value (torchvision's ImageNet recipe; the scale is 1/255 as a double prints). */
static const struct {
    const char *flag, *key, *imagenet;
} preprocess_flags[] = {
    {"--resize-shorter", "clgooglenet.resize_shorter", "256"},
    {"--crop", "clgooglenet.center_crop", "224"},
    {"--mean", "clgooglenet.mean", "0.485,0.456,0.406"},
    {"--std", "clgooglenet.std", "0.229,0.224,0.225"},
    {"--scale", "clgooglenet.scale", "0.00392156862745098"},
    {"--channel-order", "clgooglenet.channel_order", "RGB"},
};
#define N_PREPROCESS_FLAGS (sizeof preprocess_flags / sizeof *preprocess_flags)
_Static_assert(N_PREPROCESS_FLAGS == CLI_OPT_IMAGENET - CLI_OPT_RESIZE_SHORTER,
               "one table entry per preprocessing flag");

int cli_is_preprocess_flag(int option)
{
    return option >= CLI_OPT_RESIZE_SHORTER && option <= CLI_OPT_IMAGENET;
}

int cli_preprocess_flag(cli_preprocess_flags *flags, int option, const char *value)
{
    if (option == CLI_OPT_IMAGENET) {
        flags->imagenet = 1;
        return CLI_OK;
    }
    const int i = option - CLI_OPT_RESIZE_SHORTER;
    /* The library's own value parsing, before any model is loaded. */
    clg_preprocess_override o = {preprocess_flags[i].key, value, preprocess_flags[i].flag};
    if (clg_preprocess_check_override(&o) != CLG_OK) return cli_usage_error("%s", clg_last_error());
    flags->value[i] = value;
    return CLI_OK;
}

int cli_preprocess(const clg_model *model, const cli_preprocess_flags *flags, clg_preprocess *pp)
{
    clg_preprocess_override o[N_PREPROCESS_FLAGS];
    size_t n = 0;
    /* A flag given explicitly wins over --imagenet, whatever the order. */
    for (size_t i = 0; flags && i < N_PREPROCESS_FLAGS; i++) {
        if (flags->value[i])
            o[n++] = (clg_preprocess_override){preprocess_flags[i].key, flags->value[i],
                                               preprocess_flags[i].flag};
        else if (flags->imagenet)
            o[n++] = (clg_preprocess_override){preprocess_flags[i].key,
                                               preprocess_flags[i].imagenet, "--imagenet"};
    }
    clg_status st = clg_preprocess_from_model_with(model, o, n, pp);
    if (st != CLG_OK) return cli_status_error(st, "cannot feed images to this model");
    return CLI_OK;
}

int cli_load_images(const clg_model *model, const cli_preprocess_flags *flags, char *const *paths,
                    size_t count, clg_tensor **out)
{
    clg_preprocess pp;
    if (cli_preprocess(model, flags, &pp) != CLI_OK) return CLI_FAILURE;
    clg_status st = clg_preprocess_files(&pp, (const char *const *)paths, count, out);
    if (st != CLG_OK) return cli_status_error(st, "cannot read image");
    return CLI_OK;
}

char **cli_class_names(const clg_model *model, size_t n_outputs)
{
    char **names = NULL;
    size_t n = 0;
    if (clg_model_class_names(model, &names, &n) != CLG_OK || !names) return NULL;
    if (n != n_outputs) {
        fprintf(stderr,
                "clgooglenet: warning: the model names %zu classes but has %zu outputs; "
                "printing class indices\n",
                n, n_outputs);
        free(names);
        return NULL;
    }
    return names;
}

size_t cli_argmax(const float *row, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (row[i] > row[best] || (isnan(row[best]) && !isnan(row[i]))) best = i;
    return best;
}

/* Softmax into p, unless the row already is a distribution (a model that
   ends in Softmax): values in [0, 1] summing to 1. */
static void probabilities(const float *row, size_t n, double *p)
{
    double sum = 0, max = row[cli_argmax(row, n)];
    int distribution = 1;
    for (size_t i = 0; i < n; i++) {
        distribution &= row[i] >= 0 && row[i] <= 1;
        sum += row[i];
    }
    if (distribution && fabs(sum - 1) < 1e-3) {
        for (size_t i = 0; i < n; i++) p[i] = row[i];
        return;
    }
    sum = 0;
    for (size_t i = 0; i < n; i++) sum += p[i] = exp(row[i] - max);
    for (size_t i = 0; i < n; i++) p[i] /= sum;
}

int cli_print_classes(const clg_model *model, const clg_tensor *out, char *const *paths,
                      size_t n_paths, long top)
{
    size_t items = out->rank >= 1 ? (size_t)out->dims[0] : 1;
    size_t per = items ? clg_tensor_element_count(out) / items : 0;
    if (per == 0) return cli_error("the model's output is empty");
    double *p = malloc(per * sizeof *p);
    unsigned char *used = malloc(per);
    if (!p || !used) {
        free(p);
        free(used);
        return cli_error("out of memory");
    }
    char **names = cli_class_names(model, per);
    if ((size_t)top > per) top = (long)per;
    for (size_t b = 0; b < items; b++) {
        probabilities(out->data + b * per, per, p);
        memset(used, 0, per);
        printf("%s:", cli_esc(paths[b % n_paths])); /* --batch repeats one image */
        for (long j = 0; j < top; j++) {
            size_t best = per;
            for (size_t c = 0; c < per; c++)
                if (!used[c] && (best == per || p[c] > p[best])) best = c;
            used[best] = 1;
            if (names) printf("%s %s (%.4f)", j ? "," : "", cli_esc(names[best]), p[best]);
            else printf("%s %zu (%.4f)", j ? "," : "", best, p[best]);
        }
        printf("\n");
    }
    free(names);
    free(used);
    free(p);
    return CLI_OK;
}
