/*
 * The OpenCL context a test makes for itself (Check forks each test, and the
 * ICD's threads do not survive a fork, so no context is made before one):
 * open_context skips the test when there is no device, require_context
 * fails it, reopen_context makes a new one after CLGOOGLENET_* changed.
 */
#ifndef CLG_TEST_CONTEXT_FIXTURE_H
#define CLG_TEST_CONTEXT_FIXTURE_H

#include <check.h>
#include <stdio.h>

#include "clgooglenet.h"

/* The context for this test, or NULL (test skipped) when there is no device. */
static inline clg_context *open_context(void)
{
    clg_context *ctx = NULL;
    clg_status st = clg_context_create(NULL, &ctx);
    if (st == CLG_ERR_DEVICE_NOT_FOUND) {
        printf("SKIP: no OpenCL device: %s\n", clg_last_error());
        return NULL;
    }
    ck_assert_msg(st == CLG_OK, "clg_context_create: %s: %s", clg_status_to_string(st),
                  clg_last_error());
    return ctx;
}

/* The context for a test that cannot go without one: no device fails it. */
static inline clg_context *require_context(void)
{
    clg_context *ctx = NULL;
    clg_status st = clg_context_create(NULL, &ctx);
    ck_assert_msg(st == CLG_OK, "clg_context_create: %s: %s", clg_status_to_string(st),
                  clg_last_error());
    return ctx;
}

/* A new context in place of ctx, for CLGOOGLENET_* variables changed since
   ctx was made: a context reads them once, when it is made. */
static inline clg_context *reopen_context(clg_context *ctx)
{
    clg_context_destroy(ctx);
    ctx = open_context();
    ck_assert_ptr_nonnull(ctx);
    return ctx;
}

#endif
