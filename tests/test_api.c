/*
 * The embedding API (clgooglenet.h, "Embedding"): version and memory,
 * context options, declared input and output shapes, runs into the
 * caller's tensors, the plan limit and batch buckets, device table rows
 * and the environment check.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "context_fixture.h"
#include "golden.h"
#include "graph.h"
#include "model.h"

START_TEST(version_and_free)
{
    ck_assert_str_eq(clg_version(), CLG_VERSION_STRING);
    clg_free(NULL);
    clg_device_info *devices = NULL;
    size_t count = 0;
    ck_assert_msg(clg_devices_list(&devices, &count) == CLG_OK, "%s", clg_last_error());
    clg_free(devices);
}
END_TEST

/* Malformed options fail before any device is opened, naming the field. */
START_TEST(options_invalid)
{
    static const struct {
        const char *field, *value;
        int queues, program_cache, precision;
        clg_status want;
    } cases[] = {
        {"conv_algorithm", "bogus", 0, 0, 0, CLG_ERR_INVALID_ARGUMENT},
        {"gemm", "cublas", 0, 0, 0, CLG_ERR_INVALID_ARGUMENT},
        {"kernel_family", "gpu", 0, 0, 0, CLG_ERR_INVALID_ARGUMENT},
        {"passes_off", "1,x", 0, 0, 0, CLG_ERR_INVALID_ARGUMENT},
        {"passes_off", "9", 0, 0, 0, CLG_ERR_INVALID_ARGUMENT},
        {"queues", NULL, 9, 0, 0, CLG_ERR_INVALID_ARGUMENT},
        {"program_cache", NULL, 0, 3, 0, CLG_ERR_INVALID_ARGUMENT},
        {"precision", NULL, 0, 0, 7, CLG_ERR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clg_context_options o;
        clg_context_options_init(&o);
        if (strcmp(cases[i].field, "conv_algorithm") == 0) o.conv_algorithm = cases[i].value;
        if (strcmp(cases[i].field, "gemm") == 0) o.gemm = cases[i].value;
        if (strcmp(cases[i].field, "kernel_family") == 0) o.kernel_family = cases[i].value;
        if (strcmp(cases[i].field, "passes_off") == 0) o.passes_off = cases[i].value;
        o.queues = cases[i].queues;
        o.program_cache = cases[i].program_cache;
        o.precision = (clg_precision)cases[i].precision;
        clg_context *ctx = (clg_context *)&o; /* must be reset to NULL */
        ck_assert_int_eq(clg_context_create_with_options(&o, &ctx), cases[i].want);
        ck_assert_ptr_null(ctx);
        char want[64];
        snprintf(want, sizeof want, "options.%s=", cases[i].field);
        ck_assert_msg(strstr(clg_last_error(), want), "case %zu: %s", i, clg_last_error());
    }
}
END_TEST

/* fp16 where the device has cl_khr_fp16; elsewhere refused, naming the device. */
START_TEST(precision_fp16)
{
    clg_context *ctx = NULL;
    ck_assert_int_eq(clg_context_create(NULL, &ctx), CLG_OK);
    ck_assert_int_eq(clg_context_precision(ctx), CLG_PRECISION_FP32);
    ck_assert_int_eq(clg_context_half_arithmetic(ctx), 0);
    const clg_device_info info = *clg_context_device(ctx);
    clg_context_destroy(ctx);
    clg_context_options o;
    clg_context_options_init(&o);
    o.precision = CLG_PRECISION_FP16;
    clg_status st = clg_context_create_with_options(&o, &ctx);
    if (info.has_fp16) {
        ck_assert_int_eq(st, CLG_OK);
        ck_assert_int_eq(clg_context_precision(ctx), CLG_PRECISION_FP16);
        /* Half arithmetic unless the device's is emulated; the variable overrides. */
        ck_assert_int_eq(clg_context_half_arithmetic(ctx), !info.fp16_emulated);
        clg_context_destroy(ctx);
        const char *words[] = {"half", "FLOAT"};
        for (int i = 0; i < 2; i++) {
            setenv("CLGOOGLENET_HALF_MATH", words[i], 1);
            ck_assert_int_eq(clg_context_create_with_options(&o, &ctx), CLG_OK);
            ck_assert_int_eq(clg_context_half_arithmetic(ctx), i == 0);
            clg_context_destroy(ctx);
        }
        unsetenv("CLGOOGLENET_HALF_MATH");
    } else {
        ck_assert_int_eq(st, CLG_ERR_UNSUPPORTED);
        ck_assert_ptr_null(ctx);
        ck_assert_msg(strstr(clg_last_error(), "has no cl_khr_fp16") && strstr(clg_last_error(), info.device_name),
                      "%s", clg_last_error());
    }
}
END_TEST

/* Options are copied; get_options gives them back, queues resolved. */
START_TEST(options_copied)
{
    char passes[8] = "3", gemm[16] = "kernel";
    clg_context_options o;
    clg_context_options_init(&o);
    o.queues = 2;
    o.passes_off = passes;
    o.gemm = gemm;
    o.kernel_family = "cpu";
    o.max_plans = 3;
    clg_context *ctx = NULL;
    ck_assert_msg(clg_context_create_with_options(&o, &ctx) == CLG_OK, "%s", clg_last_error());
    strcpy(passes, "xx");
    strcpy(gemm, "yy");
    clg_context_options got;
    ck_assert_int_eq(clg_context_get_options(ctx, &got), CLG_OK);
    ck_assert_int_eq(got.queues, 2);
    ck_assert_str_eq(got.passes_off, "3");
    ck_assert_str_eq(got.gemm, "kernel");
    ck_assert_str_eq(got.kernel_family, "cpu");
    ck_assert_ptr_null(got.conv_algorithm);
    ck_assert_uint_eq(got.max_plans, 3);
    clg_context_destroy(ctx);
    /* NULL options: every default. */
    ck_assert_msg(clg_context_create_with_options(NULL, &ctx) == CLG_OK, "%s", clg_last_error());
    clg_context_destroy(ctx);
}
END_TEST

static void open_golden(const char *name, clg_context **ctx, clg_model **model)
{
    char path[1024];
    golden_path(path, sizeof path, "", name, ".onnx");
    *ctx = require_context();
    ck_assert_msg(clg_model_load(*ctx, path, model) == CLG_OK, "%s", clg_last_error());
}

/* Shapes, names and types as the file declares them, right after load. */
START_TEST(io_info)
{
    clg_context *ctx;
    clg_model *model;
    open_golden("d2l_small", &ctx, &model);
    clg_io_info in, out;
    ck_assert_int_eq(clg_model_input_info(model, 0, &in), CLG_OK);
    ck_assert_int_eq(clg_model_output_info(model, 0, &out), CLG_OK);
    ck_assert_int_eq(in.rank, 4);
    ck_assert_int_eq(in.type, CLG_ELEM_FLOAT32);
    ck_assert_int_eq(in.dims[0], -1);
    ck_assert_ptr_nonnull(in.dim_names[0]);
    ck_assert_str_eq(in.dim_names[0], "batch");
    ck_assert_int_eq(in.dims[1], 1);
    ck_assert_ptr_null(in.dim_names[1]);
    ck_assert_int_eq(in.dims[2], 96);
    ck_assert_str_eq(out.name, "logits");
    ck_assert_int_eq(out.type, CLG_ELEM_FLOAT32);
    ck_assert_int_eq(out.rank, 2);
    ck_assert_int_eq(out.dims[0], -1);
    ck_assert_str_eq(out.dim_names[0], "batch");
    ck_assert_int_eq(out.dims[1], 10);
    ck_assert_uint_eq(clg_model_plan_count(model), 0);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

/* An output the file leaves undeclared gets its shape from the inputs'. */
START_TEST(io_info_inferred)
{
    clg_context *ctx = require_context();
    clg_graph *g = clg_graph_create();
    const int64_t xd[2] = {-1, 3};
    int x, node;
    ck_assert_int_eq(clg_graph_add_value(g, "x", CLG_VALUE_INPUT, 2, xd, &x), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_input(g, x), CLG_OK);
    const char *names[2] = {"n", NULL};
    ck_assert_int_eq(clg_graph_declare_io(g, x, 2, xd, names), CLG_OK);
    clg_attrs at = clg_attrs_default();
    ck_assert_int_eq(clg_graph_add_node(g, "relu", CLG_OP_RELU, &x, 1, "y", &at, &node), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[node].output), CLG_OK);
    clg_model *model = NULL;
    ck_assert_msg(clg_model_from_graph(ctx, g, &model) == CLG_OK, "%s", clg_last_error());
    clg_io_info out;
    ck_assert_int_eq(clg_model_output_info(model, 0, &out), CLG_OK);
    ck_assert_int_eq(out.rank, 2);
    ck_assert_int_eq(out.dims[0], -1);
    ck_assert_str_eq(out.dim_names[0], "n");
    ck_assert_int_eq(out.dims[1], 3);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

static void expect_same(const clg_tensor *a, const clg_tensor *b, double tol)
{
    ck_assert_int_eq(a->rank, b->rank);
    for (int i = 0; i < a->rank; i++) ck_assert_int_eq(a->dims[i], b->dims[i]);
    size_t n = clg_tensor_element_count(a);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs((double)a->data[i] - b->data[i]) <= tol, "element %zu: %g vs %g", i,
                      (double)a->data[i], (double)b->data[i]);
}

START_TEST(run_into)
{
    clg_context *ctx;
    clg_model *model;
    open_golden("d2l_small", &ctx, &model);
    clg_tensor *in = golden_load("", "d2l_small", ".input.npy");
    clg_tensor *want = golden_load("", "d2l_small", ".output.npy");
    const clg_tensor *inputs[] = {in};
    /* Shapes first: the caller sizes its buffers from them. */
    clg_io_info shape;
    ck_assert_msg(clg_model_output_shapes(model, inputs, 1, &shape, 1) == CLG_OK, "%s", clg_last_error());
    ck_assert_int_eq(shape.rank, 2);
    ck_assert_int_eq(shape.dims[0], in->dims[0]);
    ck_assert_int_eq(shape.dims[1], 10);
    float buffer[64 * 10];
    clg_tensor out = {2, {shape.dims[0], 10}, buffer};
    clg_tensor *outs[] = {&out};
    ck_assert_msg(clg_model_run_into(model, inputs, 1, outs, 1) == CLG_OK, "%s", clg_last_error());
    expect_same(&out, want, 1e-4);
    /* A buffer of the wrong shape is refused, naming both shapes. */
    clg_tensor wrong = {2, {shape.dims[0], 9}, buffer};
    clg_tensor *wrongs[] = {&wrong};
    ck_assert_int_eq(clg_model_run_into(model, inputs, 1, wrongs, 1), CLG_ERR_SHAPE);
    ck_assert_msg(strstr(clg_last_error(), "is [3, 9]; this run gives [3, 10]"), "%s", clg_last_error());
    wrong.dims[1] = 10;
    wrong.data = NULL;
    ck_assert_int_eq(clg_model_run_into(model, inputs, 1, wrongs, 1), CLG_ERR_SHAPE);
    /* A wrong input shape names the input. */
    in->dims[2] = 50;
    ck_assert_int_eq(clg_model_run_into(model, inputs, 1, outs, 1), CLG_ERR_SHAPE);
    ck_assert_msg(strstr(clg_last_error(), "input 'input'"), "%s", clg_last_error());
    clg_tensor_destroy(in);
    clg_tensor_destroy(want);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

/* Plans beyond the limit are released, least recently used first. */
START_TEST(plan_limit)
{
    clg_context *ctx;
    clg_model *model;
    open_golden("d2l_small", &ctx, &model);
    clg_tensor *in = golden_load("", "d2l_small", ".input.npy");
    const clg_tensor *inputs[] = {in};
    ck_assert_int_eq(clg_model_set_plan_limit(model, 0), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(clg_model_set_plan_limit(model, 2), CLG_OK);
    const int64_t batches[] = {1, 2, 1, 3};
    const size_t counts[] = {1, 2, 2, 2};
    for (int i = 0; i < 4; i++) {
        in->dims[0] = batches[i];
        clg_tensor *out = NULL;
        ck_assert_msg(clg_model_run(model, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
        ck_assert_int_eq(out->dims[0], batches[i]);
        clg_tensor_destroy(out);
        ck_assert_uint_eq(clg_model_plan_count(model), counts[i]);
    }
    ck_assert_int_eq(clg_model_set_plan_limit(model, 1), CLG_OK);
    ck_assert_uint_eq(clg_model_plan_count(model), 1);
    clg_tensor_destroy(in);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

/* One bucket serves batches 1 to 3 with the golden logits. */
START_TEST(batch_buckets)
{
    clg_context *ctx;
    clg_model *model;
    open_golden("d2l_small", &ctx, &model);
    const int64_t bad[] = {4, 2}, zero[] = {0}, good[] = {4};
    ck_assert_int_eq(clg_model_set_batch_buckets(model, bad, 2), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(clg_model_set_batch_buckets(model, zero, 1), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_int_eq(clg_model_set_batch_buckets(model, good, 1), CLG_OK);
    clg_tensor *in = golden_load("", "d2l_small", ".input.npy");
    clg_tensor *want = golden_load("", "d2l_small", ".output.npy");
    const clg_tensor *inputs[] = {in};
    const int64_t all = in->dims[0];
    for (int64_t b = 1; b <= all; b++) {
        in->dims[0] = want->dims[0] = b;
        clg_tensor *out = NULL;
        ck_assert_msg(clg_model_run(model, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
        expect_same(out, want, 1e-4);
        clg_tensor_destroy(out);
        float buffer[16 * 10];
        clg_tensor into = {2, {b, 10}, buffer};
        clg_tensor *outs[] = {&into};
        ck_assert_msg(clg_model_run_into(model, inputs, 1, outs, 1) == CLG_OK, "%s", clg_last_error());
        expect_same(&into, want, 1e-4);
    }
    ck_assert_uint_eq(clg_model_plan_count(model), 1);
    /* Larger than every bucket: its own plan. */
    ck_assert_int_eq(clg_model_set_batch_buckets(model, (const int64_t[]){2}, 1), CLG_OK);
    in->dims[0] = want->dims[0] = all;
    clg_tensor *out = NULL;
    ck_assert_msg(clg_model_run(model, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
    expect_same(out, want, 1e-4);
    clg_tensor_destroy(out);
    clg_tensor_destroy(in);
    clg_tensor_destroy(want);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(trace_table)
{
    clg_trace *trace = NULL;
    char *text = NULL;
    ck_assert_int_eq(clg_trace_create(&trace), CLG_OK);
    ck_assert_int_eq(clg_trace_table(trace, 0.0, &text), CLG_OK);
    ck_assert_ptr_nonnull(text);
    clg_free(text);
    ck_assert_int_eq(clg_trace_table(NULL, 0.0, &text), CLG_ERR_INVALID_ARGUMENT);
    clg_trace_destroy(trace);
}
END_TEST

/* What the CLI asks of the library beyond models: device table rows, the variables' check. */
START_TEST(device_table_and_env)
{
    clg_device_info *devices = NULL;
    size_t count = 0;
    ck_assert_msg(clg_devices_list(&devices, &count) == CLG_OK, "%s", clg_last_error());
    for (size_t i = 0; i < count; i++) {
        clg_device_table_row row;
        ck_assert_int_eq(clg_device_table_row_of(&devices[i], &row), CLG_OK);
        ck_assert(row.name && *row.name && row.why);
    }
    clg_free(devices);
    clg_device_table_row row;
    ck_assert_int_eq(clg_device_table_row_of(NULL, &row), CLG_ERR_INVALID_ARGUMENT);
    setenv("CLGOOGLENET_GEMM", "cublas", 1);
    ck_assert_int_eq(clg_env_check(), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "CLGOOGLENET_GEMM=cublas: expected 'clblast' or 'kernel'"));
    unsetenv("CLGOOGLENET_GEMM");
    ck_assert_int_eq(clg_env_check(), CLG_OK);
}
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"api:version_and_free", version_and_free},
        {"api:options_invalid", options_invalid},
        {"api:precision_fp16", precision_fp16},
        {"api:options_copied", options_copied},
        {"api:io_info", io_info},
        {"api:io_info_inferred", io_info_inferred},
        {"api:run_into", run_into},
        {"api:plan_limit", plan_limit},
        {"api:batch_buckets", batch_buckets},
        {"api:trace_table", trace_table},
        {"api:device_table_and_env", device_table_and_env},
    };
    return clg_run_cases("api", cases, sizeof cases / sizeof cases[0], 600, NULL, NULL);
}
