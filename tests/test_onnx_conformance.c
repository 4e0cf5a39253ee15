/*
 * ONNX's own operator tests (Debian's libonnx-testdata): every test whose
 * model this runtime accepts must reproduce output_0.pb. Tests it refuses
 * (an op, attribute or type out of scope) are listed with the reason.
 */
#include <check.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clgooglenet.h"

#define TESTDATA_ROOT "/usr/share/libonnx-testdata/data"

/* Tests that must run (not just be skipped): the in-scope core of each op. */
static const char *const required[] = {
    "node/test_conv_with_strides_padding", "node/test_conv_with_strides_and_asymmetric_padding",
    "node/test_conv_with_autopad_same", "node/test_basic_conv_with_padding",
    "node/test_maxpool_2d_pads", "node/test_maxpool_2d_ceil", "node/test_maxpool_2d_same_upper",
    "node/test_averagepool_2d_pads_count_include_pad", "node/test_averagepool_2d_ceil",
    "node/test_averagepool_2d_same_lower", "node/test_globalaveragepool",
    "node/test_concat_3d_axis_negative_2", "node/test_relu", "node/test_gemm_all_attributes",
    "node/test_gemm_default_vector_bias", "node/test_matmul_4d", "node/test_add_bcast",
    "node/test_softmax_axis_1", "node/test_softmax_large_number", "node/test_lrn",
    "node/test_flatten_negative_axis1", "node/test_dropout_default", "node/test_identity",
    "pytorch-converted/test_Conv2d_strided", "pytorch-converted/test_MaxPool2d",
    "pytorch-converted/test_AvgPool2d_stride", "pytorch-converted/test_Linear",
    "pytorch-converted/test_Softmax", "pytorch-converted/test_ReLU", NULL};

typedef enum { RESULT_PASS, RESULT_SKIP, RESULT_FAIL } result;

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static result run_case(clg_context *ctx, const char *dir, char *why, size_t why_size)
{
    char path[2048];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    clg_model *model = NULL;
    clg_status st = clg_model_load(ctx, path, &model);
    if (st != CLG_OK) {
        snprintf(why, why_size, "%s", clg_last_error());
        return st == CLG_ERR_UNSUPPORTED ? RESULT_SKIP : RESULT_FAIL;
    }
    size_t n_in = clg_model_input_count(model);
    clg_tensor *inputs[16] = {NULL}, *output[16] = {NULL}, *want = NULL;
    result r = RESULT_FAIL;
    size_t n_out = clg_model_output_count(model);
    if (n_in > 16 || n_out > 16) {
        snprintf(why, why_size, "too many inputs or outputs for this runner");
        r = RESULT_SKIP;
        goto done;
    }
    for (size_t i = 0; i < n_in; i++) {
        snprintf(path, sizeof path, "%s/test_data_set_0/input_%zu.pb", dir, i);
        st = clg_tensor_load_pb(path, &inputs[i]);
        if (st != CLG_OK) {
            snprintf(why, why_size, "%s", clg_last_error());
            r = st == CLG_ERR_UNSUPPORTED ? RESULT_SKIP : RESULT_FAIL;
            goto done;
        }
    }
    snprintf(path, sizeof path, "%s/test_data_set_0/output_0.pb", dir);
    if ((st = clg_tensor_load_pb(path, &want)) != CLG_OK) {
        snprintf(why, why_size, "%s", clg_last_error());
        r = st == CLG_ERR_UNSUPPORTED ? RESULT_SKIP : RESULT_FAIL;
        goto done;
    }
    st = clg_model_run(model, (const clg_tensor *const *)inputs, n_in, output, n_out);
    if (st != CLG_OK) {
        snprintf(why, why_size, "%s", clg_last_error());
        r = st == CLG_ERR_UNSUPPORTED ? RESULT_SKIP : RESULT_FAIL;
        goto done;
    }
    size_t n = clg_tensor_element_count(want);
    if (clg_tensor_element_count(output[0]) != n || output[0]->rank != want->rank) {
        snprintf(why, why_size, "output has %zu elements (rank %d), expected %zu (rank %d)",
                 clg_tensor_element_count(output[0]), output[0]->rank, n, want->rank);
        goto done;
    }
    double worst = 0;
    size_t worst_at = 0;
    for (size_t i = 0; i < n; i++) {
        /* ONNX's backend tests use rtol 1e-3; we hold ourselves to 1e-4. */
        double err = fabs((double)output[0]->data[i] - want->data[i]) / fmax(1.0, fabs(want->data[i]));
        if (!(err <= worst)) {
            worst = err;
            worst_at = i;
        }
    }
    if (worst > 1e-4 || isnan(worst)) {
        snprintf(why, why_size, "mismatch at %zu: got %g, expected %g", worst_at,
                 output[0]->data[worst_at], want->data[worst_at]);
        goto done;
    }
    r = RESULT_PASS;
done:
    for (size_t i = 0; i < 16; i++) {
        clg_tensor_destroy(inputs[i]);
        clg_tensor_destroy(output[i]);
    }
    clg_tensor_destroy(want);
    clg_model_destroy(model);
    return r;
}

START_TEST(onnx_node_tests)
{
    if (!is_dir(TESTDATA_ROOT)) {
        printf("SKIP: %s not found (install libonnx-testdata)\n", TESTDATA_ROOT);
        return;
    }
    clg_context *ctx = NULL;
    ck_assert_msg(clg_context_create(NULL, &ctx) == CLG_OK, "%s", clg_last_error());
    const char *groups[] = {"node", "pytorch-converted"};
    size_t passed = 0, skipped = 0, failed = 0, required_ok = 0;
    for (size_t gi = 0; gi < 2; gi++) {
        char root[512];
        snprintf(root, sizeof root, "%s/%s", TESTDATA_ROOT, groups[gi]);
        DIR *d = opendir(root);
        ck_assert_msg(d != NULL, "cannot open %s", root);
        char **names = NULL;
        size_t count = 0;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strncmp(e->d_name, "test_", 5) != 0) continue;
            names = realloc(names, (count + 1) * sizeof *names);
            names[count++] = strdup(e->d_name);
        }
        closedir(d);
        qsort(names, count, sizeof *names, compare_names);
        for (size_t i = 0; i < count; i++) {
            char dir[1024], id[600], why[4096] = "";
            snprintf(dir, sizeof dir, "%s/%s", root, names[i]);
            snprintf(id, sizeof id, "%s/%s", groups[gi], names[i]);
            result r = run_case(ctx, dir, why, sizeof why);
            char *nl = strchr(why, '\n');
            if (nl) *nl = '\0';
            int is_required = 0;
            for (const char *const *q = required; *q; q++) is_required |= strcmp(*q, id) == 0;
            if (r == RESULT_PASS) {
                passed++;
                required_ok += is_required;
                printf("PASS %s\n", id);
            } else if (r == RESULT_SKIP) {
                skipped++;
                printf("SKIP %s: %s\n", id, why);
            } else {
                failed++;
                printf("FAIL %s: %s\n", id, why);
            }
            free(names[i]);
        }
        free(names);
    }
    size_t n_required = 0;
    for (const char *const *q = required; *q; q++) n_required++;
    printf("onnx conformance: %zu passed, %zu skipped, %zu failed; %zu of %zu required tests passed\n",
           passed, skipped, failed, required_ok, n_required);
    clg_context_destroy(ctx);
    ck_assert_msg(failed == 0, "%zu ONNX tests failed (see FAIL lines)", failed);
    ck_assert_msg(required_ok == n_required, "only %zu of %zu required ONNX tests ran and passed",
                  required_ok, n_required);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("onnx_conformance");
    TCase *tc = tcase_create("onnx_conformance:libonnx_testdata");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, onnx_node_tests);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
