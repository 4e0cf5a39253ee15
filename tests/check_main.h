/*
 * The runner every Check suite of this project repeats: one TCase per test
 * (so CK_RUN_CASE picks one by name), a timeout and an optional checked
 * fixture for each, the exit status from the failure count.
 */
#ifndef CLG_TEST_CHECK_MAIN_H
#define CLG_TEST_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

typedef struct clg_test_case {
    const char *name; /* "suite:test", as CK_RUN_CASE takes it */
    const TTest *test;
} clg_test_case;

/* Runs `count` cases as suite `suite`; setup and teardown may be NULL. */
static inline int clg_run_cases(const char *suite, const clg_test_case *cases, size_t count,
                                double timeout_s, SFun setup, SFun teardown)
{
    Suite *s = suite_create(suite);
    for (size_t i = 0; i < count; i++) {
        TCase *tc = tcase_create(cases[i].name);
        tcase_set_timeout(tc, timeout_s);
        if (setup || teardown) tcase_add_checked_fixture(tc, setup, teardown);
        tcase_add_test(tc, cases[i].test);
        suite_add_tcase(s, tc);
    }
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    const int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
