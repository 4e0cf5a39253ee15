/*
 * Hostile sizes that only show once a model meets a device: shapes that
 * pass import but whose activations would not fit (padding that blows a
 * 4x4 input up to trillions of pixels, or to more than a device buffer may
 * hold). Each must end in a clear error naming the node before anything that
 * size is allocated or launched, and the model must keep working for sane
 * inputs afterwards. (Hostile files are covered by the fuzzers in
 * tests/fuzz and by tests/test_graph.c.)
 */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "check_main.h"
#include "clgooglenet.h"
#include "context.h"
#include "golden.h"
#include "graph.h"
#include "mem_budget.h"
#include "model.h"
#include "model_builder.h"
#include "onnx.pb-c.h"

/* X [N,1,H,W] (symbolic batch) -> op -> Y; Conv gets a 1x1x3x3 weight of ones. */
static clg_model *one_node_model(clg_context *ctx, clg_op_type op, const clg_attrs *attrs)
{
    clg_graph *g = clg_graph_create();
    ck_assert_ptr_nonnull(g);
    int x, w, node, ins[2];
    const int64_t xdims[4] = {-1, 1, -1, -1}, wdims[4] = {1, 1, 3, 3};
    ck_assert_int_eq(clg_graph_add_value(g, "X", CLG_VALUE_INPUT, 4, xdims, &x), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_input(g, x), CLG_OK);
    ins[0] = x;
    int n_in = 1;
    if (op == CLG_OP_CONV) {
        const float ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
        ck_assert_int_eq(clg_graph_add_initializer(g, "W", 4, wdims, ones, &w), CLG_OK);
        ins[n_in++] = w;
    }
    ck_assert_int_eq(clg_graph_add_node(g, "hostile", op, ins, n_in, "Y", attrs, &node), CLG_OK);
    ck_assert_int_eq(clg_graph_mark_output(g, g->nodes[node].output), CLG_OK);
    clg_model *m = NULL;
    clg_status st = clg_model_from_graph(ctx, g, &m);
    ck_assert_msg(st == CLG_OK, "load: %s", clg_last_error());
    return m;
}

static clg_status run(clg_model *m, int64_t h, int64_t w, clg_tensor **out)
{
    const int64_t dims[4] = {1, 1, h, w};
    clg_tensor *x = NULL;
    ck_assert_int_eq(clg_tensor_create(4, dims, &x), CLG_OK);
    for (size_t i = 0; i < clg_tensor_element_count(x); i++) x->data[i] = 1.0f;
    const clg_tensor *in[1] = {x};
    clg_status st = clg_model_run(m, in, 1, out, 1);
    clg_tensor_destroy(x);
    return st;
}

/* The run fails cleanly and names the node; then the same context still runs a sane model. */
static void expect_refused(clg_context *ctx, clg_model *m)
{
    clg_tensor *y = NULL;
    clg_status st = run(m, 4, 4, &y);
    ck_assert_msg(st != CLG_OK, "a hostile run succeeded");
    ck_assert_ptr_null(y);
    ck_assert_msg(strstr(clg_last_error(), "node 'hostile'") != NULL, "message names no node: %s",
                  clg_last_error());
    printf("refused as expected (%s): %s\n", clg_status_to_string(st), clg_last_error());
    /* The model keeps no half-made plan: the same failure again. */
    ck_assert_int_eq(run(m, 4, 4, &y), st);
    clg_attrs a = clg_attrs_default();
    for (int i = 0; i < 4; i++) a.win.pads[i] = 1;
    clg_model *sane = one_node_model(ctx, CLG_OP_CONV, &a);
    st = run(sane, 4, 4, &y);
    ck_assert_msg(st == CLG_OK, "a sane run after the refused one failed: %s", clg_last_error());
    ck_assert_int_eq(y->dims[2], 4);
    ck_assert_float_eq(y->data[5], 9.0f); /* an inner pixel sums the 3x3 ones */
    clg_tensor_destroy(y);
    clg_model_destroy(sane);
}

START_TEST(conv_padding_explodes)
{
    /* 4x4 input, pads of 2^20: about 4.4e12 output pixels (17 TB). */
    clg_context *ctx = open_context();
    if (!ctx) return;
    clg_attrs a = clg_attrs_default();
    for (int i = 0; i < 4; i++) a.win.pads[i] = 1 << 20;
    clg_model *m = one_node_model(ctx, CLG_OP_CONV, &a);
    expect_refused(ctx, m);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(pool_padding_overflows)
{
    /* Pads near INT_MAX: the output extent itself overflows 32 bits. */
    clg_context *ctx = open_context();
    if (!ctx) return;
    clg_attrs a = clg_attrs_default();
    a.win.kernel[0] = a.win.kernel[1] = 1;
    for (int i = 0; i < 4; i++) a.win.pads[i] = 0x7ffffff0;
    clg_model *m = one_node_model(ctx, CLG_OP_MAXPOOL, &a);
    expect_refused(ctx, m);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(activation_over_device_limit)
{
    /* An output just over the device's one-buffer limit, yet under 2^31
       elements (so no 32-bit index check catches it): refused before the
       driver is asked for the buffer, never half-allocated and written. */
    clg_context *ctx = open_context();
    if (!ctx) return;
    cl_ulong max_alloc = 0;
    ck_assert_int_eq(clGetDeviceInfo(ctx->device, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc,
                                     &max_alloc, NULL), CL_SUCCESS);
    /* Output H x W floats (pads make a 4x4 input that big): 1.25x the limit. */
    uint64_t target = max_alloc / 4 + max_alloc / 16, w = 32768, h = (target / w + 2) & ~(uint64_t)1;
    if (h * w >= ((uint64_t)1 << 31)) {
        printf("SKIP: the device's buffers may hold 2^31 floats (%llu bytes)\n",
               (unsigned long long)max_alloc);
    } else {
        clg_attrs a = clg_attrs_default();
        a.win.pads[0] = a.win.pads[2] = (int)((h - 2) / 2);
        a.win.pads[1] = a.win.pads[3] = (int)((w - 2) / 2);
        clg_model *m = one_node_model(ctx, CLG_OP_CONV, &a);
        expect_refused(ctx, m);
        clg_model_destroy(m);
    }
    clg_context_destroy(ctx);
}
END_TEST

/* tests/data/d2l_small.onnx with symbolic height and width, loaded from memory. */
static clg_model *dynamic_d2l(clg_context *ctx)
{
    char path[1024];
    golden_path(path, sizeof path, "", "d2l_small", ".onnx");
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s", path);
    static unsigned char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, n, buf);
    ck_assert_ptr_nonnull(m);
    Onnx__TensorShapeProto *s = m->graph->input[0]->type->tensor_type->shape;
    ck_assert_uint_eq(s->n_dim, 4);
    char *names[2] = {"H", "W"};
    for (int d = 2; d < 4; d++) {
        s->dim[d]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
        s->dim[d]->dim_param = names[d - 2];
    }
    size_t len = onnx__model_proto__get_packed_size(m);
    unsigned char *packed = malloc(len);
    ck_assert_ptr_nonnull(packed);
    onnx__model_proto__pack(m, packed);
    for (int d = 2; d < 4; d++) s->dim[d]->dim_param = NULL; /* not the unpacker's to free */
    onnx__model_proto__free_unpacked(m, NULL);
    clg_model *model = NULL;
    clg_status st = clg_model_load_memory(ctx, packed, len, &model);
    free(packed);
    ck_assert_msg(st == CLG_OK, "load: %s", clg_last_error());
    return model;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

START_TEST(memory_budget_refuses_before_allocating)
{
    /* The d2l network at 1x1x8192x8192 needs gigabytes of activations and
       scratch. With the device's memory set to 1 GiB (so that the refusal does
       not depend on this machine), the plan is refused from its arithmetic:
       fast, and with no buffer made; then the model still runs sane inputs. */
    clg_context *ctx = open_context();
    if (!ctx) return;
    ctx->info.global_memory_bytes = (uint64_t)1 << 30;
    clg_model *m = dynamic_d2l(ctx);
    const int64_t dims[4] = {1, 1, 8192, 8192};
    clg_tensor *x = NULL, *y = NULL;
    ck_assert_int_eq(clg_tensor_create(4, dims, &x), CLG_OK); /* zero pages: not resident */
    const clg_tensor *in[1] = {x};
    double t0 = now_s();
    clg_status st = clg_model_run(m, in, 1, &y, 1);
    double seconds = now_s() - t0;
    printf("refused in %.3f s: %s\n", seconds, clg_last_error());
    ck_assert_int_eq(st, CLG_ERR_OUT_OF_MEMORY);
    ck_assert_ptr_null(y);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "input 'input' (1, 1, 8192, 8192): needs "));
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "nothing was allocated"));
    ck_assert_msg(seconds < 5, "refusal took %.1f s", seconds);
    ck_assert_uint_eq(clg_model_device_bytes(m) > ((uint64_t)1 << 30), 0);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    ck_assert_msg(ru.ru_maxrss < 500 * 1024, "peak RSS %ld kB", ru.ru_maxrss);
    clg_tensor_destroy(x);
    const int64_t sane[4] = {1, 1, 96, 96};
    ck_assert_int_eq(clg_tensor_create(4, sane, &x), CLG_OK);
    in[0] = x;
    st = clg_model_run(m, in, 1, &y, 1);
    ck_assert_msg(st == CLG_OK, "a sane run after the refusal failed: %s", clg_last_error());
    ck_assert_int_eq(y->dims[1], 10);
    clg_tensor_destroy(y);
    clg_tensor_destroy(x);
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

START_TEST(memory_budget_arithmetic)
{
    /* A GPU-like device with 1 GiB: the budget is that less what the model
       holds, less an eighth; the refusal names the bytes needed and available. */
    clg_context ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.info.type = CLG_DEVICE_GPU;
    ctx.info.global_memory_bytes = (uint64_t)1 << 30;
    clg_memory_budget b;
    clg_memory_budget_get(&ctx, (uint64_t)1 << 28, &b);
    ck_assert_uint_eq(b.available, ((uint64_t)3 << 28));
    ck_assert_uint_eq(b.limit, b.available - b.available / 8);
    ck_assert_int_eq(clg_memory_budget_check(&ctx, b.limit, (uint64_t)1 << 28, "m"), CLG_OK);
    ck_assert_int_eq(clg_memory_budget_check(&ctx, b.limit + 1, (uint64_t)1 << 28, "m.onnx: input 'x' (1, 3)"),
                     CLG_ERR_OUT_OF_MEMORY);
    char want[200];
    snprintf(want, sizeof want, "m.onnx: input 'x' (1, 3): needs %llu bytes", (unsigned long long)b.limit + 1);
    ck_assert_msg(strstr(clg_last_error(), want), "%s", clg_last_error());
    snprintf(want, sizeof want, "more than the %llu bytes", (unsigned long long)b.limit);
    ck_assert_msg(strstr(clg_last_error(), want), "%s", clg_last_error());
    /* Holding more than the device has leaves nothing, without wrapping around. */
    clg_memory_budget_get(&ctx, (uint64_t)2 << 30, &b);
    ck_assert_uint_eq(b.limit, 0);
    /* A CPU device's buffers are host memory: MemAvailable bounds them too. */
    ctx.info.type = CLG_DEVICE_CPU;
    ctx.info.global_memory_bytes = UINT64_MAX / 2;
    clg_memory_budget_get(&ctx, 0, &b);
    ck_assert_msg(b.available < UINT64_MAX / 2, "host memory not counted: %s", b.source);
    printf("CPU budget: %llu bytes (%s)\n", (unsigned long long)b.limit, b.source);
}
END_TEST

START_TEST(output_over_host_tensor_limit)
{
    /* A 4x4 input padded to a 16386x16386 output: more elements than a host
       tensor may hold, refused while planning (or by the device's buffer
       limit, whichever is smaller), before anything that size exists. */
    clg_context *ctx = open_context();
    if (!ctx) return;
    clg_attrs a = clg_attrs_default();
    a.win.kernel[0] = a.win.kernel[1] = 1;
    for (int i = 0; i < 4; i++) a.win.pads[i] = 8191;
    clg_model *m = one_node_model(ctx, CLG_OP_MAXPOOL, &a);
    clg_tensor *y = NULL;
    clg_status st = run(m, 4, 4, &y);
    printf("refused: %s\n", clg_last_error());
    ck_assert_int_ne(st, CLG_OK);
    ck_assert_ptr_null(y);
    ck_assert_msg(strstr(clg_last_error(), "more than a host tensor may hold") ||
                      strstr(clg_last_error(), "largest buffer"),
                  "%s", clg_last_error());
    clg_model_destroy(m);
    clg_context_destroy(ctx);
}
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"hostile:conv_padding_explodes", conv_padding_explodes},
        {"hostile:pool_padding_overflows", pool_padding_overflows},
        {"hostile:activation_over_device_limit", activation_over_device_limit},
        {"hostile:memory_budget_refuses_before_allocating", memory_budget_refuses_before_allocating},
        {"hostile:memory_budget_arithmetic", memory_budget_arithmetic},
        {"hostile:output_over_host_tensor_limit", output_over_host_tensor_limit},
    };
    return clg_run_cases("hostile", cases, sizeof cases / sizeof cases[0], 120, NULL, NULL);
}
