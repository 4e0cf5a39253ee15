/*
 * Tests for runtime/programs/program_store.c: compiled programs kept on disk are read
 * back by the next context, and an entry that is truncated, corrupt, foreign
 * or not a file is rebuilt from source, never trusted. Runs on whatever
 * device the environment names, with the store forced on
 * (CLGOOGLENET_PROGRAM_CACHE=1) in a folder of its own.
 */
#define _XOPEN_SOURCE 700
#include <check.h>

#include <dirent.h>
#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "env.h"
#include "context.h"
#include "context_fixture.h"
#include "golden.h"
#include "kernels.h"
#include "program_store.h"

static char cache_home[512];

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(cache_home, sizeof cache_home, "%s/clg_store_XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(cache_home));
    setenv("XDG_CACHE_HOME", cache_home, 1);
    setenv(CLG_PROGRAM_CACHE_ENV, "1", 1);
}

static void teardown(void)
{
    nftw(cache_home, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Paths of the store's entries (up to max); returns how many. */
static int list_entries(char paths[][1024], int max)
{
    DIR *d = opendir(clg_program_store_dir(NULL));
    if (!d) return 0;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) && n < max;)
        if (e->d_name[0] != '.')
            snprintf(paths[n++], 1024, "%s/%s", clg_program_store_dir(NULL), e->d_name);
    closedir(d);
    return n;
}

/* Runs the small d2l model once in a new context; returns how many programs
   the context compiled from source and how many it read from the store, and
   checks the logits against PyTorch's. */
static void run_model(size_t *builds, size_t *loads)
{
    clg_context *ctx = require_context();
    char path[1024];
    golden_path(path, sizeof path, "", "d2l_small", ".onnx");
    clg_model *model = NULL;
    ck_assert_msg(clg_model_load(ctx, path, &model) == CLG_OK, "%s", clg_last_error());
    clg_tensor *x = golden_load("", "d2l_small", ".input.npy");
    clg_tensor *want = golden_load("", "d2l_small", ".output.npy"), *y = NULL;
    const clg_tensor *inputs[1] = {x};
    ck_assert_msg(clg_model_run(model, inputs, 1, &y, 1) == CLG_OK, "%s", clg_last_error());
    const size_t n = clg_tensor_element_count(want);
    ck_assert_uint_eq(clg_tensor_element_count(y), n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabsf(y->data[i] - want->data[i]) <= 1e-4f * (1.0f + fabsf(want->data[i])),
                      "logit %zu: %g, want %g", i, y->data[i], want->data[i]);
    *loads = clg_program_store_loads(ctx);
    *builds = clg_program_cache_builds(ctx) - *loads;
    clg_tensor_destroy(x);
    clg_tensor_destroy(y);
    clg_tensor_destroy(want);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}

/* Builds cl/activation.cl in a new context and runs its relu on 37 floats
   (a small program: the entry-by-entry cases below rebuild it often). */
static void run_relu(size_t *builds, size_t *loads)
{
    clg_context *ctx = require_context();
    cl_kernel k = NULL;
    ck_assert_msg(clg_kernel_create(ctx, "activation.cl", NULL, "relu", &k) == CLG_OK, "%s",
                  clg_last_error());
    enum { N = 37 };
    float in[N], out[N];
    for (int i = 0; i < N; i++) in[i] = (float)(i - 18);
    cl_int err;
    cl_mem a = clCreateBuffer(ctx->context, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, sizeof in, in, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    cl_mem b = clCreateBuffer(ctx->context, CL_MEM_WRITE_ONLY, sizeof out, NULL, &err);
    ck_assert_int_eq(err, CL_SUCCESS);
    const cl_int n = N;
    const size_t global = (N + 3) / 4;
    ck_assert_int_eq(clSetKernelArg(k, 0, sizeof a, &a) | clSetKernelArg(k, 1, sizeof b, &b) |
                         clSetKernelArg(k, 2, sizeof n, &n),
                     CL_SUCCESS);
    ck_assert_int_eq(clEnqueueNDRangeKernel(ctx->queue, k, 1, NULL, &global, NULL, 0, NULL, NULL), CL_SUCCESS);
    ck_assert_int_eq(clEnqueueReadBuffer(ctx->queue, b, CL_TRUE, 0, sizeof out, out, 0, NULL, NULL), CL_SUCCESS);
    for (int i = 0; i < N; i++) ck_assert_float_eq(out[i], in[i] > 0 ? in[i] : 0.0f);
    *loads = clg_program_store_loads(ctx);
    *builds = clg_program_cache_builds(ctx) - *loads;
    clReleaseMemObject(a);
    clReleaseMemObject(b);
    clReleaseKernel(k);
    clg_context_destroy(ctx);
}

START_TEST(store_reused)
{
    size_t builds = 0, loads = 0;
    run_model(&builds, &loads);
    ck_assert_uint_gt(builds, 0);
    ck_assert_uint_eq(loads, 0);
    char entries[64][1024];
    const int n = list_entries(entries, 64);
    ck_assert_int_eq((size_t)n, builds);

    run_model(&builds, &loads);
    ck_assert_uint_eq(builds, 0);
    ck_assert_uint_eq(loads, (size_t)n);
}
END_TEST

/* Overwrites bytes of a file at offset (negative: from the end). */
static void poke(const char *path, long offset, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "r+b");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
    ck_assert_uint_eq(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

/* Every way an entry can be wrong: each is rebuilt, and rewritten whole. */
START_TEST(store_bad_entries_rebuilt)
{
    size_t builds = 0, loads = 0;
    run_relu(&builds, &loads);
    char entries[64][1024];
    const int n = list_entries(entries, 64);
    ck_assert_int_eq(n, 1);
    struct stat good;
    ck_assert_int_eq(stat(entries[0], &good), 0);
    ck_assert_int_gt(good.st_size, 64);

    enum { TRUNCATED, BINARY_FLIPPED, KEY_CHANGED, MAGIC, EMPTY, HUGE_LENGTH, FIFO, N_KINDS };
    for (int kind = 0; kind < N_KINDS; kind++) {
        const char *e = entries[0];
        switch (kind) {
        case TRUNCATED: ck_assert_int_eq(truncate(e, good.st_size / 2), 0); break;
        case BINARY_FLIPPED: poke(e, -7, "\x5a", 1); break;
        case KEY_CHANGED: poke(e, 40, "#", 1); break; /* inside the repeated key */
        case MAGIC: poke(e, 0, "CLGPROG0", 8); break;
        case EMPTY: ck_assert_int_eq(truncate(e, 0), 0); break;
        case HUGE_LENGTH: poke(e, 16, "\xff\xff\xff\xff\xff\xff\xff\x7f", 8); break;
        case FIFO:
            ck_assert_int_eq(unlink(e), 0);
            ck_assert_int_eq(mkfifo(e, 0600), 0); /* must not hang the reader */
            break;
        }
        run_relu(&builds, &loads);
        ck_assert_msg(builds == 1 && loads == (size_t)n - 1, "kind %d: %zu builds, %zu loads", kind,
                      builds, loads);
        struct stat now;
        ck_assert_int_eq(stat(e, &now), 0);
        ck_assert_msg(S_ISREG(now.st_mode), "kind %d: entry not rewritten as a file", kind);
    }
    /* The rewritten entry is whole: everything loads again. (Its size may
       differ: PoCL's binaries grow with the work-group sizes launched.) */
    run_relu(&builds, &loads);
    ck_assert_uint_eq(builds, 0);
    ck_assert_uint_eq(loads, (size_t)n);
    /* A foreign file in the entry's place, and a temporary left by a writer
       that was killed, are harmless. */
    char stray[1100];
    snprintf(stray, sizeof stray, "%s.Xk3b9Q", entries[0]);
    for (int i = 0; i < 2; i++) {
        FILE *f = fopen(i ? stray : entries[0], "wb");
        ck_assert_ptr_nonnull(f);
        fputs("not a program", f);
        fclose(f);
    }
    run_relu(&builds, &loads);
    ck_assert_uint_eq(builds, 1);
    run_relu(&builds, &loads);
    ck_assert_uint_eq(loads, 1);
}
END_TEST

/* The store off: nothing is written. A bad value is an error naming the variable. */
START_TEST(store_switch)
{
    setenv(CLG_PROGRAM_CACHE_ENV, "off", 1);
    size_t builds = 0, loads = 0;
    run_model(&builds, &loads);
    char entries[4][1024];
    ck_assert_int_eq(list_entries(entries, 4), 0);
    ck_assert_uint_eq(loads, 0);

    setenv(CLG_PROGRAM_CACHE_ENV, "sometimes", 1);
    clg_context *ctx = NULL;
    ck_assert_int_eq(clg_context_create(NULL, &ctx), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_null(ctx);
    ck_assert_msg(strstr(clg_last_error(), "CLGOOGLENET_PROGRAM_CACHE=sometimes") != NULL, "%s",
                  clg_last_error());
}
END_TEST

int main(void)
{
    /* Not static: Check's test handles are not constant expressions. */
    const clg_test_case cases[] = {
        {"program-store:reused", store_reused},
        {"program-store:bad_entries_rebuilt", store_bad_entries_rebuilt},
        {"program-store:switch", store_switch},
    };
    return clg_run_cases("program-store", cases, sizeof cases / sizeof cases[0], 300, setup, teardown);
}
