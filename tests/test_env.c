/*
 * Every CLGOOGLENET_* variable the library reads is checked against the
 * values it allows (runtime/core/env.c): a bad value fails context creation with
 * a message naming the variable and what it takes, before any device work.
 * A context reads them once, when it is made (runtime/core/context.h).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "env.h"
#include "kernels.h"
#include "passes.h"
#include "tuning.h"

/* Context creation with var=value fails naming both and listing the allowed values. */
static void refused(const char *var, const char *value, const char *allowed)
{
    setenv(var, value, 1);
    clg_context *ctx = NULL;
    clg_status st = clg_context_create(NULL, &ctx);
    ck_assert_msg(st == CLG_ERR_INVALID_ARGUMENT, "%s=%s: got %s", var, value, clg_status_to_string(st));
    ck_assert_ptr_null(ctx);
    char want[256];
    snprintf(want, sizeof want, "%s=%s: expected %s", var, value, allowed);
    ck_assert_msg(strstr(clg_last_error(), want), "message \"%s\" lacks \"%s\"", clg_last_error(), want);
    unsetenv(var);
}

START_TEST(bad_values_are_refused)
{
    refused(CLG_TUNE_ENV, "yes", "'0', 'off', '1', 'on' or 'force'");
    refused(CLG_TUNE_ENV, "of", "'0', 'off', '1', 'on' or 'force'");
    refused(CLG_CONV_ENV, "garbage", "'legacy', 'kvec', 'wino', 'wino2', 'lanes' or 'plane'");
    refused(CLG_GEMM_ENV, "cublas", "'clblast' or 'kernel'");
    refused(CLG_NO_FUSION_ENV, "yes", "'0' or '1'");
    refused(CLG_PASSES_OFF_ENV, "1,x", "pass numbers from 0 to 6");
    refused(CLG_PASSES_OFF_ENV, "7", "pass numbers from 0 to 6");
    refused(CLG_PASSES_OFF_ENV, "1,", "pass numbers from 0 to 6");
    refused(CLG_KERNEL_DIR_ENV, "/nonexistent/kernels", "a directory");
    refused(CLG_PRECISION_ENV, "fp8", "'fp32' or 'fp16'");
    refused(CLG_HALF_MATH_ENV, "bf16", "'half' or 'float'");
    /* Values are escaped in the message like any other untrusted text. */
    setenv(CLG_CONV_ENV, "\x1b[31m", 1);
    ck_assert_int_eq(clg_env_check(), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "CLGOOGLENET_CONV=\\x1b[31m"));
    unsetenv(CLG_CONV_ENV);
}
END_TEST

START_TEST(words_mean_what_they_say)
{
    /* CLGOOGLENET_TUNE=OFF is off (it used to tune); case does not matter. */
    const struct {
        const char *value;
        clg_tune_mode mode;
    } tune[] = {{"OFF", CLG_TUNE_OFF}, {"off", CLG_TUNE_OFF}, {"0", CLG_TUNE_OFF}, {"1", CLG_TUNE_ON},
                {"On", CLG_TUNE_ON},   {"FORCE", CLG_TUNE_FORCE}, {"", CLG_TUNE_CACHED}};
    for (size_t i = 0; i < sizeof tune / sizeof tune[0]; i++) {
        setenv(CLG_TUNE_ENV, tune[i].value, 1);
        ck_assert_int_eq(clg_env_check(), CLG_OK);
        ck_assert_msg(clg_tune_mode_get(NULL) == tune[i].mode, "TUNE=%s", tune[i].value);
    }
    unsetenv(CLG_TUNE_ENV);
    ck_assert_int_eq(clg_tune_mode_get(NULL), CLG_TUNE_CACHED);
    setenv(CLG_CONV_ENV, "KVEC", 1);
    ck_assert_str_eq(clg_env_word(CLG_CONV_ENV), "kvec");
    setenv(CLG_CONV_ENV, "", 1); /* empty is unset: no family forced, tuning stays on */
    ck_assert_int_eq(clg_env_check(), CLG_OK);
    ck_assert_ptr_null(clg_env_word(CLG_CONV_ENV));
    setenv(CLG_CONV_ENV, "garbage", 1); /* never taken for a family */
    ck_assert_ptr_null(clg_env_word(CLG_CONV_ENV));
    unsetenv(CLG_CONV_ENV);
    setenv(CLG_PASSES_OFF_ENV, "0,3", 1);
    ck_assert_int_eq(clg_env_check(), CLG_OK);
    ck_assert_int_eq(clg_pass_enabled(3), 0);
    ck_assert_int_eq(clg_pass_enabled(2), 1);
    unsetenv(CLG_PASSES_OFF_ENV);
    setenv(CLG_NO_FUSION_ENV, "0", 1);
    ck_assert_int_eq(clg_pass_enabled(3), 1);
    setenv(CLG_NO_FUSION_ENV, "1", 1);
    ck_assert_int_eq(clg_pass_enabled(3), 0);
    unsetenv(CLG_NO_FUSION_ENV);
}
END_TEST

/* A context reads the variables once, when it is made: one changed later
   does not change it, a new context takes the new value. */
START_TEST(read_once_per_context)
{
    setenv(CLG_CONV_ENV, "wino", 1);
    setenv(CLG_PASSES_OFF_ENV, "3", 1);
    setenv("XDG_CACHE_HOME", "/tmp/clg-read-once", 1);
    clg_context *ctx = NULL;
    clg_status st = clg_context_create(NULL, &ctx);
    if (st == CLG_ERR_DEVICE_NOT_FOUND) {
        printf("SKIP: no OpenCL device: %s\n", clg_last_error());
        return;
    }
    ck_assert_msg(st == CLG_OK, "%s", clg_last_error());
    setenv(CLG_CONV_ENV, "garbage", 1);
    setenv(CLG_TUNE_ENV, "force", 1);
    unsetenv(CLG_PASSES_OFF_ENV);
    setenv("XDG_CACHE_HOME", "/tmp/clg-elsewhere", 1);
    ck_assert_str_eq(clg_context_conv_algorithm(ctx), "wino");
    ck_assert_int_eq(clg_tune_mode_get(ctx), CLG_TUNE_CACHED);
    ck_assert_int_eq(clg_context_pass_enabled(ctx, 3), 0);
    ck_assert_int_eq(clg_context_pass_enabled(ctx, 2), 1);
    ck_assert_str_eq(clg_tune_cache_path(ctx), "/tmp/clg-read-once/clgooglenet/tuning.txt");
    /* What the caller set, not what the environment filled in. */
    clg_context_options options;
    ck_assert_int_eq(clg_context_get_options(ctx, &options), CLG_OK);
    ck_assert_ptr_null(options.conv_algorithm);
    clg_context_destroy(ctx);
    unsetenv(CLG_CONV_ENV);
    ck_assert_int_eq(clg_context_create(NULL, &ctx), CLG_OK);
    ck_assert_ptr_null(clg_context_conv_algorithm(ctx));
    ck_assert_int_eq(clg_tune_mode_get(ctx), CLG_TUNE_FORCE);
    ck_assert_int_eq(clg_context_pass_enabled(ctx, 3), 1);
    ck_assert_str_eq(clg_tune_cache_path(ctx), "/tmp/clg-elsewhere/clgooglenet/tuning.txt");
    clg_context_destroy(ctx);
    unsetenv(CLG_TUNE_ENV);
    unsetenv("XDG_CACHE_HOME");
}
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"env:bad_values_are_refused", bad_values_are_refused},
        {"env:words_mean_what_they_say", words_mean_what_they_say},
        {"env:read_once_per_context", read_once_per_context},
    };
    return clg_run_cases("env", cases, sizeof cases / sizeof cases[0], 0, NULL, NULL);
}
