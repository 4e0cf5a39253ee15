/*
 * Tracing: profiling only when asked, every node of the model recorded,
 * positive durations, no overlap within a lane, and JSON that parses
 * (checked by tests/check_trace.py with the system's python3).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "context.h"
#include "device_table.h"
#include "golden.h"
#include "model.h"
#include "trace.h"

static const char *data_path(const char *name, char *buf, size_t size)
{
    golden_path(buf, size, "", name, "");
    return buf;
}

static void load_model(unsigned flags, clg_context **ctx, clg_model **model, clg_tensor **input)
{
    char path[1024];
    ck_assert_msg(clg_context_create_flags(NULL, flags, ctx) == CLG_OK, "%s", clg_last_error());
    ck_assert_msg(clg_model_load(*ctx, data_path("d2l_small.onnx", path, sizeof path), model) == CLG_OK,
                  "%s", clg_last_error());
    ck_assert_msg(clg_tensor_load(data_path("d2l_small.input.npy", path, sizeof path), input) == CLG_OK,
                  "%s", clg_last_error());
}

START_TEST(off_by_default)
{
    clg_context *ctx;
    clg_model *model;
    clg_tensor *input;
    load_model(0, &ctx, &model, &input);
    cl_command_queue_properties props = 0;
    ck_assert_int_eq(clGetCommandQueueInfo(ctx->queue, CL_QUEUE_PROPERTIES, sizeof props, &props, NULL), CL_SUCCESS);
    ck_assert_msg(!(props & CL_QUEUE_PROFILING_ENABLE), "profiling is on without tracing");
    clg_trace *trace;
    ck_assert_int_eq(clg_trace_create(&trace), CLG_OK);
    ck_assert_int_eq(clg_model_set_trace(model, trace), CLG_ERR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(clg_last_error(), "CLG_CONTEXT_PROFILING"));
    clg_trace_destroy(trace);
    clg_tensor_destroy(input);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
}
END_TEST

/* Every computing node appears in the trace; with the passes on, a Concat
   whose inputs were all written in place (pass 4) has nothing to launch. */
static void check_trace(int passes_on)
{
    if (!passes_on) setenv("CLGOOGLENET_NO_FUSION", "1", 1);
    clg_context *ctx;
    clg_model *model;
    clg_tensor *input, *out = NULL;
    load_model(CLG_CONTEXT_PROFILING, &ctx, &model, &input);
    clg_trace *trace;
    ck_assert_int_eq(clg_trace_create(&trace), CLG_OK);
    ck_assert_int_eq(clg_model_set_trace(model, trace), CLG_OK);
    const clg_tensor *inputs[] = {input};
    for (int run = 0; run < 2; run++) {
        ck_assert_msg(clg_model_run(model, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
        clg_tensor_destroy(out);
    }
    size_t n;
    const clg_trace_event *ev = clg_trace_events(trace, &n);
    const clg_graph *g = clg_model_graph(model);
    size_t computing = 0;
    for (size_t i = 0; i < g->n_nodes; i++) {
        const clg_node *nd = &g->nodes[i];
        if (nd->op == CLG_OP_IDENTITY || nd->op == CLG_OP_FLATTEN || nd->op == CLG_OP_RESHAPE) continue;
        if (passes_on && nd->op == CLG_OP_CONCAT) continue;
        computing++;
        /* A 1x1 group (pass 3) is recorded under the member that launches it. */
        int seen = 0;
        for (int m = 0; m < (nd->attrs.n_hgroup ? nd->attrs.n_hgroup : 1); m++) {
            const char *name = nd->attrs.n_hgroup ? g->nodes[nd->attrs.hgroup[m]].name : nd->name;
            for (size_t k = 0; k < n; k++) seen += strcmp(ev[k].name, name) == 0;
        }
        ck_assert_msg(seen >= 2, "node %s appears %d times in 2 runs", nd->name, seen);
    }
    ck_assert_uint_gt(computing, passes_on ? 50 : 120);
    /* Within one in-order queue (a lane) commands follow each other, each
       taking time; not checked where the device table says the timestamps
       mean nothing. */
    const int timed = clg_device_traits_of(clg_context_device(ctx))->timestamps;
    if (!timed) printf("SKIP: %s reports no usable profiling times\n", clg_context_device(ctx)->platform_name);
    for (size_t k = 0; timed && k < n; k++) {
        ck_assert_msg(ev[k].end > ev[k].start, "%s: end %llu <= start %llu", ev[k].name,
                      (unsigned long long)ev[k].end, (unsigned long long)ev[k].start);
        ck_assert(ev[k].start >= ev[k].submit && ev[k].submit >= ev[k].queued);
        if (k > 0 && ev[k].lane == ev[k - 1].lane)
            ck_assert_msg(ev[k].start >= ev[k - 1].end, "%s overlaps %s", ev[k].name, ev[k - 1].name);
    }
    ck_assert(!timed || clg_trace_total_ms(trace) > 0);

    char dir[] = "/tmp/clg-trace-XXXXXX", path[128], cmd[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/trace.json", dir);
    ck_assert_msg(clg_trace_write_json(trace, path) == CLG_OK, "%s", clg_last_error());
    snprintf(cmd, sizeof cmd, "python3 %s/../check_trace.py %s", golden_dir(), path);
    if (system("python3 -c 'import json' 2>/dev/null") == 0)
        ck_assert_msg(system(cmd) == 0, "trace JSON check failed: %s", cmd);
    else
        printf("SKIP: no python3 to parse the JSON\n");
    FILE *table = tmpfile();
    ck_assert_int_eq(clg_trace_print_table(trace, table, 100.0), CLG_OK);
    long size = ftell(table);
    ck_assert_int_gt(size, 1000);
    fclose(table);
    remove(path);
    rmdir(dir);
    ck_assert_int_eq(clg_trace_write_json(trace, "/nonexistent-dir/trace.json"), CLG_ERR_IO);
    clg_trace_destroy(trace);
    clg_tensor_destroy(input);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
    unsetenv("CLGOOGLENET_NO_FUSION");
}

START_TEST(records_every_node) { check_trace(1); }
END_TEST

START_TEST(records_every_node_without_passes) { check_trace(0); }
END_TEST

/* The queues a run used: one more than the highest lane in its trace. */
static int lanes_used(clg_model *model, const clg_tensor *input)
{
    clg_trace *trace;
    ck_assert_int_eq(clg_trace_create(&trace), CLG_OK);
    ck_assert_int_eq(clg_model_set_trace(model, trace), CLG_OK);
    const clg_tensor *inputs[] = {input};
    clg_tensor *out = NULL;
    ck_assert_msg(clg_model_run(model, inputs, 1, &out, 1) == CLG_OK, "%s", clg_last_error());
    clg_tensor_destroy(out);
    size_t n;
    const clg_trace_event *ev = clg_trace_events(trace, &n);
    int lanes = 0;
    for (size_t k = 0; k < n; k++)
        if (ev[k].lane + 1 > lanes) lanes = ev[k].lane + 1;
    ck_assert_int_eq(clg_model_set_trace(model, NULL), CLG_OK);
    clg_trace_destroy(trace);
    return lanes;
}

/* With no queue count asked, batch-1 runs spread branches over the device
   table's queues (PoCL: 4) and larger batches keep one; an asked count
   holds at every batch size. */
START_TEST(queues_per_batch)
{
    unsetenv("CLGOOGLENET_QUEUES");
    clg_context *ctx;
    clg_model *model;
    clg_tensor *batch, *one, *two;
    load_model(CLG_CONTEXT_PROFILING, &ctx, &model, &batch);
    const int batch1 = clg_device_traits_of(clg_context_device(ctx))->batch1_queues;
    /* The first item, and the first two, of the stored batch. */
    ck_assert_int_ge(batch->dims[0], 2);
    int64_t dims[CLG_MAX_RANK];
    memcpy(dims, batch->dims, sizeof dims);
    dims[0] = 1;
    ck_assert_int_eq(clg_tensor_create(batch->rank, dims, &one), CLG_OK);
    dims[0] = 2;
    ck_assert_int_eq(clg_tensor_create(batch->rank, dims, &two), CLG_OK);
    memcpy(one->data, batch->data, clg_tensor_element_count(one) * sizeof(float));
    memcpy(two->data, batch->data, clg_tensor_element_count(two) * sizeof(float));
    clg_tensor_destroy(batch);
    clg_context_options got;
    ck_assert_int_eq(clg_context_get_options(ctx, &got), CLG_OK);
    ck_assert_int_eq(got.queues, 0); /* chosen per plan */
    ck_assert_int_eq(lanes_used(model, one), batch1 > 1 ? batch1 : 1);
    ck_assert_int_eq(lanes_used(model, two), 1);
    clg_model_destroy(model);
    clg_context_destroy(ctx);

    clg_context_options o;
    clg_context_options_init(&o);
    o.queues = 2;
    o.flags = CLG_CONTEXT_PROFILING;
    ck_assert_msg(clg_context_create_with_options(&o, &ctx) == CLG_OK, "%s", clg_last_error());
    char path[1024];
    ck_assert_msg(clg_model_load(ctx, data_path("d2l_small.onnx", path, sizeof path), &model) == CLG_OK, "%s",
                  clg_last_error());
    ck_assert_int_eq(lanes_used(model, one), 2);
    ck_assert_int_eq(lanes_used(model, two), 2);
    clg_model_destroy(model);
    clg_context_destroy(ctx);
    clg_tensor_destroy(one);
    clg_tensor_destroy(two);
}
END_TEST

START_TEST(peak_is_measured)
{
    /* The context reads XDG_CACHE_HOME when it is made; PoCL follows it
       too, so its kernel cache is pinned where it was. */
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char pocl[1024];
    snprintf(pocl, sizeof pocl, "%s%s/pocl/kcache", xdg && *xdg ? xdg : home ? home : "/tmp",
             xdg && *xdg ? "" : "/.cache");
    setenv("POCL_CACHE_DIR", pocl, 0);
    char dir[] = "/tmp/clg-cache-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    setenv("XDG_CACHE_HOME", dir, 1);
    clg_context *ctx;
    ck_assert_int_eq(clg_context_create(NULL, &ctx), CLG_OK);
    double first = 0, second = 0;
    ck_assert_msg(clg_context_peak_gflops(ctx, &first) == CLG_OK, "%s", clg_last_error());
    /* Any positive rate: under valgrind the device runs hundreds of times slower. */
    ck_assert_msg(isfinite(first) && first > 0, "peak %g GFLOP/s", first);
    ck_assert_int_eq(clg_context_peak_gflops(ctx, &second), CLG_OK); /* from the cache */
    ck_assert_double_eq_tol(first, second, 0.01);
    char path[256];
    snprintf(path, sizeof path, "%s/clgooglenet/peak.txt", dir);
    ck_assert_int_eq(remove(path), 0);
    snprintf(path, sizeof path, "%s/clgooglenet", dir);
    rmdir(path);
    rmdir(dir);
    clg_context_destroy(ctx);
}
END_TEST

int main(void)
{
    const clg_test_case cases[] = {
        {"trace:off_by_default", off_by_default},
        {"trace:records_every_node", records_every_node},
        {"trace:records_every_node_without_passes", records_every_node_without_passes},
        {"trace:queues_per_batch", queues_per_batch},
        {"trace:peak_is_measured", peak_is_measured},
    };
    return clg_run_cases("trace", cases, sizeof cases / sizeof cases[0], 300, NULL, NULL);
}
