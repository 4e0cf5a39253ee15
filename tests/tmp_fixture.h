/*
 * A temporary directory per Check test, shared by the suites that write
 * files: each test file defines TMP_FIXTURE_PREFIX before including this,
 * registers setup/teardown as a checked fixture, and asks tmp_path() or
 * tmp_file() for paths; teardown removes them and checks nothing was left.
 */
#ifndef CLG_TMP_FIXTURE_H
#define CLG_TMP_FIXTURE_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TMP 64
static char tmpdir[512];
static char *tmp_files[MAX_TMP];
static int n_tmp;

static void setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/%s_XXXXXX", base && *base ? base : "/tmp", TMP_FIXTURE_PREFIX);
    ck_assert_msg(mkdtemp(tmpdir) != NULL, "mkdtemp failed");
    n_tmp = 0;
}

static void teardown(void)
{
    for (int i = 0; i < n_tmp; i++) {
        unlink(tmp_files[i]);
        free(tmp_files[i]);
    }
    n_tmp = 0;
    ck_assert_msg(rmdir(tmpdir) == 0, "temp dir %s not empty", tmpdir);
}

/* A path inside the temp dir; the file (if any) is removed in teardown. */
static const char *tmp_path(const char *name)
{
    ck_assert_int_lt(n_tmp, MAX_TMP);
    size_t len = strlen(tmpdir) + strlen(name) + 2;
    char *p = malloc(len);
    ck_assert_ptr_nonnull(p);
    snprintf(p, len, "%s/%s", tmpdir, name);
    tmp_files[n_tmp++] = p;
    return p;
}

/* Writes n bytes to path (created or replaced). */
static inline void tmp_write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, n, f), n);
    ck_assert_int_eq(fclose(f), 0);
}

/* Writes n bytes to a new file in the temp dir; returns its path. */
static inline const char *tmp_file(const char *name, const void *data, size_t n)
{
    const char *p = tmp_path(name);
    tmp_write_bytes(p, data, n);
    return p;
}

#endif
