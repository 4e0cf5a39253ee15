/*
 * The runner every Check suite of this project repeats: one TCase per test
 * (so CK_RUN_CASE picks one by name), a timeout and an optional checked
 * fixture for each, the exit status from the failure count. Most suites
 * call clg_run_cases; one whose tests differ in timeout or fixture, or has
 * loop tests, adds its cases with clg_add_cases / clg_add_case and runs the
 * suite with clg_run_suite. The output's verbosity follows CK_VERBOSITY
 * (CK_NORMAL when it is unset). A test function is named after its case:
 * "env:read_once_per_context" runs START_TEST(read_once_per_context).
 */
#ifndef CLG_TEST_CHECK_MAIN_H
#define CLG_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

typedef struct clg_test_case {
    const char *name; /* "suite:test", as CK_RUN_CASE takes it */
    const TTest *test;
} clg_test_case;

/* Adds test to s as its own TCase `name`: a loop test with _i from 0 to
 * loop_end - 1 when loop_end > 0; a timeout_s of 0 keeps Check's default
 * (CK_DEFAULT_TIMEOUT, else 4 s); setup and teardown may be NULL. */
static inline void clg_add_case(Suite *s, const char *name, const TTest *test, int loop_end,
                                double timeout_s, SFun setup, SFun teardown)
{
    TCase *tc = tcase_create(name);
    if (timeout_s > 0) tcase_set_timeout(tc, timeout_s);
    if (setup || teardown) tcase_add_checked_fixture(tc, setup, teardown);
    if (loop_end > 0) tcase_add_loop_test(tc, test, 0, loop_end);
    else tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}

static inline void clg_add_cases(Suite *s, const clg_test_case *cases, size_t count,
                                 double timeout_s, SFun setup, SFun teardown)
{
    for (size_t i = 0; i < count; i++)
        clg_add_case(s, cases[i].name, cases[i].test, 0, timeout_s, setup, teardown);
}

/* Runs s and frees it; the exit status for main. */
static inline int clg_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_ENV);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* Runs `count` cases as suite `suite`; setup and teardown may be NULL. */
static inline int clg_run_cases(const char *suite, const clg_test_case *cases, size_t count,
                                double timeout_s, SFun setup, SFun teardown)
{
    Suite *s = suite_create(suite);
    clg_add_cases(s, cases, count, timeout_s, setup, teardown);
    return clg_run_suite(s);
}

#endif
