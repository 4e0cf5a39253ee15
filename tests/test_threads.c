/*
 * Threading contract (include/clgooglenet.h): a context and its models are
 * used by one thread at a time; separate contexts are independent. Two
 * threads, each with its own context on the same device, run the model 100
 * times and must reproduce the single-threaded output bit for bit.
 */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "golden.h"

#define RUNS_PER_THREAD 100

static char model_path[1024], input_path[1024];

typedef struct worker {
    const clg_tensor *input;
    const clg_tensor *expected;
    int mismatches;
    char error[512];
} worker;

static void set_paths(void)
{
    golden_path(model_path, sizeof model_path, "", "d2l_small", ".onnx");
    golden_path(input_path, sizeof input_path, "", "d2l_small", ".input.npy");
}

/* Runs the model `runs` times; each output is compared with expected (or
   becomes it when expected is NULL, for the reference run). */
static clg_status run_model(const clg_tensor *input, int runs, const clg_tensor *expected, int *mismatches,
                            clg_tensor **first)
{
    clg_context *ctx = NULL;
    clg_model *model = NULL;
    clg_status st = clg_context_create(NULL, &ctx);
    if (st == CLG_OK) st = clg_model_load(ctx, model_path, &model);
    for (int i = 0; st == CLG_OK && i < runs; i++) {
        clg_tensor *out = NULL;
        st = clg_model_run(model, &input, 1, &out, 1);
        if (st != CLG_OK) break;
        if (expected) {
            size_t n = clg_tensor_element_count(expected);
            if (clg_tensor_element_count(out) != n || memcmp(out->data, expected->data, n * sizeof(float)))
                (*mismatches)++;
            clg_tensor_destroy(out);
        } else if (first && !*first) {
            *first = out;
        } else {
            clg_tensor_destroy(out);
        }
    }
    clg_model_destroy(model);
    clg_context_destroy(ctx);
    return st;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    clg_status st = run_model(w->input, RUNS_PER_THREAD, w->expected, &w->mismatches, NULL);
    if (st != CLG_OK) snprintf(w->error, sizeof w->error, "%s", clg_last_error());
    return NULL;
}

START_TEST(two_threads_match_single_thread)
{
    set_paths();
    clg_tensor *input = NULL, *reference = NULL;
    ck_assert_msg(clg_tensor_load(input_path, &input) == CLG_OK, "%s", clg_last_error());
    ck_assert_msg(run_model(input, 1, NULL, NULL, &reference) == CLG_OK, "%s", clg_last_error());
    ck_assert_ptr_nonnull(reference);
    worker w[2];
    pthread_t tid[2];
    for (int i = 0; i < 2; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].input = input;
        w[i].expected = reference;
        ck_assert_int_eq(pthread_create(&tid[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 2; i++) ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
    for (int i = 0; i < 2; i++) {
        ck_assert_msg(w[i].error[0] == '\0', "thread %d: %s", i, w[i].error);
        ck_assert_msg(w[i].mismatches == 0, "thread %d: %d of %d outputs differ from the single-threaded run", i,
                      w[i].mismatches, RUNS_PER_THREAD);
    }
    clg_tensor_destroy(reference);
    clg_tensor_destroy(input);
}
END_TEST

/* Errors are per thread: a failure in one thread does not change another's message. */
static void *failing_thread(void *arg)
{
    clg_context *ctx = NULL;
    clg_status st = clg_context_create("no-such-device-anywhere", &ctx);
    snprintf(arg, 512, "%d %s", (int)st, clg_last_error());
    return NULL;
}

START_TEST(errors_are_per_thread)
{
    clg_tensor *t = NULL;
    ck_assert_int_eq(clg_tensor_load("/nonexistent/x.npy", &t), CLG_ERR_IO);
    char before[512], other[512];
    snprintf(before, sizeof before, "%s", clg_last_error());
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, failing_thread, other), 0);
    ck_assert_int_eq(pthread_join(tid, NULL), 0);
    ck_assert_str_eq(clg_last_error(), before);
    ck_assert_ptr_nonnull(strstr(other, "no-such-device-anywhere"));
}
END_TEST

/* Determinism: the same input gives bitwise identical output run after run. */
START_TEST(repeat_runs_are_bitwise_identical)
{
    set_paths();
    clg_tensor *input = NULL, *reference = NULL;
    int mismatches = 0;
    ck_assert_msg(clg_tensor_load(input_path, &input) == CLG_OK, "%s", clg_last_error());
    ck_assert_msg(run_model(input, 1, NULL, NULL, &reference) == CLG_OK, "%s", clg_last_error());
    ck_assert_msg(run_model(input, 20, reference, &mismatches, NULL) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(mismatches, 0);
    clg_tensor_destroy(reference);
    clg_tensor_destroy(input);
}
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"threads:two_threads_match_single_thread", two_threads_match_single_thread},
        {"threads:errors_are_per_thread", errors_are_per_thread},
        {"threads:repeat_runs_are_bitwise_identical", repeat_runs_are_bitwise_identical},
    };
    return clg_run_cases("threads", cases, sizeof cases / sizeof cases[0], 300, NULL, NULL);
}
