/*
 * Golden data of the end-to-end tests: files under $CLGOOGLENET_TEST_DATA
 * (meson sets it; tests/data when run by hand), made by the tools/ scripts
 * named in each directory's README.
 */
#ifndef CLG_TEST_GOLDEN_H
#define CLG_TEST_GOLDEN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clgooglenet.h"

static inline const char *golden_dir(void)
{
    const char *d = getenv("CLGOOGLENET_TEST_DATA");
    return d && *d ? d : "tests/data";
}

/* golden_dir()/PREFIX NAME SUFFIX as a path (prefix "" or "imagenet/"). */
static inline void golden_path(char *path, size_t size, const char *prefix, const char *name,
                               const char *suffix)
{
    snprintf(path, size, "%s/%s%s%s", golden_dir(), prefix, name, suffix);
}

/* Loads a golden .npy tensor; fails the test when it cannot. */
static inline clg_tensor *golden_load(const char *prefix, const char *name, const char *suffix)
{
    char path[1024];
    golden_path(path, sizeof path, prefix, name, suffix);
    clg_tensor *t = NULL;
    clg_status st = clg_tensor_load(path, &t);
    ck_assert_msg(st == CLG_OK, "%s: %s", path, clg_last_error());
    return t;
}

/* Index of the largest value (the first one on ties). */
static inline size_t golden_argmax(const float *row, size_t n)
{
    size_t best = 0;
    for (size_t i = 1; i < n; i++)
        if (row[i] > row[best]) best = i;
    return best;
}

/* Asserts that `call` returns want_status and that clg_last_error() mentions substring. */
#define ck_assert_fails(call, want_status, substring)                                             \
    do {                                                                                          \
        clg_status st_ = (call);                                                                  \
        ck_assert_msg(st_ == (want_status), "%s gave %s, want %s (%s)", #call,                    \
                      clg_status_to_string(st_), clg_status_to_string(want_status),               \
                      clg_last_error());                                                          \
        ck_assert_msg(strstr(clg_last_error(), (substring)) != NULL,                              \
                      "message '%s' lacks '%s'", clg_last_error(), (substring));                  \
    } while (0)

#endif
