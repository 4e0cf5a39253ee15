#include "kernels.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "context.h"
#include "program_cache.h"
#include "env.h"
#include "error.h"
#include "file_read.h"
#include "program_store.h"

struct clg_embedded_kernel {
    const char *name;
    const char *source;
};
extern const struct clg_embedded_kernel clg_embedded_kernels[];

/* Options every program gets: the device may flush denormals, which keeps
   CPU drivers off their slow paths; results stay within test tolerances. */
#define CLG_COMMON_BUILD_OPTIONS "-cl-std=CL1.2 -cl-denorms-are-zero"
/* Added in half contexts: every program keeps its data in half (cl/prelude.cl),
   and computes in float on it where the context says so. */
#define CLG_HALF_BUILD_OPTION " -DREAL_HALF=1"
#define CLG_HALF_FLOAT_MATH_BUILD_OPTION " -DHALF_FLOAT_MATH=1"
/* Added where the device table says the driver turns prefetch hints into
   instructions (cl/prelude.cl's CLG_PREFETCH). */
#define CLG_PREFETCH_BUILD_OPTION " -DCLG_PREFETCH_HINTS=1"

/* A growing string; on allocation failure it stays failed (ok = 0). */
typedef struct text {
    char *buf;
    size_t len, cap;
    int ok;
} text;

static void text_add(text *t, const char *s, size_t n)
{
    if (!t->ok) return;
    if (t->len + n + 1 > t->cap) {
        size_t ncap = (t->len + n + 1) * 2;
        char *p = realloc(t->buf, ncap);
        if (!p) {
            t->ok = 0;
            return;
        }
        t->buf = p;
        t->cap = ncap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

/* Text of a cl/ file as stored: from $CLGOOGLENET_KERNEL_DIR, else embedded. */
static clg_status stored_source(const clg_context *ctx, const char *file, char **out)
{
    const char *dir = clg_context_kernel_dir(ctx);
    if (dir && *dir) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, file);
        unsigned char *data = NULL;
        size_t len = 0;
        /* Not a FIFO or a device, and no larger than any kernel source could be. */
        clg_status st = clg_read_file_limit(path, "kernel source", (uint64_t)16 << 20, &data, &len);
        if (st != CLG_OK) return clg_fail_context(st, "%s=%s", CLG_KERNEL_DIR_ENV, dir);
        char *buf = realloc(data, len + 1);
        if (!buf) {
            free(data);
            return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading %s", path);
        }
        buf[len] = '\0';
        *out = buf;
        return CLG_OK;
    }
    for (const struct clg_embedded_kernel *k = clg_embedded_kernels; k->name; k++)
        if (strcmp(k->name, file) == 0) {
            *out = strdup(k->source);
            return *out ? CLG_OK : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        }
    return clg_fail(CLG_ERR_INVALID_ARGUMENT, "no kernel file named %s", file);
}

/* Files a kernel source may include; one level is all the sources use. */
#define CLG_INCLUDE_DEPTH 2

static clg_status expand_includes(const clg_context *ctx, const char *file, const char *source, int depth,
                                  text *out);

/* The NAME of a line '#include "NAME"' (len bytes, spaces allowed around '#'); 0 if not one. */
static int include_name(const char *line, size_t len, char *name, size_t size)
{
    const char *p = line, *end = line + len;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (p == end || *p++ != '#') return 0;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if ((size_t)(end - p) < 9 || strncmp(p, "include", 7) != 0) return 0;
    p += 7;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (p == end || *p++ != '"') return 0;
    const char *q = memchr(p, '"', (size_t)(end - p));
    if (!q || q == p || (size_t)(q - p) >= size) return 0;
    memcpy(name, p, (size_t)(q - p));
    name[q - p] = '\0';
    return 1;
}

/* Appends the cl/ file name, its own includes expanded. */
static clg_status add_included(const clg_context *ctx, const char *file, const char *name, int depth, text *out)
{
    if (depth >= CLG_INCLUDE_DEPTH)
        return clg_fail(CLG_ERR_KERNEL_BUILD, "%s: includes nested deeper than %d (%s)", file,
                        CLG_INCLUDE_DEPTH, name);
    char *inner = NULL;
    CLG_TRY(stored_source(ctx, name, &inner));
    clg_status st = expand_includes(ctx, name, inner, depth + 1, out);
    free(inner);
    return st;
}

/*
 * Copies source to out with each line '#include "NAME"' replaced by the cl/
 * file NAME: kernels share transforms and macros while every program is
 * still one source text, which batched builds and the program store need
 * and which builds the same whether the files are embedded or in a folder.
 */
static clg_status expand_includes(const clg_context *ctx, const char *file, const char *source, int depth,
                                  text *out)
{
    for (const char *line = source; *line;) {
        const char *end = strchr(line, '\n');
        const size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        char name[128];
        if (include_name(line, len, name, sizeof name)) {
            CLG_TRY(add_included(ctx, file, name, depth, out));
            text_add(out, "\n", 1);
        } else {
            text_add(out, line, len);
        }
        line += len;
    }
    return out->ok ? CLG_OK : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading %s", file);
}

/* Source text of a cl/ file with its includes expanded. */
static clg_status kernel_source(const clg_context *ctx, const char *file, char **out)
{
    char *raw = NULL;
    CLG_TRY(stored_source(ctx, file, &raw));
    text t = {NULL, 0, 0, 1};
    clg_status st = expand_includes(ctx, file, raw, 0, &t);
    free(raw);
    if (st != CLG_OK) {
        free(t.buf);
        return st;
    }
    *out = t.buf ? t.buf : strdup("");
    return *out ? CLG_OK : clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory reading %s", file);
}

/* The first line of a build log that reports an error (else its first line). */
static const char *first_error(const char *log, char *buf, size_t size)
{
    const char *line = strstr(log, "error:");
    if (line)
        while (line > log && line[-1] != '\n') line--;
    else
        line = log;
    size_t len = strcspn(line, "\n");
    snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), line);
    return *buf ? buf : "(empty build log)";
}

/* Builds source text (what names it in errors: the file) with options; from
   the on-disk program store where the device table keeps one. */
static clg_status build_source(clg_context *ctx, const char *what, const char *source,
                               const char *options, cl_program *out)
{
    char all_options[1024];
    const int half = clg_context_half(ctx), float_math = half && !clg_context_half_arithmetic(ctx);
    snprintf(all_options, sizeof all_options, "%s%s%s%s %s", CLG_COMMON_BUILD_OPTIONS,
             half ? CLG_HALF_BUILD_OPTION : "", float_math ? CLG_HALF_FLOAT_MATH_BUILD_OPTION : "",
             ctx->prefetch_hints ? CLG_PREFETCH_BUILD_OPTION : "", options ? options : "");
    if (ctx->program_store && (*out = clg_program_store_load(ctx, source, all_options))) {
        ctx->programs->store_loads++;
        return CLG_OK;
    }
    cl_int err;
    cl_program program = clCreateProgramWithSource(ctx->context, 1, &source, NULL, &err);
    if (err != CL_SUCCESS) return clg_cl_fail(err, "clCreateProgramWithSource", what);
    ctx->programs->builds++;
    err = clBuildProgram(program, 1, &ctx->device, all_options, NULL, NULL);
    if (err != CL_SUCCESS) {
        char log[3000] = "", first[300];
        clGetProgramBuildInfo(program, ctx->device, CL_PROGRAM_BUILD_LOG, sizeof log - 1, log, NULL);
        clReleaseProgram(program);
        return clg_fail_log(CLG_ERR_KERNEL_BUILD, log, "building %s failed: %s: %s (options: %s)", what,
                            clg_cl_error_name(err), first_error(log, first, sizeof first), all_options);
    }
    if (ctx->program_store) clg_program_store_save(ctx, source, all_options, program);
    *out = program;
    return CLG_OK;
}

static clg_status build_program(clg_context *ctx, const char *file, const char *options,
                                cl_program *out)
{
    char *source = NULL, what[4200];
    CLG_TRY(kernel_source(ctx, file, &source));
    /* A file from the kernel directory is named by its path. */
    const char *dir = clg_context_kernel_dir(ctx);
    if (dir && *dir) snprintf(what, sizeof what, "%s/%s", dir, file);
    else snprintf(what, sizeof what, "%s", file);
    clg_status st = build_source(ctx, what, source, options, out);
    free(source);
    return st;
}

/* Adds an entry (taking a new reference to program). */
static clg_status cache_add(struct clg_program_cache *cache, const char *file, const char *options,
                            const char *suffix, cl_program program)
{
    if (cache->count == cache->cap) {
        size_t ncap = cache->cap ? cache->cap * 2 : 16;
        cached_program *p = realloc(cache->items, ncap * sizeof *p);
        if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        cache->items = p;
        cache->cap = ncap;
    }
    cached_program *item = &cache->items[cache->count];
    item->file = strdup(file);
    item->options = strdup(options);
    item->suffix = strdup(suffix);
    if (!item->file || !item->options || !item->suffix) {
        free(item->file);
        free(item->options);
        free(item->suffix);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    }
    clRetainProgram(program);
    item->program = program;
    cache->count++;
    return CLG_OK;
}

static const cached_program *cache_find(const struct clg_program_cache *cache, const char *file,
                                        const char *options)
{
    for (size_t i = 0; i < cache->count; i++)
        if (strcmp(cache->items[i].file, file) == 0 && strcmp(cache->items[i].options, options) == 0)
            return &cache->items[i];
    return NULL;
}

static clg_status cached_build(clg_context *ctx, const char *file, const char *options,
                               const cached_program **out)
{
    const char *opts = options ? options : "";
    if ((*out = cache_find(ctx->programs, file, opts))) return CLG_OK;
    cl_program program = NULL;
    CLG_TRY(build_program(ctx, file, opts, &program));
    clg_status st = cache_add(ctx->programs, file, opts, "", program);
    clReleaseProgram(program);
    if (st != CLG_OK) return st;
    *out = &ctx->programs->items[ctx->programs->count - 1];
    return CLG_OK;
}

clg_status clg_kernel_create(clg_context *ctx, const char *file, const char *options,
                             const char *name, cl_kernel *out)
{
    const cached_program *entry = NULL;
    CLG_TRY(cached_build(ctx, file, options, &entry));
    char full[160];
    snprintf(full, sizeof full, "%s%s", name, entry->suffix);
    cl_int err;
    *out = clCreateKernel(entry->program, full, &err);
    if (err != CL_SUCCESS) return clg_cl_fail(err, "clCreateKernel", name);
    return CLG_OK;
}

/* ---- Program batching ---------------------------------------------------- */

clg_status clg_program_list_add(clg_program_list *list, const char *file, const char *options,
                                const char *user)
{
    const char *opts = options ? options : "";
    for (size_t i = 0; i < list->count; i++)
        if (strcmp(list->items[i].file, file) == 0 && strcmp(list->items[i].options, opts) == 0)
            return CLG_OK;
    if (list->count == list->cap) {
        size_t ncap = list->cap ? list->cap * 2 : 16;
        struct clg_program_wish *p = realloc(list->items, ncap * sizeof *p);
        if (!p) return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
        list->items = p;
        list->cap = ncap;
    }
    char *f = strdup(file), *o = strdup(opts), *u = strdup(user ? user : file);
    if (!f || !o || !u) {
        free(f);
        free(o);
        free(u);
        return clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory");
    }
    list->items[list->count].file = f;
    list->items[list->count].user = u;
    list->items[list->count++].options = o;
    return CLG_OK;
}

void clg_program_list_free(clg_program_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].file);
        free(list->items[i].options);
        free(list->items[i].user);
    }
    free(list->items);
    memset(list, 0, sizeof *list);
}

size_t clg_program_cache_builds(const clg_context *ctx)
{
    return ctx->programs->builds + ctx->programs->store_loads;
}

size_t clg_program_store_loads(const clg_context *ctx)
{
    return ctx->programs->store_loads;
}

static void text_printf(text *t, const char *fmt, const char *a, const char *b)
{
    char line[512];
    int n = snprintf(line, sizeof line, fmt, a, b);
    if (n < 0 || (size_t)n >= sizeof line) t->ok = 0;
    else text_add(t, line, (size_t)n);
}

static int ident_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/*
 * The names a copy of source must rename and forget: each function defined at
 * the start of a line (the identifier before its first '('), and each macro
 * the file #defines. Written to *names as "F name" and "M name" lines.
 */
static void scan_names(const char *source, text *names)
{
    for (const char *line = source; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        const char *p = line;
        while (p < line + len && (*p == ' ' || *p == '\t')) p++;
        if (p < line + len && *p == '#') {
            p++;
            while (p < line + len && (*p == ' ' || *p == '\t')) p++;
            if ((size_t)(line + len - p) > 7 && strncmp(p, "define", 6) == 0 && (p[6] == ' ' || p[6] == '\t')) {
                p += 7;
                while (p < line + len && (*p == ' ' || *p == '\t')) p++;
                const char *q = p;
                while (q < line + len && ident_char(*q)) q++;
                if (q > p) {
                    text_add(names, "M ", 2);
                    text_add(names, p, (size_t)(q - p));
                    text_add(names, "\n", 1);
                }
            }
            continue;
        }
        if (p != line || !(islower((unsigned char)*p) || *p == '_')) continue;
        const char *paren = memchr(line, '(', len);
        if (!paren) continue;
        const char *q = paren;
        while (q > line && (q[-1] == ' ' || q[-1] == '\t')) q--;
        const char *id_end = q;
        while (q > line && ident_char(q[-1])) q--;
        if (id_end > q) {
            text_add(names, "F ", 2);
            text_add(names, q, (size_t)(id_end - q));
            text_add(names, "\n", 1);
        }
    }
}

/* Appends "#define NAME VALUE" for each -D[ ]NAME[=VALUE] of options; 0 when an
   option is anything else (that variant is then built on its own). */
static int add_defines(text *t, text *undefs, const char *options)
{
    const char *p = options;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        if (strncmp(p, "-D", 2) != 0) return 0;
        p += 2;
        while (*p == ' ') p++; /* "-D NAME" as well as "-DNAME" */
        const char *name = p;
        while (ident_char(*p)) p++;
        if (p == name) return 0;
        char n[64], v[64] = "1";
        if ((size_t)(p - name) >= sizeof n) return 0;
        memcpy(n, name, (size_t)(p - name));
        n[p - name] = '\0';
        if (*p == '=') {
            const char *val = ++p;
            while (*p && *p != ' ') p++;
            if ((size_t)(p - val) >= sizeof v || p == val) return 0;
            memcpy(v, val, (size_t)(p - val));
            v[p - val] = '\0';
        }
        if (*p && *p != ' ') return 0;
        text_printf(t, "#define %s %s\n", n, v);
        text_printf(undefs, "#undef %s%s\n", n, "");
    }
    return 1;
}

/* For each line "K name" of names with K == kind, appends fmt(name). */
static void for_names(text *t, const char *names, char kind, const char *fmt, const char *suffix)
{
    for (const char *l = names; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (l[0] != kind) continue;
        char name[128];
        const char *end = strchr(l, '\n');
        size_t n = end ? (size_t)(end - l - 2) : strlen(l + 2);
        if (n >= sizeof name) continue;
        memcpy(name, l + 2, n);
        name[n] = '\0';
        char line[320];
        snprintf(line, sizeof line, fmt, name, name, suffix);
        text_add(t, line, strlen(line));
    }
}

/* Appends one copy of source, its functions renamed with suffix and its
   macros (and the options' -D names) forgotten at the end; 0 when options
   are not all -D (the variant is then built on its own). */
static int add_instance(text *src, const char *source, const char *options, const char *suffix)
{
    text names = {NULL, 0, 0, 1}, undefs = {NULL, 0, 0, 1};
    const size_t mark = src->len;
    int ok = add_defines(src, &undefs, options);
    if (ok) {
        scan_names(source, &names);
        for_names(src, names.buf, 'F', "#define %s %s%s\n", suffix);
        text_add(src, source, strlen(source));
        text_add(src, "\n", 1);
        for_names(src, names.buf, 'M', "#undef %s\n", "");
        for_names(src, names.buf, 'F', "#undef %s\n", "");
        if (undefs.buf) text_add(src, undefs.buf, undefs.len);
        if (!undefs.ok || !names.ok) src->ok = 0;
    } else {
        src->len = mark;
        if (src->buf) src->buf[mark] = '\0';
    }
    free(names.buf);
    free(undefs.buf);
    return ok;
}

/*
 * A batched build that failed names no file: its variants are built one by
 * one (each on its own, as clg_kernel_create would) until one fails, and
 * that failure names the file, its first error and the node that needs it.
 * Failures are rare (a broken file in CLGOOGLENET_KERNEL_DIR); the variants
 * that build are cached for the plan.
 */
static clg_status blame_variant(clg_context *ctx, const clg_program_list *list, const size_t *batch, size_t n)
{
    char batched[4096];
    snprintf(batched, sizeof batched, "%s", clg_last_error());
    for (size_t k = 0; k < n; k++) {
        const struct clg_program_wish *w = &list->items[batch[k]];
        const cached_program *entry;
        clg_status st = cached_build(ctx, w->file, w->options, &entry);
        if (st != CLG_OK) return clg_fail_context(st, "%s", w->user);
    }
    return clg_fail_log(CLG_ERR_KERNEL_BUILD, batched, "%s", list->items[batch[0]].user);
}

clg_status clg_programs_prebuild(clg_context *ctx, const clg_program_list *list)
{
    enum { MAX_BATCH = 128 };
    size_t batch[MAX_BATCH], n = 0;
    text src = {NULL, 0, 0, 1};
    clg_status st = CLG_OK;
    for (size_t i = 0; st == CLG_OK && i < list->count && n < MAX_BATCH; i++) {
        const struct clg_program_wish *w = &list->items[i];
        if (cache_find(ctx->programs, w->file, w->options)) continue;
        char *source = NULL, suffix[16];
        st = kernel_source(ctx, w->file, &source);
        snprintf(suffix, sizeof suffix, "__v%zu", n);
        if (st == CLG_OK && add_instance(&src, source, w->options, suffix)) batch[n++] = i;
        free(source);
    }
    if (st == CLG_OK && !src.ok) st = clg_fail(CLG_ERR_OUT_OF_MEMORY, "out of memory batching kernels");
    /* One variant gains nothing from batching: clg_kernel_create builds it. */
    if (st == CLG_OK && n >= 2) {
        char what[64];
        snprintf(what, sizeof what, "%zu kernel variants in one program", n);
        cl_program program = NULL;
        st = build_source(ctx, what, src.buf, "", &program);
        if (st == CLG_ERR_KERNEL_BUILD) st = blame_variant(ctx, list, batch, n);
        else if (st != CLG_OK) st = clg_fail_context(st, "%s", list->items[batch[0]].user);
        for (size_t k = 0; st == CLG_OK && k < n; k++) {
            char suffix[16];
            snprintf(suffix, sizeof suffix, "__v%zu", k);
            st = cache_add(ctx->programs, list->items[batch[k]].file, list->items[batch[k]].options,
                           suffix, program);
        }
        if (program) clReleaseProgram(program);
    }
    free(src.buf);
    return st;
}
